// The monitoring session: measures each test run and writes its records.
#include "pss/runtime/session.hpp"

#include <cxxabi.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#if defined(__x86_64__)
#include <xmmintrin.h>
#endif

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cfenv>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <optional>
#include <system_error>

#include "monitor_internal.hpp"
#include "pss/collect/collector.hpp"
#include "pss/record/trace_writer.hpp"
#include "pss/runtime/heap.hpp"
#include "pss/runtime/monitor.hpp"
#include "progress_file.hpp"
#include "spin_lock.hpp"
#include "usage_clock.hpp"

namespace pss::runtime {

namespace {

constexpr std::size_t max_message_bytes = 4096;

std::int64_t system_ns() noexcept {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string detect_program_name() {
#if defined(__GLIBC__)
    if (program_invocation_short_name != nullptr && *program_invocation_short_name != '\0')
        return program_invocation_short_name;
#endif
    char buffer[4096];
    const ssize_t n = ::readlink("/proc/self/exe", buffer, sizeof buffer - 1);
    if (n > 0) {
        std::string path(buffer, static_cast<std::size_t>(n));
        const auto slash = path.rfind('/');
        return slash == std::string::npos ? path : path.substr(slash + 1);
    }
    return "unknown";
}

// Cuts at a UTF-8 character boundary so the record stays readable.
std::string bounded(std::string_view text) {
    if (text.size() <= max_message_bytes) return std::string(text);
    std::size_t cut = max_message_bytes;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    return std::string(text.substr(0, cut)) + "...";
}

void warn(std::string_view message) {
    std::string line = "pss: ";
    line += message;
    line += '\n';
    // One write(2), so the line does not interleave with test output.
    [[maybe_unused]] const ssize_t n = ::write(STDERR_FILENO, line.data(), line.size());
}

// Restores the caller's floating-point environment (exception flags such as
// FE_INEXACT, rounding mode) and errno when the listener's work is done: a
// test that inspects them must see exactly what it would without pss.
#if defined(__x86_64__)
// On x86-64 the listener's floating-point arithmetic is SSE: its exception
// flags and rounding mode live in MXCSR, saved and restored here (a few
// cycles, where fegetenv + fesetenv cost about 0.1 us a pair). The x87 unit
// is left alone: nothing here runs an x87 instruction (no long double), so
// its status and control words stay as the caller left them, and reading
// them costs more than the rest of the guard.
class CallerStateGuard {
public:
    CallerStateGuard() noexcept : errno_(errno), mxcsr_(_mm_getcsr()) {}
    ~CallerStateGuard() {
        if (_mm_getcsr() != mxcsr_) _mm_setcsr(mxcsr_);
        errno = errno_;
    }
    CallerStateGuard(const CallerStateGuard&) = delete;
    CallerStateGuard& operator=(const CallerStateGuard&) = delete;

private:
    int errno_;
    unsigned mxcsr_;
};
#else
class CallerStateGuard {
public:
    CallerStateGuard() noexcept : errno_(errno) { std::fegetenv(&env_); }
    ~CallerStateGuard() {
        std::fesetenv(&env_);
        errno = errno_;
    }
    CallerStateGuard(const CallerStateGuard&) = delete;
    CallerStateGuard& operator=(const CallerStateGuard&) = delete;

private:
    std::fenv_t env_{};
    int errno_;
};
#endif

void flush_at_exit() {
    try {
        Session::instance().write_held_record();
        Session::instance().flush_blocks_outside_tests();
        Session::instance().finish_collection();
    } catch (...) {
    }
    // Nothing is measured after this, so frees from here on are not counted:
    // the framework's static destructors free every test's bookkeeping after
    // this thread's counters were retired, each free an atomic add otherwise.
    heap::set_counting(false);
}

}  // namespace

Settings settings_from_environment(std::vector<std::string>& warnings) {
    Settings s;
    if (const char* v = std::getenv("PSS_TRACE_FILE")) s.trace_file = v;
    if (const char* v = std::getenv("PSS_PROGRESS_FILE")) s.progress_file = v;
    if (const char* v = std::getenv("PSS_COLLECTOR")) s.collector = v;
    s.run_id = collect::run_id_from_environment();
    if (const char* v = std::getenv("PSS_COLLECTOR_FLUSH_SECONDS"); v != nullptr && *v != '\0') {
        char* end = nullptr;
        const double seconds = std::strtod(v, &end);
        if (*end == '\0' && seconds >= 0 && seconds <= 3600)
            s.collector_flush_seconds = seconds;
        else
            warnings.push_back("PSS_COLLECTOR_FLUSH_SECONDS='" + std::string(v) +
                               "' is not a number of seconds from 0 to 3600; using 5");
    }
    if (const char* v = std::getenv("PSS_MAPPED_FILES")) s.mapped_files = std::string_view(v) == "1";
    if (const char* v = std::getenv("PSS_NO_PERF_EVENT")) s.perf_event = std::string_view(v) != "1";
    if (const char* v = std::getenv("PSS_RUN"); v != nullptr && *v != '\0') {
        const std::string_view text(v);
        std::int64_t value = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (ec != std::errc() || end != text.data() + text.size() || value < 0)
            warnings.push_back("PSS_RUN='" + std::string(text) + "' is not a non-negative integer; using run index 0");
        else
            s.run_base = value;
    }
    return s;
}

struct Session::State {
    Settings settings;
    // Where records go: PSS_TRACE_FILE (the file collector) and PSS_COLLECTOR.
    std::unique_ptr<collect::Collector> writer;
    std::unique_ptr<collect::Collector> collector;
    bool recording() const noexcept { return writer != nullptr || collector != nullptr; }
    ProgressFile progress;
    UsageClock usage_clock;
    std::atomic<std::int64_t> iteration{0};
    std::string program_name;
    std::int64_t system_minus_steady_ns = 0;
    std::uint64_t last_generation = 0;
    MetricsProbe metrics_probe;

    // The running test. Fields set at begin/end belong to the test thread;
    // `outcome_lock` guards what other threads may add (failure, skip, branches).
    std::atomic<bool> running{false};  // read by other threads (failures, branches)
    // The running (or last) test's record. begin_test sets its identity
    // (name, module, filename, line) in place, end_test the rest: no string
    // is copied twice, and its buffers serve the next test.
    TraceRecord record;
    std::atomic<std::uint64_t> generation{0};  // read by add_branch on other threads
    std::int64_t start_steady_ns = 0;
    Usage start_usage;
    heap::Window heap_window;

    detail::SpinLock outcome_lock;  // held for a few copies at most
    // Set (under the lock) by whoever writes what follows; while it is
    // false nothing was, and a test's start and end leave the lock alone.
    std::atomic<bool> noted{false};
    bool have_failure = false;
    std::string failure_type, failure_message, failure_file;
    std::int64_t failure_line = 0;
    std::string skip_message;
    std::vector<std::string> branches;

    // A finished test's records, kept back by end_test(..., hold_record).
    std::optional<TraceRecord> held;
    std::vector<TraceRecord> held_blocks;
    std::int64_t held_live_at_open = 0;
    std::int64_t held_own_bytes = 0;  // the heap the held records take: pss's, not the test's

    void close_outputs() {
        writer.reset();
        if (collector) collector->close(settings.collector_flush_seconds);
        collector.reset();
        progress.close();
    }

    void stop_tracing(std::string_view why) {
        warn(why);
        writer.reset();
        if (collector) return;  // records still go there
        detail::g_test_generation.store(0, std::memory_order_relaxed);
        detail::g_monitor_state.store(detail::monitor_off, std::memory_order_relaxed);
        heap::set_counting(false);
    }

    // Reused from record to record at its size: no resize (and no zeroing)
    // per record.
    std::string line;

    void write(const TraceRecord& r) {
        if (!recording()) return;
        std::optional<std::string_view> text;  // the JSON line, made once for both
        if (writer) {
            try {
                if (!writer->submit_packed(r)) writer->submit_view(*(text = json(r)));
            } catch (const std::exception& e) {
                stop_tracing(std::string(e.what()) + "; no further trace records are written to it");
            }
        }
        if (collector) collector->submit(std::string(text ? *text : json(r)));  // never blocks, never throws
        if (line.size() > 65536) std::string().swap(line);  // a huge record's buffer is not kept
    }

    std::string_view json(const TraceRecord& r) {
        const std::size_t bound = json_line_bound(r);
        if (line.size() < bound) line.resize(bound);
        return {line.data(), static_cast<std::size_t>(write_json_line(line.data(), r) - line.data())};
    }

    TraceRecord block_record(const detail::BlockTotals& b, const std::string& parent,
                             const std::string& module, std::int64_t run) const {
        TraceRecord r;
        r.kind = "block";
        r.name = b.site->name;
        r.module = module;
        r.parent = parent;
        r.run = run;
        r.timestamp = static_cast<double>(b.first_start_ns + system_minus_steady_ns) * 1e-9;
        r.duration = static_cast<double>(b.total_ns) * 1e-9;
        // Blocks measure wall time only (a CPU clock read would cost more than
        // the scope itself), so cpu_time is the duration and wait_time 0.
        r.cpu_time = r.duration;
        r.calls = b.calls;
        if (b.errors > 0) {
            r.error = true;
            r.exception_type = "exception";
            r.exception_message =
                std::to_string(b.errors) + " of " + std::to_string(b.calls) + " calls ended by an exception";
        }
        r.filename = b.site->file != nullptr ? b.site->file : "";
        r.lineno = b.site->line;
        return r;
    }
};

Session& Session::instance() {
    static Session* const session = new Session();  // never destroyed, see the header
    return *session;
}

Session::Session() : state_(std::make_unique<State>()) {
    const CallerStateGuard caller_state;
    state_->record.kind = "test";
    state_->program_name = detect_program_name();
    std::vector<std::string> warnings;
    const Settings settings = settings_from_environment(warnings);
    for (const std::string& w : warnings) warn(w);
    configure(settings);
    std::atexit(flush_at_exit);
}

Session::~Session() = default;

void Session::configure(const Settings& settings) {
    State& s = *state_;
    s.close_outputs();
    s.held.reset();  // a held record belongs to the old configuration
    s.held_blocks.clear();
    s.settings = settings;
    if (!settings.trace_file.empty()) {
        try {
            std::string error;
            // Mapped: a file that exists is another process's (a death-test
            // child's parent); this one writes nothing there, silently.
            s.writer = settings.mapped_files ? collect::open_owned_file_collector(settings.trace_file, error)
                                             : collect::open_file_collector(settings.trace_file, error);
            if (!s.writer && !error.empty()) warn(error + " (PSS_TRACE_FILE); tests run without trace records");
        } catch (const std::exception& e) {
            warn(std::string(e.what()) + " (PSS_TRACE_FILE); tests run without trace records");
        }
    }
    if (!settings.collector.empty()) {
        std::string error;
        s.collector = collect::open_collector(settings.collector, {settings.run_id, {}}, error);
        if (!s.collector) warn(error + " (PSS_COLLECTOR); records are not collected there");
    }
    if (!settings.progress_file.empty()) {
        std::string error;
        if (s.progress.open(settings.progress_file, settings.mapped_files, error) == ProgressFile::Opened::failed)
            warn("cannot open progress file '" + settings.progress_file + "': " + error +
                 " (PSS_PROGRESS_FILE); continuing without it");
    }
    s.system_minus_steady_ns = system_ns() - detail::steady_ns();
    const bool tracing_on = s.recording();
    s.usage_clock.configure(tracing_on && settings.perf_event);
    heap::set_counting(tracing_on);
    detail::g_monitor_state.store(tracing_on ? detail::monitor_on : detail::monitor_off,
                                  std::memory_order_relaxed);
}

bool Session::tracing() const noexcept {
    // The monitor state, not the writer pointer: other threads may ask.
    return detail::g_monitor_state.load(std::memory_order_relaxed) == detail::monitor_on;
}

bool Session::active() const noexcept { return state_->recording() || state_->progress.is_open(); }

std::int64_t Session::run_index() const noexcept {
    return state_->settings.run_base + state_->iteration.load(std::memory_order_relaxed);
}

void Session::set_iteration(std::int64_t iteration) noexcept {
    state_->iteration.store(iteration, std::memory_order_relaxed);
}

const std::string& Session::program_name() const noexcept { return state_->program_name; }

bool Session::test_running() const noexcept { return state_->running.load(std::memory_order_acquire); }

void Session::set_metrics_probe(MetricsProbe probe) noexcept { state_->metrics_probe = probe; }

namespace {

// `out` = prefix + "." + rest (or rest alone), in the capacity `out` has:
// one resize and two copies, where appending piece by piece cost three
// library calls on every test.
void assign_joined(std::string& out, std::string_view prefix, std::string_view rest) {
    const std::size_t dot = prefix.empty() ? 0 : 1;
    out.resize(prefix.size() + dot + rest.size());
    char* p = out.data();
    if (!prefix.empty()) std::memcpy(p, prefix.data(), prefix.size());
    if (dot != 0) p[prefix.size()] = '.';
    if (!rest.empty()) std::memcpy(p + prefix.size() + dot, rest.data(), rest.size());
}

// Whether `text` is prefix + "." + rest (or rest alone), without building it.
bool is_joined(std::string_view text, std::string_view prefix, std::string_view rest) {
    if (prefix.empty()) return text == rest;
    return text.size() == prefix.size() + 1 + rest.size() && text.compare(0, prefix.size(), prefix) == 0 &&
           text[prefix.size()] == '.' && text.substr(prefix.size() + 1) == rest;
}


// Every field but the identity begin_test set (name, module, filename,
// line) and the kind back to a new record's, keeping the strings' buffers.
// Not `r = TraceRecord{}`-style copy-assignment (as the trace reader does):
// that assigns each string and costs ~300 instructions more on every test.
void reset_outcome(TraceRecord& r) {
    r.run = 0;
    r.timestamp = r.duration = r.cpu_time = r.wait_time = r.memory = r.memory_diff = 0.0;
    r.error = false;
    r.exception_type.clear();
    r.exception_message.clear();
    r.branch_tag.reset();
    r.parent.clear();
    r.failure_file.clear();
    r.failure_line = 0;
    r.voluntary_context_switches = r.involuntary_context_switches = r.calls = 0;
    r.run_delay = 0.0;
    r.warmup = false;
    r.timing_resolution = 0.0;
    r.metrics.clear();
    r.system_metric = false;
    r.lag.reset();
}

}  // namespace

void Session::begin_test(const TestIdentity& identity) {
    begin_test(TestIdentityView{{}, identity.name, {}, identity.module, identity.filename, identity.lineno});
}

void Session::begin_test(const TestIdentityView& identity) {
    const CallerStateGuard caller_state;
    State& s = *state_;
    if (s.held) write_held_record();
    s.running.store(true, std::memory_order_release);
    // Into the buffers of the previous test: no allocation once they are
    // large enough, and none inside this test's heap window in any case.
    TraceRecord& r = s.record;
    assign_joined(r.name, identity.name_prefix, identity.name);
    s.progress.set(run_index(), r.name);
    if (!s.recording()) return;
    // Mostly the same suite as the test before.
    if (!is_joined(r.module, identity.module_prefix, identity.module))
        assign_joined(r.module, identity.module_prefix, identity.module);
    if (r.filename != identity.filename) r.filename.assign(identity.filename);
    r.lineno = identity.lineno;
    if (s.noted.load(std::memory_order_acquire)) {
        std::lock_guard lock(s.outcome_lock);
        s.have_failure = false;
        s.failure_type.clear();
        s.failure_message.clear();
        s.failure_file.clear();
        s.failure_line = 0;
        s.skip_message.clear();
        s.branches.clear();
        s.noted.store(false, std::memory_order_relaxed);
    }
    s.generation.store(++s.last_generation, std::memory_order_relaxed);
    detail::g_test_generation.store(s.last_generation, std::memory_order_relaxed);
    if (s.metrics_probe.open != nullptr) s.metrics_probe.open();  // before the heap window: its snapshot is not the test's
    s.heap_window = heap::open_window();
    const std::int64_t now_ns = detail::steady_ns();  // last, closest to the test body
    s.start_usage = s.usage_clock.read(now_ns);
    s.start_steady_ns = now_ns;
}

void Session::note_failure(std::string_view type, std::string_view message, std::string_view file,
                           std::int64_t line) {
    const CallerStateGuard caller_state;
    State& s = *state_;
    if (!s.running.load(std::memory_order_acquire) || !tracing()) return;
    std::lock_guard lock(s.outcome_lock);
    if (s.have_failure) return;
    s.have_failure = true;
    s.failure_type = std::string(type);
    s.failure_message = bounded(message);
    s.failure_file = std::string(file);
    s.failure_line = line;
    s.noted.store(true, std::memory_order_release);
}

void Session::note_skip(std::string_view message) {
    const CallerStateGuard caller_state;
    State& s = *state_;
    if (!s.running.load(std::memory_order_acquire) || !tracing()) return;
    std::lock_guard lock(s.outcome_lock);
    if (s.skip_message.empty()) s.skip_message = bounded(message);
    s.noted.store(true, std::memory_order_release);
}

void Session::add_branch(std::string_view tag, std::uint64_t generation) {
    State& s = *state_;
    std::lock_guard lock(s.outcome_lock);
    if (generation != s.generation.load(std::memory_order_relaxed) || !s.running.load(std::memory_order_relaxed))
        return;
    for (const std::string& t : s.branches)
        if (t == tag) return;
    s.branches.emplace_back(tag);
    s.noted.store(true, std::memory_order_release);
}

void Session::end_test(TestStatus status, bool hold_record) {
    const CallerStateGuard caller_state;
    State& s = *state_;
    // Ended on the thread that began it: a load and a store, no locked exchange.
    if (!s.running.load(std::memory_order_relaxed)) return;
    s.running.store(false, std::memory_order_release);
    if (s.recording()) {
        const std::int64_t end_steady_ns = detail::steady_ns();
        const Usage end_usage = s.usage_clock.read(end_steady_ns);
        const heap::WindowResult heap_result = heap::close_window(s.heap_window);
        detail::g_test_generation.store(0, std::memory_order_relaxed);
        const std::int64_t live_before_record = hold_record ? heap::live_bytes() : 0;

        TraceRecord& r = s.record;  // its identity set by begin_test
        reset_outcome(r);
        r.run = run_index();
        // The wall clock at configure() plus the steady clock since: one clock
        // read less per test (blocks' timestamps are taken the same way).
        // Whole microseconds and nanoseconds divided (not multiplied by 1e-6,
        // 1e-9): the writer prints such values without the shortest-digits
        // search, and they read back exactly (trace_writer.cpp).
        r.timestamp = static_cast<double>((s.start_steady_ns + s.system_minus_steady_ns) / 1000) / 1e6;
        const std::int64_t duration_ns = end_steady_ns - s.start_steady_ns;
        r.duration = static_cast<double>(duration_ns) / 1e9;
        const std::int64_t cpu_ns = end_usage.cpu_ns - s.start_usage.cpu_ns;
        r.cpu_time = cpu_ns > 0 ? static_cast<double>(cpu_ns) / 1e9 : 0.0;
        r.wait_time = duration_ns > cpu_ns ? static_cast<double>(duration_ns - std::max<std::int64_t>(cpu_ns, 0)) / 1e9 : 0.0;
        if (s.start_usage.run_delay_ns >= 0 && end_usage.run_delay_ns > s.start_usage.run_delay_ns)
            r.run_delay = static_cast<double>(end_usage.run_delay_ns - s.start_usage.run_delay_ns) / 1e9;
        r.memory = static_cast<double>(heap_result.peak_growth);
        r.memory_diff = static_cast<double>(heap_result.live_diff);
        r.voluntary_context_switches = end_usage.voluntary - s.start_usage.voluntary;
        r.involuntary_context_switches = end_usage.involuntary - s.start_usage.involuntary;
        if (s.metrics_probe.close != nullptr) {
            s.metrics_probe.close(r.metrics);
            if (r.metrics.size() > max_record_metrics) r.metrics.resize(max_record_metrics);
        }
        if (status == TestStatus::failed) {
            r.error = true;
            r.exception_type.assign("failure");
        } else if (status == TestStatus::skipped) {
            r.exception_type.assign("skipped");
        }
        if (s.noted.load(std::memory_order_acquire)) {
            std::lock_guard lock(s.outcome_lock);
            if (status == TestStatus::failed && s.have_failure) {
                r.exception_type.assign(s.failure_type);
                r.exception_message.assign(s.failure_message);
                r.failure_file.assign(s.failure_file);
                r.failure_line = s.failure_line;
            } else if (status == TestStatus::skipped) {
                r.exception_message.assign(s.skip_message);
            }
            if (!s.branches.empty()) {
                std::string joined;
                for (const std::string& t : s.branches) {
                    if (!joined.empty()) joined += ';';
                    joined += t;
                }
                r.branch_tag = std::move(joined);
            }
        }
        if (hold_record && heap::tracking_linked()) {
            s.held_blocks.clear();
            for (const detail::BlockTotals& b : detail::take_blocks(s.generation.load(std::memory_order_relaxed)))
                s.held_blocks.push_back(s.block_record(b, r.name, r.module, r.run));
            s.held = r;
            s.held_live_at_open = s.heap_window.live_at_open;
            s.held_own_bytes = heap::live_bytes() - live_before_record;
        } else {
            s.write(r);
            if (detail::any_blocks())
                for (const detail::BlockTotals& b : detail::take_blocks(s.generation.load(std::memory_order_relaxed)))
                    s.write(s.block_record(b, r.name, r.module, r.run));
        }
    }
    s.progress.clear();
}

void Session::write_held_record(std::int64_t framework_bytes) {
    State& s = *state_;
    if (!s.held) return;
    const std::int64_t live = heap::live_bytes();  // first: nothing below is the test's
    const CallerStateGuard caller_state;
    s.held->memory_diff =
        static_cast<double>(live - s.held_live_at_open - s.held_own_bytes - framework_bytes);
    s.write(*s.held);
    for (const TraceRecord& b : s.held_blocks) s.write(b);
    s.held.reset();
    s.held_blocks.clear();
}

void Session::abandon_test() noexcept {
    State& s = *state_;
    s.running.store(false, std::memory_order_release);
    detail::g_test_generation.store(0, std::memory_order_relaxed);
}

void Session::flush_blocks_outside_tests() {
    State& s = *state_;
    if (!s.recording()) return;
    for (const detail::BlockTotals& b : detail::take_blocks(0))
        s.write(s.block_record(b, "", s.program_name, run_index()));
}

void Session::finish_collection() {
    State& s = *state_;
    if (s.writer && s.settings.mapped_files) s.writer->close(0);
    if (!s.collector) return;
    s.collector->close(s.settings.collector_flush_seconds);
    const std::string dropped = collect::drop_summary(s.collector->stats(), s.collector->describe());
    if (!dropped.empty()) warn(dropped);
}

const char* Session::usage_source() const noexcept { return state_->usage_clock.source(); }

std::uint64_t Session::usage_system_call_readings() const noexcept { return state_->usage_clock.slow_readings(); }

std::string current_exception_type_name() {
    const std::type_info* type = abi::__cxa_current_exception_type();
    if (type == nullptr) return {};
    int status = 0;
    char* demangled = abi::__cxa_demangle(type->name(), nullptr, nullptr, &status);
    std::string name = (status == 0 && demangled != nullptr) ? demangled : type->name();
    std::free(demangled);
    return name;
}

}  // namespace pss::runtime
