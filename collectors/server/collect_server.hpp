// pss collect: the gRPC collector service (collectors/grpc/collector.proto)
// on HOST:PORT (127.0.0.1 unless told otherwise). What it receives goes to
// a file (NDJSON trace records, readable by pss merge and pss analyze) or is
// relayed to another collector (redis://..., grpc://...). Per source, a
// record it has stored already (a batch sent again after a lost answer) is
// kept once. Drop reports of the senders are printed, and relayed.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

namespace pss::collect {

class CollectServerError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct CollectServerStats {
    std::uint64_t records = 0;     // trace records stored
    std::uint64_t duplicates = 0;  // sent twice, kept once
    std::uint64_t sources = 0;     // processes heard from
    std::uint64_t dropped = 0;     // records the senders reported they dropped
    std::uint64_t relay_dropped = 0;
};

class CollectServer {
public:
    // Listens on `listen` ("127.0.0.1:50051"; port 0 picks one) and writes
    // to `out` (a file path, file:PATH, or a collector URI to relay to).
    // Throws CollectServerError when it cannot listen or open `out`.
    CollectServer(const std::string& listen, const std::string& out);
    ~CollectServer();
    CollectServer(const CollectServer&) = delete;
    CollectServer& operator=(const CollectServer&) = delete;

    int port() const;
    // Stops taking calls (those running finish) and sends what a relay
    // buffers, waiting at most `seconds`.
    void shutdown(double seconds);
    CollectServerStats stats() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace pss::collect
