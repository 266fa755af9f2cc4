#include "http_post.hpp"

#include <curl/curl.h>

#include <chrono>
#include <thread>

#include <fmt/format.h>

#include "pss/text/format.hpp"
#include "shared_library.hpp"

namespace pss::ci {

namespace {

// libcurl's functions, bound when the first request is sent (libcurl is not
// linked: shared_library.hpp). Each pointer has the name of the function it
// stands for, so the code below reads as plain libcurl.
decltype(&::curl_global_init) curl_global_init = nullptr;
decltype(&::curl_easy_init) curl_easy_init = nullptr;
decltype(&::curl_easy_setopt) curl_easy_setopt = nullptr;
decltype(&::curl_easy_perform) curl_easy_perform = nullptr;
decltype(&::curl_easy_getinfo) curl_easy_getinfo = nullptr;
decltype(&::curl_easy_strerror) curl_easy_strerror = nullptr;
decltype(&::curl_easy_cleanup) curl_easy_cleanup = nullptr;
decltype(&::curl_slist_append) curl_slist_append = nullptr;
decltype(&::curl_slist_free_all) curl_slist_free_all = nullptr;

// Loads and starts libcurl once; "" when it is there, else what to install.
const std::string& load_curl() {
    static const std::string error = [] {
        static SharedLibrary curl({"libcurl.so.4", "libcurl-gnutls.so.4", "libcurl.so"}, "libcurl4");
        const bool bound = curl.bind(curl_global_init, "curl_global_init") &&
                           curl.bind(curl_easy_init, "curl_easy_init") &&
                           curl.bind(curl_easy_setopt, "curl_easy_setopt") &&
                           curl.bind(curl_easy_perform, "curl_easy_perform") &&
                           curl.bind(curl_easy_getinfo, "curl_easy_getinfo") &&
                           curl.bind(curl_easy_strerror, "curl_easy_strerror") &&
                           curl.bind(curl_easy_cleanup, "curl_easy_cleanup") &&
                           curl.bind(curl_slist_append, "curl_slist_append") &&
                           curl.bind(curl_slist_free_all, "curl_slist_free_all");
        if (!bound) return curl.error();
        curl_global_init(CURL_GLOBAL_DEFAULT);
        return std::string();
    }();
    return error;
}

// Keeps the start of the answer, for the error message.
std::size_t keep_start(char* data, std::size_t size, std::size_t count, void* user) {
    auto* answer = static_cast<std::string*>(user);
    const std::size_t n = size * count;
    if (answer->size() < 200) answer->append(data, std::min(n, 200 - answer->size()));
    return n;
}

struct CurlHandle {
    CURL* curl = curl_easy_init();
    curl_slist* headers = nullptr;
    ~CurlHandle() {
        curl_slist_free_all(headers);
        curl_easy_cleanup(curl);
    }
};

bool worth_retrying(long status) { return status == 0 || status == 429 || status >= 500; }

// libcurl's progress callback: a non-zero return aborts the transfer.
int abort_when_cancelled(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    const auto* policy = static_cast<const HttpPolicy*>(user);
    return policy->cancelled && policy->cancelled() ? 1 : 0;
}

double seconds_left(const HttpPolicy& policy) {
    if (policy.deadline == std::chrono::steady_clock::time_point::max()) return 1e9;
    return std::chrono::duration<double>(policy.deadline - std::chrono::steady_clock::now()).count();
}

// Sleeps `seconds` in short steps, returning early when cancelled.
void wait(double seconds, const HttpPolicy& policy) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < until && !(policy.cancelled && policy.cancelled()))
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

}  // namespace

HttpOutcome post_json(const std::string& url, const std::string& body, const HttpPolicy& policy) {
    return send_http("POST", url, body, "application/json", policy);
}

HttpOutcome send_http(const std::string& method, const std::string& url, const std::string& body,
                      const std::string& content_type, const HttpPolicy& policy) {
    HttpOutcome out;
    if (const std::string& missing = load_curl(); !missing.empty()) {
        out.error = "cannot send: " + missing;
        return out;
    }
    double backoff = policy.backoff_seconds;
    for (int attempt = 1; attempt <= std::max(1, policy.attempts); ++attempt) {
        if (attempt > 1) {
            if (seconds_left(policy) <= backoff) break;
            wait(backoff, policy);
            backoff *= 2;
        }
        if (policy.cancelled && policy.cancelled()) {
            out.error = "interrupted";
            return out;
        }
        const double left = seconds_left(policy);
        if (left <= 0.001) {
            if (out.error.empty()) out.error = "no time left for the alerts";
            return out;
        }
        out.attempts = attempt;
        CurlHandle h;
        if (!h.curl) {
            out.error = "libcurl could not start";
            return out;
        }
        std::string answer;
        const auto timeout_ms = std::max(1L, static_cast<long>(std::min(policy.timeout_seconds, left) * 1000));
        h.headers = curl_slist_append(h.headers, ("Content-Type: " + content_type).c_str());
        curl_easy_setopt(h.curl, CURLOPT_URL, url.c_str());
        curl_easy_setopt(h.curl, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(h.curl, CURLOPT_FOLLOWLOCATION, 0L);
        curl_easy_setopt(h.curl, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h.curl, CURLOPT_TIMEOUT_MS, timeout_ms);
        curl_easy_setopt(h.curl, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
        curl_easy_setopt(h.curl, CURLOPT_HTTPHEADER, h.headers);
        curl_easy_setopt(h.curl, CURLOPT_POSTFIELDS, body.data());
        curl_easy_setopt(h.curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
        if (method != "POST") curl_easy_setopt(h.curl, CURLOPT_CUSTOMREQUEST, method.c_str());
        curl_easy_setopt(h.curl, CURLOPT_USERAGENT, "pss-alerts");
        curl_easy_setopt(h.curl, CURLOPT_WRITEFUNCTION, keep_start);
        curl_easy_setopt(h.curl, CURLOPT_WRITEDATA, &answer);
        curl_easy_setopt(h.curl, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(h.curl, CURLOPT_XFERINFOFUNCTION, abort_when_cancelled);
        curl_easy_setopt(h.curl, CURLOPT_XFERINFODATA, &policy);
        const CURLcode rc = curl_easy_perform(h.curl);
        out.status = 0;
        if (rc == CURLE_ABORTED_BY_CALLBACK) {
            out.error = "interrupted";
            return out;
        }
        if (rc != CURLE_OK) {
            out.error = curl_easy_strerror(rc);
            continue;
        }
        curl_easy_getinfo(h.curl, CURLINFO_RESPONSE_CODE, &out.status);
        if (out.status >= 200 && out.status < 300) {
            out.delivered = true;
            out.error.clear();
            return out;
        }
        while (!answer.empty() && (answer.back() == '\n' || answer.back() == '\r')) answer.pop_back();
        // The answer is the server's text: control characters (ESC, OSC
        // sequences) are shown escaped, never sent to the terminal.
        out.error = fmt::format("HTTP {}{}", out.status, answer.empty() ? "" : ": " + text::display_text(answer));
        if (!worth_retrying(out.status)) return out;
    }
    return out;
}

std::string redact_url(const std::string& url) {
    const auto scheme = url.find("://");
    if (scheme == std::string::npos) return "…";
    const auto path = std::min(url.find_first_of("/?#", scheme + 3), url.size());
    std::string authority = url.substr(scheme + 3, path - scheme - 3);
    if (const auto at = authority.rfind('@'); at != std::string::npos) authority.erase(0, at + 1);  // user:password@
    const bool more = path + 1 < url.size();
    return url.substr(0, scheme + 3) + authority + (more ? "/…" : "");
}

}  // namespace pss::ci
