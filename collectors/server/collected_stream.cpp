#include "collected_stream.hpp"

#include <algorithm>
#include <vector>

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

bool is_control_record(std::string_view json) {
    if (json.rfind("{\"pss_control\"", 0) == 0) return true;
    // Relayed by pss collect: {"origin":"<sender>","pss_control":...}
    if (json.rfind("{\"origin\":\"", 0) != 0) return false;
    const auto end = json.find('"', 11);
    return end != std::string_view::npos && json.substr(end + 1).rfind(",\"pss_control\"", 0) == 0;
}

bool CollectedRun::add(const CollectedEntry& e) {
    ++runs_seen_[std::string(e.run_id)];
    if (!run_id_.empty() && e.run_id != run_id_) {
        ++other_runs_;
        return false;
    }
    const bool control = is_control_record(e.json);
    if (e.seq != 0) {
        // A record delivered twice is kept once, whatever the order the copies came in.
        auto [it, fresh] = sources_.try_emplace(std::string(e.source));
        if (fresh) it->second.order = sources_.size();
        Source& source = it->second;
        if (control ? !source.controls.insert(e.seq).second : source.records.count(e.seq) > 0) {
            ++duplicates_;
            return false;
        }
        if (!control) {
            source.records.emplace(e.seq, std::string(e.json));
            ++records_;
            return true;
        }
    }
    if (control) {
        const auto j = nlohmann::json::parse(e.json, nullptr, false);
        if (j.is_object() && j.contains("pss_control")) {
            Drops& d = drops_[j.value("origin", std::string(e.source))];
            const std::uint64_t dropped = j.value("dropped", std::uint64_t{0});
            if (dropped >= d.dropped) {
                d.dropped = dropped;
                d.reason = j.value("reason", std::string());
            }
        }
        return true;
    }
    unnumbered_.append(e.json);
    unnumbered_ += '\n';
    ++records_;
    return true;
}

std::string CollectedRun::ndjson() const {
    std::vector<const Source*> ordered;
    for (const auto& [name, source] : sources_) ordered.push_back(&source);
    std::sort(ordered.begin(), ordered.end(), [](const Source* a, const Source* b) { return a->order < b->order; });
    std::string out = unnumbered_;
    for (const Source* source : ordered)
        for (const auto& [seq, json] : source->records) {
            out += json;
            out += '\n';
        }
    return out;
}

std::uint64_t CollectedRun::dropped() const {
    std::uint64_t n = 0;
    for (const auto& [name, d] : drops_) n += d.dropped;
    return n;
}

std::string CollectedRun::drop_note() const {
    const std::uint64_t n = dropped();
    if (n == 0) return {};
    std::string reason;
    std::size_t processes = 0;
    for (const auto& [name, d] : drops_)
        if (d.dropped > 0) {
            ++processes;
            if (reason.empty()) reason = d.reason;
        }
    return with_thousands(n) + (n == 1 ? " record" : " records") + " dropped: " +
           (reason.empty() ? std::string("no reason given") : reason) +
           (processes > 1 ? " (and " + std::to_string(processes - 1) + " more processes)" : "") +
           "; the results lack them";
}

}  // namespace pss::collect
