// pss_collector_redis.so: records into a Redis Stream, one XADD per record,
// a batch pipelined in one round trip. Each entry has the fields
//   r  the record (a JSON line)   s  its source   n  its sequence number   run  the run id
// so that a reader can pick one run and drop a record a retried batch
// delivered twice (pss merge --from redis://...).
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "pss/collect/plugin.h"
#include "redis_connection.hpp"

namespace {

using namespace pss::collect;

struct Handle {
    RedisUri uri;
    std::string source, run_id;
    RedisContext connection;
};

void set_error(char* error, std::size_t size, const std::string& text) {
    if (size > 0) std::snprintf(error, size, "%s", text.c_str());
}

void* open_redis(const pss_collector_info* info, char* error, std::size_t error_size) {
    auto h = std::make_unique<Handle>();
    std::string why;
    if (!parse_redis_uri(info->uri, h->uri, why)) {
        set_error(error, error_size, why);
        return nullptr;
    }
    h->source = info->source;
    h->run_id = info->run_id ? info->run_id : "";
    return h.release();  // connects on the first send, off the caller's thread
}

std::size_t send_redis(void* handle, const pss_collector_record* records, std::size_t count, int timeout_ms,
                       char* error, std::size_t error_size) {
    auto* h = static_cast<Handle*>(handle);
    std::string why;
    if (!h->connection) {
        h->connection = redis_connect(h->uri, timeout_ms, why);
        if (!h->connection) {
            set_error(error, error_size, why);
            return 0;
        }
    }
    redisSetTimeout(h->connection.get(), redis_timeval(timeout_ms));
    const std::string maxlen = std::to_string(h->uri.maxlen);
    for (std::size_t i = 0; i < count; ++i) {
        const std::string seq = std::to_string(records[i].seq);
        std::vector<const char*> argv{"XADD", h->uri.stream.c_str()};
        std::vector<std::size_t> lengths{4, h->uri.stream.size()};
        if (h->uri.maxlen > 0) {
            argv.insert(argv.end(), {"MAXLEN", "~", maxlen.c_str()});
            lengths.insert(lengths.end(), {6, 1, maxlen.size()});
        }
        argv.insert(argv.end(), {"*", "r", records[i].json, "s", h->source.c_str(), "n", seq.c_str(), "run",
                                 h->run_id.c_str()});
        lengths.insert(lengths.end(), {1, 1, records[i].size, 1, h->source.size(), 1, seq.size(), 3,
                                       h->run_id.size()});
        redisAppendCommandArgv(h->connection.get(), static_cast<int>(argv.size()), argv.data(), lengths.data());
    }
    // The replies say how far the batch got; the rest is sent again later.
    std::size_t delivered = 0;
    bool counting = true;
    for (std::size_t i = 0; i < count; ++i) {
        void* raw = nullptr;
        if (redisGetReply(h->connection.get(), &raw) != REDIS_OK) {
            why = std::string("Redis at ") + h->uri.host + ":" + std::to_string(h->uri.port) + ": " +
                  (h->connection->errstr[0] ? h->connection->errstr : "connection lost");
            h->connection.reset();  // a new connection on the next send
            set_error(error, error_size, why);
            return delivered;
        }
        RedisReply reply(static_cast<redisReply*>(raw));
        // XADD answers with the new entry's id; anything else (an error such
        // as -LOADING while a restarted server reads its log, or whatever
        // answers on that port) means the record was not stored.
        if (reply->type != REDIS_REPLY_STRING) {
            if (counting)
                set_error(error, error_size,
                          reply->type == REDIS_REPLY_ERROR ? "Redis refused XADD: " + std::string(reply->str, reply->len)
                                                           : std::string("unexpected answer to XADD"));
            counting = false;
        } else if (counting) {
            ++delivered;
        }
    }
    return delivered;
}

void close_redis(void* handle) { delete static_cast<Handle*>(handle); }

const pss_collector_plugin plugin{PSS_COLLECTOR_ABI_VERSION, "redis", open_redis, send_redis, close_redis};

}  // namespace

extern "C" __attribute__((visibility("default"))) const pss_collector_plugin* pss_collector_plugin_v1(void) {
    return &plugin;
}
