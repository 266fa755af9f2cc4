// redis://[user:password@]host[:port][/db][?stream=KEY&maxlen=N]: what the
// Redis collector plugin and the stream reader (pss merge --from) both parse.
#pragma once

#include <cstdlib>
#include <string>

namespace pss::collect {

struct RedisUri {
    std::string host = "127.0.0.1";
    int port = 6379;
    int db = 0;
    std::string user, password;
    std::string stream = "pss:records";
    long long maxlen = 0;  // XADD MAXLEN ~ N when > 0: Redis keeps about the last N entries
};

// False with `error` set when the URI is not a redis:// URI pss understands.
inline bool parse_redis_uri(const std::string& uri, RedisUri& out, std::string& error) {
    const std::string scheme = "redis://";
    if (uri.rfind(scheme, 0) != 0) {
        error = "not a redis:// URI";
        return false;
    }
    std::string rest = uri.substr(scheme.size());
    std::string query;
    if (const auto q = rest.find('?'); q != std::string::npos) {
        query = rest.substr(q + 1);
        rest = rest.substr(0, q);
    }
    std::string path;
    if (const auto slash = rest.find('/'); slash != std::string::npos) {
        path = rest.substr(slash + 1);
        rest = rest.substr(0, slash);
    }
    if (const auto at = rest.rfind('@'); at != std::string::npos) {
        const std::string credentials = rest.substr(0, at);
        rest = rest.substr(at + 1);
        const auto colon = credentials.find(':');
        if (colon == std::string::npos) {
            out.password = credentials;
        } else {
            out.user = credentials.substr(0, colon);
            out.password = credentials.substr(colon + 1);
        }
    }
    if (const auto colon = rest.rfind(':'); colon != std::string::npos) {
        char* end = nullptr;
        const long port = std::strtol(rest.c_str() + colon + 1, &end, 10);
        if (*end != '\0' || port <= 0 || port > 65535) {
            error = "the port in '" + rest + "' is not a number from 1 to 65535";
            return false;
        }
        out.port = static_cast<int>(port);
        rest = rest.substr(0, colon);
    }
    if (!rest.empty()) out.host = rest;
    if (!path.empty()) {
        char* end = nullptr;
        const long db = std::strtol(path.c_str(), &end, 10);
        if (*end != '\0' || db < 0) {
            error = "the database '/" + path + "' is not a number (redis://host:port/0)";
            return false;
        }
        out.db = static_cast<int>(db);
    }
    std::size_t start = 0;
    while (start < query.size()) {
        const auto amp = query.find('&', start);
        const std::string pair = query.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
        start = amp == std::string::npos ? query.size() : amp + 1;
        const auto eq = pair.find('=');
        const std::string key = pair.substr(0, eq), value = eq == std::string::npos ? "" : pair.substr(eq + 1);
        if (key == "stream" && !value.empty()) {
            out.stream = value;
        } else if (key == "maxlen") {
            out.maxlen = std::strtoll(value.c_str(), nullptr, 10);
        } else if (!key.empty()) {
            error = "unknown parameter '" + key + "' (known: stream, maxlen)";
            return false;
        }
    }
    return true;
}

}  // namespace pss::collect
