// pss_collector_grpc.so: records to pss's collector service
// (collector.proto), one client-streaming call per batch with a deadline.
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "collector.grpc.pb.h"
#include "pss/collect/plugin.h"

namespace {

namespace v1 = pss::collector::v1;

struct Handle {
    std::string target, source, run_id;
    std::shared_ptr<grpc::Channel> channel;
    std::unique_ptr<v1::Collector::Stub> stub;
};

void set_error(char* error, std::size_t size, const std::string& text) {
    if (size > 0) std::snprintf(error, size, "%s", text.c_str());
}

void* open_grpc(const pss_collector_info* info, char* error, std::size_t error_size) {
    const std::string uri = info->uri;
    const std::string scheme = "grpc://";
    std::string target = uri.rfind(scheme, 0) == 0 ? uri.substr(scheme.size()) : "";
    if (const auto slash = target.find('/'); slash != std::string::npos) target = target.substr(0, slash);
    if (target.empty() || target.find(':') == std::string::npos) {
        set_error(error, error_size, "expected grpc://host:port");
        return nullptr;
    }
    auto h = std::make_unique<Handle>();
    h->target = target;
    h->source = info->source;
    h->run_id = info->run_id ? info->run_id : "";
    // A restarted server is found again within a second, not gRPC's default two minutes.
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
    args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
    h->channel = grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
    h->stub = v1::Collector::NewStub(h->channel);
    return h.release();
}

std::size_t send_grpc(void* handle, const pss_collector_record* records, std::size_t count, int timeout_ms, char* error,
                      std::size_t error_size) {
    auto* h = static_cast<Handle*>(handle);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(timeout_ms));
    // Wait (within the deadline) for a connection instead of failing at once
    // while the channel is between reconnection attempts: a restarted
    // server is reached as soon as it listens.
    context.set_wait_for_ready(true);
    v1::Ack ack;
    std::unique_ptr<grpc::ClientWriter<v1::Record>> writer = h->stub->Collect(&context, &ack);
    v1::Record record;
    record.set_source(h->source);
    record.set_run_id(h->run_id);
    for (std::size_t i = 0; i < count; ++i) {
        record.set_json(records[i].json, records[i].size);
        record.set_seq(records[i].seq);
        if (!writer->Write(record)) break;  // the call failed: Finish says why
    }
    writer->WritesDone();
    const grpc::Status status = writer->Finish();
    if (!status.ok()) {
        set_error(error, error_size, "gRPC collector at " + h->target + ": " + status.error_message());
        return 0;  // what reached the server is sent again and kept once
    }
    const std::size_t accepted = static_cast<std::size_t>(ack.accepted());
    if (accepted < count) set_error(error, error_size, "gRPC collector at " + h->target + " kept only part of a batch");
    return accepted < count ? accepted : count;
}

void close_grpc(void* handle) { delete static_cast<Handle*>(handle); }

const pss_collector_plugin plugin{PSS_COLLECTOR_ABI_VERSION, "grpc", open_grpc, send_grpc, close_grpc};

}  // namespace

extern "C" __attribute__((visibility("default"))) const pss_collector_plugin* pss_collector_plugin_v1(void) {
    return &plugin;
}
