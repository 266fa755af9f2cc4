#include "stream_reader.hpp"

#include <chrono>
#include <fstream>
#include <string_view>
#include <thread>

#include "../redis/redis_connection.hpp"

namespace pss::collect {

namespace {

std::string_view field(const redisReply* fields, std::string_view name) {
    for (std::size_t i = 0; i + 1 < fields->elements; i += 2) {
        const redisReply* k = fields->element[i];
        const redisReply* v = fields->element[i + 1];
        if (k->type == REDIS_REPLY_STRING && std::string_view(k->str, k->len) == name && v->type == REDIS_REPLY_STRING)
            return {v->str, v->len};
    }
    return {};
}

void read_redis(const std::string& uri, CollectedRun& run) {
    RedisUri target;
    std::string error;
    if (!parse_redis_uri(uri, target, error)) throw StreamError("'" + uri + "': " + error);
    const RedisContext c = redis_connect(target, 10000, error);
    if (!c) throw StreamError(error + ". Check the URI and that the server is running.");
    // XRANGE in pages; "(" makes the start exclusive (Redis 6.2 and newer).
    std::string start = "-";
    constexpr const char* page = "10000";
    // A server that has just restarted answers LOADING while it reads its
    // log back: wait for it (a minute at most) rather than fail the merge.
    const auto patience = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    for (;;) {
        const char* argv[] = {"XRANGE", target.stream.c_str(), start.c_str(), "+", "COUNT", page};
        RedisReply r(static_cast<redisReply*>(redisCommandArgv(c.get(), 6, argv, nullptr)));
        if (!r) throw StreamError("Redis at " + target.host + ":" + std::to_string(target.port) + ": " + c->errstr);
        if (r->type == REDIS_REPLY_ERROR && std::string_view(r->str, r->len).rfind("LOADING", 0) == 0 &&
            std::chrono::steady_clock::now() < patience) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            continue;
        }
        if (r->type == REDIS_REPLY_ERROR)
            throw StreamError("Redis refused XRANGE on '" + target.stream + "': " + std::string(r->str, r->len));
        if (r->type != REDIS_REPLY_ARRAY || r->elements == 0) break;
        for (std::size_t i = 0; i < r->elements; ++i) {
            const redisReply* entry = r->element[i];
            if (entry->type != REDIS_REPLY_ARRAY || entry->elements < 2) continue;
            const redisReply* fields = entry->element[1];
            CollectedEntry e;
            e.json = field(fields, "r");
            if (e.json.empty()) continue;  // not written by a pss collector
            e.source = field(fields, "s");
            const std::string_view seq = field(fields, "n");
            e.seq = std::strtoull(std::string(seq).c_str(), nullptr, 10);
            e.run_id = field(fields, "run");
            run.add(e);
        }
        const redisReply* last = r->element[r->elements - 1]->element[0];
        start = "(" + std::string(last->str, last->len);
    }
}

void read_file(const std::string& path, CollectedRun& run) {
    std::ifstream in(path);
    if (!in) throw StreamError("cannot read '" + path + "': check the path (file:PATH or a plain file path)");
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        CollectedEntry e;
        e.json = line;
        e.run_id = run.run_id();  // a file holds one run
        run.add(e);
    }
}

}  // namespace

void read_collected(const std::string& uri, CollectedRun& run) {
    if (uri.rfind("redis://", 0) == 0) return read_redis(uri, run);
    if (uri.rfind("file:", 0) == 0) return read_file(uri.substr(uri.rfind("file://", 0) == 0 ? 7 : 5), run);
    if (uri.find("://") != std::string::npos)
        throw StreamError("cannot read collected records from '" + uri +
                          "': --from takes redis://host:port/N?stream=KEY or a file (a grpc:// collector's records "
                          "are read from the file or stream that pss collect --out writes)");
    return read_file(uri, run);
}

}  // namespace pss::collect
