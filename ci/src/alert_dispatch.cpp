#include "pss/ci/alert_dispatch.hpp"

#include <algorithm>
#include <chrono>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "http_post.hpp"

namespace pss::ci {

namespace {

std::string duration_text(double seconds) {
    if (seconds < 120) return fmt::format("{:.0f} s", seconds);
    if (seconds < 7200) return fmt::format("{:.0f} min", seconds / 60);
    return fmt::format("{:.1f} h", seconds / 3600);
}

}  // namespace

std::string alert_key(const Alert& alert, const AlertOrigin& origin) { return alert.rule + "@" + origin.branch; }

AlertDispatch dispatch_alerts(const std::vector<Alert>& alerts, const AlertOrigin& origin,
                              const std::vector<std::unique_ptr<AlertChannel>>& channels, const AlertConfig& config,
                              HistoryStore* cooldowns, double now, std::function<bool()> cancelled) {
    AlertDispatch out;
    std::vector<Alert> to_send;
    std::vector<std::optional<double>> previous;
    for (const auto& a : alerts) {
        if (!cooldowns) {
            to_send.push_back(a);
            previous.emplace_back();
            continue;
        }
        const auto claim = cooldowns->claim_alert(alert_key(a, origin), now, config.cooldown_seconds);
        if (claim.granted) {
            to_send.push_back(a);
            previous.push_back(claim.previous);
        } else {
            out.suppressed.push_back(a);
            out.suppressed_why.push_back(fmt::format("sent {} ago (cooldown {})", duration_text(now - *claim.previous),
                                                     duration_text(config.cooldown_seconds)));
        }
    }
    if (to_send.empty()) return out;

    // Per alert: did any channel deliver it? A channel sends one request per
    // alert, or one for all of them.
    std::vector<bool> reached(to_send.size(), false);
    HttpPolicy policy;
    policy.timeout_seconds = config.timeout_seconds;
    policy.attempts = static_cast<int>(config.retries);
    const int attempts = std::max(1, static_cast<int>(config.retries));
    const double budget = config.timeout_seconds * attempts + policy.backoff_seconds * ((1 << std::min(attempts - 1, 20)) - 1);
    policy.deadline = std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                                              std::chrono::duration<double>(budget));
    policy.cancelled = std::move(cancelled);
    // The channels send side by side: a dead one does not hold back the others.
    std::mutex mu;
    out.channels.resize(channels.size());
    std::vector<std::thread> senders;
    for (std::size_t c = 0; c < channels.size(); ++c) {
        senders.emplace_back([&, c] {
            const auto& channel = channels[c];
            ChannelDelivery d;
            d.channel = std::string(channel->name());
            const auto requests = channel->requests(to_send, origin);
            d.requests = requests.size();
            if (!requests.empty()) d.address = redact_url(requests.front().url);
            const bool one_per_alert = requests.size() == to_send.size();
            for (std::size_t i = 0; i < requests.size(); ++i) {
                if (!d.error.empty()) break;  // it failed: the next alerts would wait for the same
                const HttpOutcome r = post_json(requests[i].url, requests[i].body, policy);
                if (r.delivered) {
                    ++d.delivered;
                    std::lock_guard lock(mu);
                    if (one_per_alert) reached[i] = true;
                    else reached.assign(reached.size(), true);
                } else {
                    d.error = fmt::format("{} (after {} attempt{})", r.error, r.attempts, r.attempts == 1 ? "" : "s");
                }
            }
            out.channels[c] = std::move(d);
        });
    }
    for (auto& t : senders) t.join();
    for (std::size_t i = 0; i < to_send.size(); ++i) {
        if (reached[i]) {
            out.sent.push_back(to_send[i]);
            continue;
        }
        out.undelivered.push_back(to_send[i]);
        if (cooldowns) cooldowns->release_alert(alert_key(to_send[i], origin), previous[i]);
    }
    return out;
}

}  // namespace pss::ci
