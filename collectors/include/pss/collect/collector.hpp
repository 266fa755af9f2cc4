// Where trace records go while tests run: a collector. C++17 and no
// dependency but the system (dlopen): linked into users' test binaries
// through pss::runtime.
//
//   file:PATH                       appended under flock(2), many processes safely;
//                                   synchronous, so a crash loses nothing written
//   redis://host:port/N?stream=KEY  Redis Streams (XADD), plugin pss_collector_redis.so
//   grpc://host:port                pss's collector service, plugin pss_collector_grpc.so
//   SCHEME://...                    any plugin pss_collector_SCHEME.so (pss/collect/plugin.h)
//
// Network collectors batch off the caller's thread in a bounded buffer:
// submit() never blocks on the network and never fails; when the buffer is
// full or the server is down, records are dropped and counted.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "pss/record/trace_record.hpp"

namespace pss::collect {

struct CollectorStats {
    std::uint64_t submitted = 0;
    std::uint64_t delivered = 0;
    std::uint64_t dropped = 0;
    std::string drop_reason;  // why the last record was dropped: "collector unreachable: ..."
};

// Who is sending, carried with every record so that readers can tell the
// shards and processes of a run apart.
struct Identity {
    std::string run_id;  // shards of one run share it (pss-run --run-id, PSS_RUN_ID, the CI's id)
    std::string source;  // this process; empty: "host:pid:random"
};

class Collector {
public:
    virtual ~Collector() = default;
    // One record (a JSON object, no newline). Never blocks on I/O of a
    // remote collector; the file collector writes before returning.
    virtual void submit(std::string json) = 0;
    // The same from the caller's buffer, for collectors that copy the bytes
    // at once (a mapped trace file): no string per record.
    virtual void submit_view(std::string_view json) { submit(std::string(json)); }
    // The trace file of one process (open_owned_file_collector) packs the
    // record (pss/record/packed_record.hpp) straight into the file and
    // returns true; the others take JSON and return false.
    virtual bool submit_packed(const TraceRecord&) { return false; }
    // Sends what is buffered, waiting at most `seconds`; what is left then
    // is dropped and counted. Ends the collector (further records are dropped).
    virtual void close(double seconds) = 0;
    virtual CollectorStats stats() const = 0;
    // The URI without a password, for messages.
    virtual std::string describe() const = 0;
};

// Opens the collector `uri` names. Returns null and sets `error` (what was
// wrong and what to do) when the URI or its plugin is unusable.
std::unique_ptr<Collector> open_collector(const std::string& uri, const Identity& identity, std::string& error);

// The file collector for a plain path (PSS_TRACE_FILE), taken as written.
std::unique_ptr<Collector> open_file_collector(const std::string& path, std::string& error);

// The trace file for one process alone (PSS_MAPPED_FILES): created here and
// written through a shared mapping, no system call per record; it takes
// packed records (submit_packed), which read_trace_file reads. Returns null
// with `error` empty when `path` exists already (it is another process's:
// nothing is written to it), with `error` set when it cannot be created.
std::unique_ptr<Collector> open_owned_file_collector(const std::string& path, std::string& error);

// "1,204 records dropped: collector unreachable (...)", or "" when none.
std::string drop_summary(const CollectorStats& stats, const std::string& where);

// A run id from the environment: PSS_RUN_ID, else the CI's own id
// (GITHUB_RUN_ID-GITHUB_RUN_ATTEMPT, CI_PIPELINE_ID, BUILDKITE_BUILD_ID,
// CIRCLE_WORKFLOW_ID, BUILD_TAG), else "".
std::string run_id_from_environment();

}  // namespace pss::collect
