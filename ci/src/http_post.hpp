// A JSON POST over libcurl, with a timeout and retries, for alert channels.
#pragma once

#include <chrono>
#include <functional>
#include <string>

namespace pss::ci {

struct HttpPolicy {
    double timeout_seconds = 10;  // per attempt, connecting included
    int attempts = 3;
    double backoff_seconds = 0.5;  // before the 2nd attempt; doubles after each
    // No attempt, wait or transfer goes past this (all alerts of a run share one).
    std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
    // Checked while waiting and transferring: true ends the post at once (SIGTERM).
    std::function<bool()> cancelled;
};

struct HttpOutcome {
    bool delivered = false;  // a 2xx answer
    long status = 0;         // the last HTTP status, 0 when none came
    int attempts = 0;
    std::string error;  // why not delivered: curl's reason, or the status and the start of the answer
};

// Retries on connection errors, timeouts, 429 and 5xx; a 4xx other than 429
// will not change, so it is not retried. Only http and https; no redirects.
HttpOutcome post_json(const std::string& url, const std::string& body, const HttpPolicy& policy);
// The same with another method ("PUT", "POST", "DELETE") and content type.
HttpOutcome send_http(const std::string& method, const std::string& url, const std::string& body,
                      const std::string& content_type, const HttpPolicy& policy);

// The URL without its path and query, which for webhooks hold the secret:
// "https://hooks.slack.com/services/T0/B0/xyz" -> "https://hooks.slack.com/…".
std::string redact_url(const std::string& url);

}  // namespace pss::ci
