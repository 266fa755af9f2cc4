// Pushing a run's results to a Prometheus Pushgateway (pss/ci/prometheus.hpp).
#include <fmt/format.h>

#include "../http_post.hpp"
#include "pss/ci/prometheus.hpp"

namespace pss::ci {

namespace {

// Base64url without padding, for a grouping label value in the URL path
// (`branch@base64/...`): any branch name, slashes included, stays one segment.
std::string base64url(const std::string& in) {
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        const unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                           static_cast<unsigned char>(in[i + 2]);
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
        out += alphabet[v & 63];
    }
    if (i + 1 == in.size()) {
        const unsigned v = static_cast<unsigned char>(in[i]) << 16;
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
    } else if (i + 2 == in.size()) {
        const unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
    }
    return out;
}

}  // namespace

void push_to_gateway(const std::string& host_port, const StoredRun& run, const std::vector<StoredTest>& tests,
                     const ExpositionLimits& limits, double timeout_seconds) {
    if (host_port.empty())
        throw HistoryError("storage_backend is \"prometheus\" but storage_uri is empty: give the Pushgateway as "
                           "host:port (for example localhost:9091)");
    std::string base = host_port;
    if (base.find("://") == std::string::npos) base = "http://" + base;
    while (!base.empty() && base.back() == '/') base.pop_back();
    // The branch label as the series carry it, so the group and the samples agree.
    StoredRun named = run;
    if (named.context.branch.empty()) named.context.branch = "none";
    const std::string url = fmt::format("{}/metrics/job/pss/branch@base64/{}", base, base64url(named.context.branch));
    HttpPolicy policy;
    policy.timeout_seconds = timeout_seconds;
    const HttpOutcome sent = send_http("PUT", url, prometheus_text(named, tests, limits),
                                       "text/plain; version=0.0.4", policy);
    if (!sent.delivered)
        throw HistoryError(fmt::format("could not push the results to the Pushgateway at {}: {}. Check storage_uri "
                                       "(host:port of a running prometheus-pushgateway).",
                                       base, sent.error));
}

}  // namespace pss::ci
