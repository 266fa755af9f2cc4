// pss collect's options, shared by pss (which checks them and shows the
// help) and pss-collect (the gRPC server pss collect runs).
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace pss::cli {

struct CollectServerOptions {
    std::string listen = "127.0.0.1:50051";
    std::string out;
};

inline void add_collect_options(CLI::App& cmd, CollectServerOptions& opt) {
    cmd.add_option("--listen", opt.listen,
                   "HOST:PORT to listen on (default 127.0.0.1:50051; 0.0.0.0:PORT takes other machines' records; "
                   "port 0 picks a free one)");
    cmd.add_option("--out", opt.out,
                   "Where records go: a file (NDJSON, for pss merge / pss analyze), or a collector URI to relay to "
                   "(redis://host:port/N?stream=KEY, grpc://...)")
        ->required();
}

// Replaces this process with pss-collect serving `opt`; throws CommandError
// when that program cannot be run.
int exec_collect_server(const CollectServerOptions& opt);

}  // namespace pss::cli
