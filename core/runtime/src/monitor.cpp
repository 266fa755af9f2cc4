// PSS_MONITOR / PSS_BRANCH out-of-line parts: per-thread block tables that
// aggregate every finished scope by (call site, test run), and the public
// helpers of <pss/pss.hpp>.
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <utility>

#include "monitor_internal.hpp"
#include "spin_lock.hpp"
#include "pss/pss.hpp"
#include "pss/runtime/session.hpp"

namespace pss {

namespace detail {

std::atomic<int> g_monitor_state{monitor_unknown};
std::atomic<std::uint64_t> g_test_generation{0};
std::atomic<bool> g_blocks_seen{false};

bool monitor_state_slow() noexcept {
    try {
        runtime::Session::instance();  // its configuration sets g_monitor_state
    } catch (...) {
        g_monitor_state.store(monitor_off, std::memory_order_relaxed);
    }
    return g_monitor_state.load(std::memory_order_relaxed) == monitor_on;
}

namespace {

// One thread's totals. The owner takes `busy` for a few nanoseconds per
// finished scope; the session takes it when a test ends. Uncontended except
// at that moment, so a spin lock is cheaper than a mutex here.
struct BlockTable {
    detail::SpinLock busy;
    std::vector<BlockTotals> entries;
    std::size_t last_hit = 0;
    BlockTable* prev = nullptr;
    BlockTable* next = nullptr;
};

std::mutex g_tables_mutex;              // guards the table list and g_orphans
BlockTable* g_tables = nullptr;
std::vector<BlockTotals> g_orphans;     // totals of exited threads

enum TableState : int { table_none = 0, table_live = 1, table_gone = 2 };
thread_local BlockTable* tls_table = nullptr;
thread_local int tls_table_state = table_none;

void add_to(std::vector<BlockTotals>& entries, std::size_t& last_hit, const BlockTotals& add) {
    if (last_hit < entries.size()) {
        BlockTotals& e = entries[last_hit];
        if (e.site == add.site && e.generation == add.generation) {
            e.calls += add.calls;
            e.errors += add.errors;
            e.total_ns += add.total_ns;
            return;
        }
    }
    for (std::size_t i = 0; i < entries.size(); ++i) {
        BlockTotals& e = entries[i];
        if (e.site == add.site && e.generation == add.generation) {
            e.calls += add.calls;
            e.errors += add.errors;
            e.total_ns += add.total_ns;
            last_hit = i;
            return;
        }
    }
    entries.push_back(add);
    last_hit = entries.size() - 1;
}

// Moves the thread's totals to g_orphans when the thread exits.
struct TableOwner {
    ~TableOwner() {
        if (tls_table == nullptr) return;
        std::lock_guard lock(g_tables_mutex);
        BlockTable* t = tls_table;
        {
            std::lock_guard guard(t->busy);
            std::size_t ignored = 0;
            for (const BlockTotals& e : t->entries) add_to(g_orphans, ignored, e);
        }
        if (t->prev != nullptr) t->prev->next = t->next;
        else g_tables = t->next;
        if (t->next != nullptr) t->next->prev = t->prev;
        delete t;
        tls_table = nullptr;
        tls_table_state = table_gone;
    }
    bool armed = false;
};
thread_local TableOwner tls_table_owner;

BlockTable* create_table() {
    auto table = std::make_unique<BlockTable>();
    table->entries.reserve(8);
    tls_table_owner.armed = true;  // registers the thread-exit destructor
    g_blocks_seen.store(true, std::memory_order_release);
    std::lock_guard lock(g_tables_mutex);
    table->next = g_tables;
    if (g_tables != nullptr) g_tables->prev = table.get();
    g_tables = table.get();
    tls_table_state = table_live;
    return tls_table = table.release();
}

struct InternedSite {
    std::string name;
    BlockSite site{};
};

}  // namespace

void finish_block(const BlockSite& site, std::uint64_t generation, std::int64_t start_ns,
                  bool failed) noexcept {
    const std::int64_t end_ns = steady_ns();
    const BlockTotals add{&site, generation, 1, failed ? 1 : 0, end_ns - start_ns, start_ns};
    try {
        BlockTable* table = tls_table;
        if (__builtin_expect(table == nullptr, 0)) {
            if (tls_table_state == table_gone) {  // thread-exit destructors: no table any more
                g_blocks_seen.store(true, std::memory_order_release);
                std::lock_guard lock(g_tables_mutex);
                std::size_t ignored = 0;
                add_to(g_orphans, ignored, add);
                return;
            }
            table = create_table();
        }
        std::lock_guard guard(table->busy);
        add_to(table->entries, table->last_hit, add);
    } catch (...) {
        // Out of memory while recording: the sample is lost, the test goes on.
    }
}

const BlockSite* intern_block_site(std::string_view name, const char* file, int line) noexcept {
    static std::mutex mutex;
    static auto* sites = new std::map<std::tuple<std::string, const char*, int>, std::unique_ptr<InternedSite>>();
    try {
        std::lock_guard lock(mutex);
        auto key = std::make_tuple(std::string(name), file, line);
        auto it = sites->find(key);
        if (it == sites->end()) {
            auto interned = std::make_unique<InternedSite>();
            interned->name = std::get<0>(key);
            it = sites->emplace(std::move(key), std::move(interned)).first;
            InternedSite& s = *it->second;
            s.site = BlockSite{s.name.c_str(), file, line};
        }
        return &it->second->site;
    } catch (...) {
        return nullptr;  // not monitored
    }
}

void record_branch(std::string_view tag, std::uint64_t generation) noexcept {
    try {
        runtime::Session::instance().add_branch(tag, generation);
    } catch (...) {
    }
}

std::vector<BlockTotals> take_blocks(std::uint64_t generation) {
    std::vector<BlockTotals> taken;
    if (!any_blocks()) return taken;  // the common case: no blocks at all
    auto sift = [&](std::vector<BlockTotals>& entries) {
        std::size_t kept = 0;
        for (std::size_t i = 0; i < entries.size(); ++i) {
            if (entries[i].generation == generation) taken.push_back(entries[i]);
            else if (entries[i].generation == 0) entries[kept++] = entries[i];
        }
        entries.resize(kept);
    };
    std::lock_guard lock(g_tables_mutex);
    for (BlockTable* t = g_tables; t != nullptr; t = t->next) {
        std::lock_guard guard(t->busy);
        sift(t->entries);
        t->last_hit = 0;
    }
    sift(g_orphans);
    // The same site may appear once per thread: merge, keeping first-seen order.
    std::vector<BlockTotals> merged;
    std::size_t last_hit = 0;
    for (const BlockTotals& e : taken) {
        std::size_t before = merged.size();
        add_to(merged, last_hit, e);
        if (merged.size() == before && e.first_start_ns < merged[last_hit].first_start_ns)
            merged[last_hit].first_start_ns = e.first_start_ns;
    }
    return merged;
}

}  // namespace detail

std::int64_t run_index() noexcept {
    try {
        return runtime::Session::instance().run_index();
    } catch (...) {
        return 0;
    }
}

bool tracing_active() noexcept { return detail::monitoring(); }

void branch(std::string_view tag) {
    const std::uint64_t generation = detail::g_test_generation.load(std::memory_order_relaxed);
    if (generation == 0) return;
    detail::record_branch(tag, generation);
}

}  // namespace pss
