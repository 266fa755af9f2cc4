// A hiredis connection set up from a RedisUri: connect with a timeout, AUTH,
// SELECT. Shared by the collector plugin and the stream reader.
#pragma once

#include <hiredis/hiredis.h>

#include <memory>
#include <string>

#include "redis_uri.hpp"

namespace pss::collect {

struct RedisContextDeleter {
    void operator()(redisContext* c) const { redisFree(c); }
};
using RedisContext = std::unique_ptr<redisContext, RedisContextDeleter>;

struct RedisReplyDeleter {
    void operator()(redisReply* r) const { freeReplyObject(r); }
};
using RedisReply = std::unique_ptr<redisReply, RedisReplyDeleter>;

inline timeval redis_timeval(int ms) { return {ms / 1000, (ms % 1000) * 1000}; }

// Null with `error` when the server cannot be reached or refuses us.
inline RedisContext redis_connect(const RedisUri& uri, int timeout_ms, std::string& error) {
    RedisContext c(redisConnectWithTimeout(uri.host.c_str(), uri.port, redis_timeval(timeout_ms)));
    const std::string where = uri.host + ":" + std::to_string(uri.port);
    if (!c || c->err) {
        error = "cannot connect to Redis at " + where + ": " + (c ? c->errstr : "out of memory");
        return nullptr;
    }
    redisSetTimeout(c.get(), redis_timeval(timeout_ms));
    redisEnableKeepAlive(c.get());
    auto command = [&](const char* const* argv, int argc) -> bool {
        RedisReply r(static_cast<redisReply*>(redisCommandArgv(c.get(), argc, const_cast<const char**>(argv), nullptr)));
        if (!r) {
            error = "Redis at " + where + ": " + c->errstr;
            return false;
        }
        if (r->type == REDIS_REPLY_ERROR) {
            error = "Redis at " + where + ": " + std::string(r->str, r->len);
            return false;
        }
        return true;
    };
    if (!uri.password.empty()) {
        const char* with_user[] = {"AUTH", uri.user.c_str(), uri.password.c_str()};
        const char* without[] = {"AUTH", uri.password.c_str()};
        if (!(uri.user.empty() ? command(without, 2) : command(with_user, 3))) return nullptr;
    }
    if (uri.db != 0) {
        const std::string db = std::to_string(uri.db);
        const char* select[] = {"SELECT", db.c_str()};
        if (!command(select, 2)) return nullptr;
    }
    return c;
}

}  // namespace pss::collect
