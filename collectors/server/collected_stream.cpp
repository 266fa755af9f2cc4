#include "collected_stream.hpp"

#include <nlohmann/json.hpp>

namespace pss::collect {

namespace {

std::string with_thousands(std::uint64_t n) {
    std::string digits = std::to_string(n), out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

}  // namespace

bool is_control_record(std::string_view json) { return json.rfind("{\"pss_control\"", 0) == 0; }

bool CollectedRun::add(const CollectedEntry& e) {
    ++runs_seen_[std::string(e.run_id)];
    if (!run_id_.empty() && e.run_id != run_id_) {
        ++other_runs_;
        return false;
    }
    Source& source = sources_[std::string(e.source)];
    if (e.seq != 0) {
        if (e.seq <= source.last_seq) {
            ++duplicates_;
            return false;
        }
        source.last_seq = e.seq;
    }
    if (is_control_record(e.json)) {
        const auto j = nlohmann::json::parse(e.json, nullptr, false);
        if (j.is_object()) {
            const std::uint64_t dropped = j.value("dropped", std::uint64_t{0});
            if (dropped >= source.dropped) {
                source.dropped = dropped;
                source.reason = j.value("reason", std::string());
            }
            if (j.value("pss_control", std::string()) == "end") source.ended = true;
        }
        return true;
    }
    ndjson_.append(e.json);
    ndjson_ += '\n';
    ++records_;
    return true;
}

std::uint64_t CollectedRun::dropped() const {
    std::uint64_t n = 0;
    for (const auto& [name, s] : sources_) n += s.dropped;
    return n;
}

std::string CollectedRun::drop_note() const {
    const std::uint64_t n = dropped();
    if (n == 0) return {};
    std::string reason;
    std::size_t processes = 0;
    for (const auto& [name, s] : sources_)
        if (s.dropped > 0) {
            ++processes;
            if (reason.empty()) reason = s.reason;
        }
    return with_thousands(n) + (n == 1 ? " record" : " records") + " dropped: " +
           (reason.empty() ? std::string("no reason given") : reason) +
           (processes > 1 ? " (and " + std::to_string(processes - 1) + " more processes)" : "") +
           "; the results lack them";
}

}  // namespace pss::collect
