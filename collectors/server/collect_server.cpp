#include "collect_server.hpp"

#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <mutex>
#include <vector>

#include "collected_stream.hpp"
#include "collector.grpc.pb.h"
#include "pss/collect/collector.hpp"

namespace pss::collect {

namespace v1 = pss::collector::v1;

namespace {

std::string hostname() {
    char host[256] = {0};
    if (::gethostname(host, sizeof host - 1) != 0) return "unknown";
    return host;
}

// A control record relayed on carries the sender it came from, so that a
// reader adds up each sender's drops instead of taking the relay's as one.
std::string with_origin(const std::string& json, const std::string& source) {
    std::string escaped;
    for (const char c : source)
        if (c != '"' && c != '\\' && static_cast<unsigned char>(c) >= 0x20) escaped += c;
    return "{\"origin\":\"" + escaped + "\"," + json.substr(1);
}

}  // namespace

struct CollectServer::Impl final : v1::Collector::Service {
    std::string out;
    bool relay = false;
    std::unique_ptr<Collector> file;                       // --out FILE
    std::string file_batch;                                // the lines of one call
    std::map<std::string, std::unique_ptr<Collector>> relays;  // --out URI: one per run id
    std::map<std::string, std::uint64_t> last_seq;         // per source
    CollectServerStats totals;
    mutable std::mutex mutex;
    std::unique_ptr<grpc::Server> server;
    int port = 0;
    bool stopped = false;

    void store_locked(const v1::Record& r) {
        auto& last = last_seq[r.source()];
        if (last == 0) ++totals.sources;
        if (r.seq() != 0 && r.seq() <= last) {
            ++totals.duplicates;
            return;
        }
        if (r.seq() != 0) last = r.seq();
        const bool control = is_control_record(r.json());
        if (control) {
            CollectedRun parse("");
            parse.add({r.json(), r.source(), 0, r.run_id()});
            if (const std::string note = parse.drop_note(); !note.empty()) {
                std::fprintf(stderr, "pss collect: %s (run '%s'): %s\n", r.source().c_str(), r.run_id().c_str(),
                             note.c_str());
                totals.dropped += parse.dropped();
            }
        } else {
            ++totals.records;
        }
        if (relay) {
            auto& c = relays[r.run_id()];
            if (!c) {
                std::string error;
                c = open_collector(out, {r.run_id(), "relay:" + hostname() + ":" + std::to_string(::getpid())}, error);
                if (!c) throw CollectServerError(error);
            }
            c->submit(control ? with_origin(r.json(), r.source()) : r.json());
        } else if (!control) {
            file_batch += r.json();
            file_batch += '\n';
        }
    }

    // One locked write per call for a file: the collector appends the last newline.
    void flush_file_locked() {
        if (file_batch.empty()) return;
        file_batch.pop_back();
        file->submit(std::move(file_batch));
        file_batch.clear();
    }

    grpc::Status Collect(grpc::ServerContext*, grpc::ServerReader<v1::Record>* reader, v1::Ack* ack) override {
        std::vector<v1::Record> batch;
        v1::Record r;
        while (reader->Read(&r)) batch.push_back(r);
        std::lock_guard<std::mutex> lock(mutex);
        if (stopped) return {grpc::StatusCode::UNAVAILABLE, "pss collect is shutting down"};
        try {
            for (const auto& record : batch) store_locked(record);
            if (file) flush_file_locked();
        } catch (const std::exception& e) {
            return {grpc::StatusCode::INTERNAL, e.what()};  // the sender keeps the batch and retries
        }
        ack->set_accepted(batch.size());
        return grpc::Status::OK;
    }
};

CollectServer::CollectServer(const std::string& listen, const std::string& out) : impl_(std::make_unique<Impl>()) {
    Impl& s = *impl_;
    s.out = out;
    const bool is_file = out.rfind("file:", 0) == 0 || out.find("://") == std::string::npos;
    s.relay = !is_file;
    std::string error;
    if (is_file) {
        s.file = open_collector(out.rfind("file:", 0) == 0 ? out : "file:" + out, {}, error);
        if (!s.file) throw CollectServerError(error);
    } else if (auto probe = open_collector(out, {}, error); !probe) {
        throw CollectServerError(error);  // a wrong relay URI fails now, not at the first record
    }
    grpc::ServerBuilder builder;
    builder.AddListeningPort(listen, grpc::InsecureServerCredentials(), &s.port);
    builder.RegisterService(&s);
    builder.SetMaxReceiveMessageSize(64 << 20);
    s.server = builder.BuildAndStart();
    if (!s.server || s.port == 0)
        throw CollectServerError("cannot listen on '" + listen +
                                 "': give HOST:PORT with a free port (127.0.0.1:50051; 0.0.0.0:50051 for other machines)");
}

CollectServer::~CollectServer() { shutdown(5); }

int CollectServer::port() const { return impl_->port; }

void CollectServer::shutdown(double seconds) {
    Impl& s = *impl_;
    if (!s.server) return;
    s.server->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(static_cast<int>(seconds * 1000)));
    s.server.reset();
    std::lock_guard<std::mutex> lock(s.mutex);
    s.stopped = true;
    for (auto& [run, c] : s.relays) {
        c->close(seconds);
        s.totals.relay_dropped += c->stats().dropped;
        const std::string note = drop_summary(c->stats(), c->describe());
        if (!note.empty()) std::fprintf(stderr, "pss collect: relaying run '%s': %s\n", run.c_str(), note.c_str());
    }
    if (s.file) s.file->close(seconds);
}

CollectServerStats CollectServer::stats() const {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    return impl_->totals;
}

}  // namespace pss::collect
