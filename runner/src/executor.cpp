#include "executor.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "attempt_files.hpp"
#include "child_process.hpp"
#include "cli_support.hpp"
#include "output_parsers.hpp"
#include "pss/ingest/trace_reader.hpp"

namespace pss::runner {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::string default_module(const TestBinary& binary, const std::string& test, const std::string& file) {
    if (binary.framework == Framework::gtest) {
        const auto dot = test.find('.');
        return binary.name + "." + (dot == std::string::npos ? test : test.substr(0, dot));
    }
    return file.empty() ? binary.name : binary.name + "." + fs::path(file).stem().string();
}

namespace {

std::atomic<unsigned> g_attempt_counter{0};

double epoch_now() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// The record of a run that ended without the test's own result: killed by
// the watchdog, by a signal, or by exit() while the test ran.
TraceRecord fault_record(std::string name, std::int64_t run, bool timed_out, int signal, int exit_code,
                         double timeout, double seconds_running) {
    TraceRecord f;
    f.kind = "test";
    f.name = std::move(name);
    f.run = run;
    f.timestamp = epoch_now();
    f.error = true;
    f.duration = seconds_running;
    if (timed_out) {
        f.exception_type = "timeout";
        f.exception_message = fmt::format("no result within --timeout {} s; killed", timeout);
        f.duration = timeout;
    } else if (signal) {
        f.exception_type = "crash:" + signal_name(signal);
        f.exception_message = fmt::format("the test process was killed by {}", signal_name(signal));
    } else {
        f.exception_type = fmt::format("exit:{}", exit_code);
        f.exception_message = fmt::format("the test process exited with code {} before the test ended", exit_code);
    }
    f.cpu_time = f.duration;  // unknown: no wait time is claimed
    return f;
}

struct Attempt {
    std::vector<std::string> tests;  // empty: all selected tests
    int run_base = 0;
    int repeat = 1;
};

// Runs finished so far, for progress: those of ended attempts, plus those
// the running attempts already reported (a listener's trace file grows by
// one line per finished test; native output is parsed as it streams).
struct LiveCount {
    std::atomic<std::size_t> ended{0}, ended_failed{0}, running{0}, running_failed{0};
};

// New complete test records appended to a growing trace file since `offset`.
struct AttemptResult {
    std::vector<TraceRecord> records;
    std::vector<RunOutput> outputs;
    bool made_progress = false;
    bool timed_out = false;
    int signal = 0, exit_code = 0;
    std::string exit_description;  // "exit code 3", "SIGSEGV", ...
    std::string output_tail;
    // Set when the process failed while no test ran and no test failed.
    std::optional<ProcessFailure> outside_tests;
};

class BinaryExecutor {
public:
    BinaryExecutor(const TestBinary& b, const RunPlan& p, fs::path dir, bool listener, LiveCount* live = nullptr)
        : bin_(b), plan_(p), dir_(std::move(dir)), listener_(listener), live_(live) {}

    const TestBinary& binary() const { return bin_; }
    bool listener() const { return listener_; }
    std::size_t processes() const { return processes_.load(); }

    AttemptResult run(const Attempt& a) {
        ++processes_;
        const unsigned id = g_attempt_counter++;
        const fs::path trace_file = dir_ / fmt::format("attempt-{}.ndjson", id);
        const fs::path progress_file = dir_ / fmt::format("progress-{}", id);

        const fs::path tests_file = dir_ / fmt::format("tests-{}.txt", id);
        ChildOptions opt;
        opt.argv = command_line(a, tests_file);
        if (listener_) {
            opt.env = {{"PSS_TRACE_FILE", trace_file.string()},
                       {"PSS_RUN", std::to_string(a.run_base)},
                       {"PSS_PROGRESS_FILE", progress_file.string()},
                       {"PSS_MAPPED_FILES", "1"}};  // both files are this process's alone
        } else {
            // A listener built in stays silent in native mode; PSS_RUN still
            // tells the test which run this is.
            opt.env = {{"PSS_TRACE_FILE", ""}, {"PSS_RUN", std::to_string(a.run_base)}};
        }

        std::unique_ptr<OutputParser> parser;
        if (bin_.framework == Framework::gtest) parser = std::make_unique<GtestOutputParser>();
        else if (!listener_) parser = std::make_unique<Catch2XmlOutputParser>();

        AttemptResult result;
        std::string key;  // "<run>\t<test>" running now
        auto key_since = Clock::now();
        bool timed_out = false;
        std::string timed_out_key;

        auto current_key = [&]() -> std::string {
            if (listener_) return read_progress(progress_file);
            if (!parser || parser->current().empty()) return {};
            return fmt::format("{}\t{}", a.run_base + parser->iteration(), parser->current());
        };

        auto on_line = [&](std::string_view line) {
            if (!parser) return;
            auto end = parser->feed(line);
            if (!end) return;
            const std::int64_t run = a.run_base + parser->iteration();
            if (!listener_) result.records.push_back(record_of(*end, run));
            if (end->failed) result.outputs.push_back({end->name, run, end->output});
        };
        // Progress while the process runs, per finished test.
        RecordTally trace_tally;
        std::size_t live_records = 0, live_failed = 0;
        auto live_progress = [&]() {
            if (!live_ || !plan_.on_progress) return;
            std::size_t records = live_records, failed = live_failed;
            if (listener_) {
                const RecordCount count = count_test_records(trace_file, trace_tally);
                records = count.tests;
                failed = count.failed;
            } else {
                records = result.records.size();
                failed = static_cast<std::size_t>(std::count_if(result.records.begin(), result.records.end(),
                                                                [](const TraceRecord& r) { return r.error; }));
            }
            // Fewer: a staged file read while its staging area was being
            // written out; the next reading has them again.
            if (records <= live_records || failed < live_failed) return;
            live_->running += records - live_records;
            live_->running_failed += failed - live_failed;
            live_records = records;
            live_failed = failed;
            plan_.on_progress(live_->ended + live_->running, 0, live_->ended_failed + live_->running_failed);
        };
        auto watchdog = [&]() {
            live_progress();
            const std::string k = current_key();
            const auto now = Clock::now();
            if (k != key) {
                key = k;
                key_since = now;
            }
            // Outside any test (start-up, global set-up) the same limit applies.
            if (std::chrono::duration<double>(now - key_since).count() > plan_.timeout) {
                timed_out = true;
                timed_out_key = key;
                return true;
            }
            return false;
        };

        ChildResult child = run_child(opt, on_line, watchdog);
        if (live_) {  // the attempt's records are counted as ended once absorbed
            live_->running -= live_records;
            live_->running_failed -= live_failed;
        }
        {
            std::error_code ec;
            fs::remove(tests_file, ec);
        }
        result.output_tail = child.output_tail;
        if (child.spawn_failed)
            throw cli::CommandError(cli::exit_cannot_run,
                                    fmt::format("cannot run '{}': {}", bin_.path, child.spawn_error));

        if (listener_) {
            std::error_code ec;
            if (fs::exists(trace_file, ec)) {
                trim_trace_file(trace_file);  // a killed process's NUL tail or cut record
                read_trace_file(trace_file, [&](const TraceRecord& r) {
                    if (r.kind.empty() || r.kind == "test") result.records.push_back(r);
                });
                fs::remove(trace_file, ec);
            }
            if (bin_.framework == Framework::catch2)  // no per-test output: keep the process's last lines
                for (const auto& r : result.records)
                    if (r.error) result.outputs.push_back({r.name, r.run, last_lines(child.output_tail, 40)});
        }

        // The test that was running when the process ended, if any.
        std::string running = timed_out ? timed_out_key : current_key();
        if (listener_) {
            std::error_code ec;
            fs::remove(progress_file, ec);
        }
        result.timed_out = timed_out;
        result.signal = child.signal;
        result.exit_code = child.exit_code;
        if (child.signal) result.exit_description = signal_name(child.signal);
        else result.exit_description = fmt::format("exit code {}", child.exit_code);

        if (!running.empty() && !interrupted()) {
            const auto tab = running.find('\t');
            TraceRecord fault = fault_record(
                tab == std::string::npos ? running : running.substr(tab + 1),
                tab == std::string::npos ? a.run_base : std::atoll(running.substr(0, tab).c_str()), timed_out,
                child.signal, child.exit_code, plan_.timeout,
                std::chrono::duration<double>(Clock::now() - key_since).count());
            fault.module = default_module(bin_, fault.name);
            std::string out = parser && !parser->current_output().empty() ? parser->current_output()
                                                                            : last_lines(child.output_tail, 40);
            result.outputs.push_back({fault.name, fault.run, std::move(out)});
            result.records.push_back(std::move(fault));
        } else if (timed_out) {
            result.exit_description = fmt::format("hung outside any test for more than --timeout {} s", plan_.timeout);
        }
        const bool any_failed =
            std::any_of(result.records.begin(), result.records.end(), [](const TraceRecord& r) { return r.error; });
        if (running.empty() && !interrupted() && (child.signal || child.exit_code != 0 || timed_out) && !any_failed) {
            // LeakSanitizer's exit code, abort() in a static destructor, a
            // crash after the last test's end: ctest would fail this binary.
            ProcessFailure f;
            f.binary = bin_.name;
            f.what = timed_out      ? result.exit_description
                     : child.signal ? "was killed by " + signal_name(child.signal)
                                    : fmt::format("exited with code {}", child.exit_code);
            f.processes = 1;
            f.output = last_lines(child.output_tail, 20);
            result.outside_tests = std::move(f);
        }
        // GTEST_SKIP() in a global environment: every test of the process
        // was skipped, in every repetition, though none was named.
        auto* gtest = dynamic_cast<GtestOutputParser*>(parser.get());
        if (gtest && gtest->environment_skipped() && result.records.empty() && !timed_out && child.signal == 0 &&
            child.exit_code == 0) {
            for (int k = 0; k < a.repeat; ++k)
                for (const auto& name : a.tests.empty() ? bin_.tests : a.tests) {
                    TraceRecord r;
                    r.kind = "test";
                    r.name = name;
                    r.module = default_module(bin_, name);
                    r.run = a.run_base + k;
                    r.timestamp = epoch_now();
                    r.exception_type = "skipped";
                    result.records.push_back(std::move(r));
                }
        }
        // The first repetitions of a process that repeats in-process run cold.
        if (a.repeat > 1)
            for (auto& r : result.records)
                if (r.run < a.run_base + plan_.warmup) r.warmup = true;
        result.made_progress = !result.records.empty();
        return result;
    }

private:
    static std::string last_lines(const std::string& text, int n) {
        std::size_t pos = text.size();
        if (pos > 0 && text[pos - 1] == '\n') --pos;  // a final newline ends the last line
        for (int i = 0; i < n; ++i) {
            if (pos == 0) return text;
            const std::size_t nl = text.rfind('\n', pos - 1);
            if (nl == std::string::npos) return text;
            pos = nl;
        }
        return text.substr(pos + 1);
    }

    TraceRecord record_of(const TestEnd& e, std::int64_t run) const {
        TraceRecord r = native_record(e, run);
        r.module = default_module(bin_, e.name, e.file);
        r.timestamp = epoch_now();
        return r;
    }

    // The attempt's command line; a Catch2 test list goes into `tests_file`.
    std::vector<std::string> command_line(const Attempt& a, const fs::path& tests_file) const {
        std::vector<std::string> argv{bin_.path};
        const unsigned seed = plan_.shuffle ? (plan_.seed + static_cast<unsigned>(a.run_base) - 1) % 99999 + 1 : 0;
        if (bin_.framework == Framework::gtest) {
            argv.push_back("--gtest_color=no");
            if (a.repeat > 1) argv.push_back(fmt::format("--gtest_repeat={}", a.repeat));
            if (!a.tests.empty()) {
                std::string f = "--gtest_filter=";
                for (std::size_t i = 0; i < a.tests.size(); ++i) f += (i ? ":" : "") + a.tests[i];
                argv.push_back(std::move(f));
            } else if (!plan_.filter.empty()) {
                argv.push_back("--gtest_filter=" + plan_.filter);
            }
            if (plan_.shuffle) {
                argv.push_back("--gtest_shuffle");
                argv.push_back(fmt::format("--gtest_random_seed={}", seed));
            }
        } else {
            if (!listener_) {
                argv.insert(argv.end(), {"-r", "xml", "-d", "yes"});
            }
            if (plan_.shuffle) argv.insert(argv.end(), {"--order", "rand", "--rng-seed", std::to_string(seed)});
            if (!a.tests.empty()) {
                // Catch2 v2 ANDs test specs given as separate arguments, and one
                // argument holds at most 128 KiB: the names go into a file read
                // with -f, one quoted name a line, which Catch2 ORs.
                // A name with a line break cannot be a line of that file: such
                // names follow it as one argument, joined by commas (ORed with
                // the file's names, which Catch2 ends with a comma each).
                std::ofstream list(tests_file, std::ios::binary | std::ios::trunc);
                std::string multiline;
                for (const auto& t : a.tests) {
                    if (fits_catch2_input_file(t)) list << catch2_input_file_line(t) << '\n';
                    else multiline += (multiline.empty() ? "" : ",") + catch2_exact_spec(t);
                }
                list.close();
                if (!list)
                    throw cli::CommandError(cli::exit_cannot_run,
                                            fmt::format("cannot write the test list '{}'", tests_file.string()));
                argv.insert(argv.end(), {"-f", tests_file.string()});
                if (!multiline.empty()) argv.push_back(std::move(multiline));
            } else if (!plan_.filter.empty()) {
                argv.push_back(plan_.filter);
            }
        }
        argv.insert(argv.end(), plan_.binary_args.begin(), plan_.binary_args.end());
        return argv;
    }

    const TestBinary& bin_;
    const RunPlan& plan_;
    fs::path dir_;
    bool listener_;
    std::atomic<std::size_t> processes_{0};
    LiveCount* live_;
};

// What the records cannot say themselves: how coarse the clock was
// (GoogleTest's own output has whole milliseconds), and which runs were
// warm-ups: the first plan.warmup runs of all (every run a process of its
// own), and the first plan.warmup repetitions of each in-process repetition
// (marked by the attempt, see BinaryExecutor::run).
void mark_records(std::vector<TraceRecord>& records, const TestBinary& bin, bool listener, const RunPlan& plan) {
    const double resolution = !listener && bin.framework == Framework::gtest ? 0.001 : 0.0;
    for (auto& r : records) {
        if (r.run < plan.warmup) r.warmup = true;
        if (resolution > r.timing_resolution) r.timing_resolution = resolution;
    }
}

void report_progress(const RunPlan& plan, const LiveCount& live) {
    if (!plan.on_progress) return;
    plan.on_progress(live.ended + live.running, 0, live.ended_failed + live.running_failed);
}

struct Job {
    std::vector<std::string> tests;  // the job's share of the binary's tests
    bool whole_binary = false;       // no explicit test list needed on the first attempt
};

// Runs one job to completion: every (test, run) gets a record.
// The pending name a record's name stands for when the bytes came back
// changed: the listener's JSON replaces invalid UTF-8 with U+FFFD (a Catch2
// name in Latin-1), Catch2's XML reporter writes control characters and
// invalid UTF-8 as \xHH (native mode). Empty when none does.
std::string as_listed(const std::string& name, const std::set<std::string>& pending) {
    std::string unescaped;  // \xHH back to the byte
    for (std::size_t i = 0; i < name.size(); ++i) {
        const bool hex_escape = name[i] == '\\' && i + 3 < name.size() && name[i + 1] == 'x' &&
                                std::isxdigit(static_cast<unsigned char>(name[i + 2])) &&
                                std::isxdigit(static_cast<unsigned char>(name[i + 3]));
        if (!hex_escape) {
            unescaped += name[i];
            continue;
        }
        unescaped += static_cast<char>(std::stoi(name.substr(i + 2, 2), nullptr, 16));
        i += 3;
    }
    if (unescaped != name && pending.count(unescaped)) return unescaped;
    if (name.find("\xEF\xBF\xBD") == std::string::npos) return {};  // no U+FFFD: not the listener's replacement
    for (const auto& p : pending) {
        const std::string as_json = nlohmann::json(p).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        if (nlohmann::json::parse(as_json).get<std::string>() == name) return p;
    }
    return {};
}

void run_job(BinaryExecutor& exec, const Job& job, const RunPlan& plan, bool in_process_repeat,
             BinaryOutcome& out, std::mutex& mu, LiveCount& live) {
    std::map<int, std::set<std::string>> pending;
    for (int rep = plan.first_run; rep < plan.first_run + plan.repeat; ++rep)
        pending[rep].insert(job.tests.begin(), job.tests.end());

    // Keeps the records of pending runs; returns how many there were. Others
    // (a test a Catch2 name pattern matched as well, a duplicate) are not progress.
    auto absorb = [&](AttemptResult&& r) {
        std::lock_guard lock(mu);
        std::size_t kept = 0;
        std::map<std::string, std::string> renamed;  // as the record came -> as listed
        for (auto& rec : r.records) {
            auto p = pending.find(static_cast<int>(rec.run));
            if (p == pending.end()) continue;  // not ours
            if (!p->second.erase(rec.name)) {
                std::string listed = as_listed(rec.name, p->second);
                if (listed.empty()) continue;  // not ours, or a duplicate
                p->second.erase(listed);
                renamed[rec.name] = listed;
                rec.name = std::move(listed);
            }
            live.ended_failed += rec.error ? 1 : 0;
            out.records.push_back(std::move(rec));
            ++kept;
        }
        live.ended = out.records.size();
        for (auto& o : r.outputs) {
            if (auto it = renamed.find(o.name); it != renamed.end()) o.name = it->second;
            out.outputs.push_back(std::move(o));
        }
        if (r.outside_tests) add_process_failure(out.process_failures, std::move(*r.outside_tests));
        report_progress(plan, live);
        return kept;
    };
    auto note_once = [&](std::string note) {
        std::lock_guard lock(mu);
        if (std::find(out.notes.begin(), out.notes.end(), note) == out.notes.end()) out.notes.push_back(std::move(note));
    };

    if (in_process_repeat) {
        Attempt a{job.whole_binary ? std::vector<std::string>{} : job.tests, plan.first_run, plan.repeat};
        absorb(exec.run(a));
    }
    for (auto& [rep, tests] : pending) {
        while (!tests.empty() && !interrupted()) {
            Attempt a{{tests.begin(), tests.end()}, rep, 1};
            if (job.whole_binary && tests.size() == job.tests.size()) a.tests.clear();
            if (absorb(exec.run(a)) > 0) continue;
            // Nothing came back (output buffered until the crash, a hang in
            // set-up): run each remaining test alone, so that every fault is
            // pinned on the test that caused it.
            const std::vector<std::string> alone(tests.begin(), tests.end());
            for (const auto& name : alone) {
                if (interrupted()) break;
                AttemptResult single = exec.run(Attempt{{name}, rep, 1});
                const bool ran = std::any_of(single.records.begin(), single.records.end(), [&](const TraceRecord& x) {
                    return x.name == name && x.run == rep;
                });
                if (!ran && !single.timed_out && single.signal == 0 && single.exit_code == 0) {
                    // A clean exit without starting the test: the binary did not
                    // select it by its name. Not a failure of the test.
                    if (name.find_first_of("\r\n") != std::string::npos && !exec.listener())
                        note_once(fmt::format("'{}' has a line break in its name, which the framework's text output "
                                              "cannot carry: it has no results in native mode. Link the pss listener "
                                              "to run it.",
                                              name));
                    else
                        note_once(fmt::format("'{}' did not run when selected alone ({} exited 0 without starting "
                                              "it); it has no results. Please report this with the test's name.",
                                              name, exec.binary().name));
                } else if (!ran) {
                    single.records.push_back(fault_record(name, rep, single.timed_out, single.signal,
                                                          single.exit_code, plan.timeout, 0.0));
                }
                absorb(std::move(single));
            }
            std::lock_guard lock(mu);
            tests.clear();
        }
    }
}

}  // namespace

BinaryOutcome execute(const TestBinary& bin, const RunPlan& plan, const fs::path& work_dir) {
    BinaryOutcome out;
    bool listener = bin.has_listener;
    if (plan.mode == DataMode::listener && !bin.has_listener)
        throw cli::CommandError(cli::exit_usage,
                                fmt::format("--mode listener: '{}' has no pss listener (link pss::gtest_main or "
                                            "pss::catch2), or use --mode native",
                                            bin.path));
    if (plan.mode == DataMode::native) listener = false;
    const bool isolate = plan.mode == DataMode::isolate;
    out.mode = isolate ? "isolate" : (listener ? "listener" : "native");

    LiveCount live;
    BinaryExecutor exec(bin, plan, work_dir, listener, &live);
    // gtest repeats in-process with a listener; without one its reporters
    // keep only the last iteration, so each repetition gets its own process.
    const bool in_process_repeat =
        bin.framework == Framework::gtest && listener && !plan.fresh_process && !isolate && plan.repeat > 1;

    std::vector<Job> jobs;
    if (isolate) {
        for (const auto& t : bin.tests) jobs.push_back(Job{{t}, false});
    } else {
        const std::size_t n = std::clamp<std::size_t>(static_cast<std::size_t>(plan.jobs), 1, bin.tests.size());
        jobs.resize(n);
        for (std::size_t i = 0; i < bin.tests.size(); ++i) jobs[i % n].tests.push_back(bin.tests[i]);
        if (n == 1) jobs[0].whole_binary = true;
    }

    std::mutex mu;
    std::atomic<std::size_t> next{0};
    std::exception_ptr error;
    auto worker = [&] {
        for (std::size_t i; (i = next++) < jobs.size() && !interrupted();) {
            try {
                run_job(exec, jobs[i], plan, in_process_repeat, out, mu, live);
            } catch (...) {
                std::lock_guard lock(mu);
                if (!error) error = std::current_exception();
                next = jobs.size();
            }
        }
    };
    std::vector<std::thread> threads;
    const int workers = std::max(1, std::min<int>(plan.jobs, static_cast<int>(jobs.size())));
    for (int i = 1; i < workers; ++i) threads.emplace_back(worker);
    worker();
    for (auto& t : threads) t.join();
    if (error) std::rethrow_exception(error);

    // Fault records take the module the listener gave the same test.
    std::map<std::string, std::string> module_of;
    for (const auto& r : out.records)
        if (r.exception_type.rfind("crash:", 0) != 0 && r.exception_type != "timeout" && !r.module.empty())
            module_of.emplace(r.name, r.module);
    for (auto& r : out.records) {
        if (auto m = module_of.find(r.name); m != module_of.end()) r.module = m->second;
        if (r.module.empty()) r.module = default_module(bin, r.name);
    }
    mark_records(out.records, bin, listener, plan);
    out.processes = exec.processes();

    const bool ran_any = std::any_of(out.records.begin(), out.records.end(),
                                     [](const TraceRecord& r) { return r.exception_type != "not-run"; });
    if (!bin.tests.empty() && !ran_any && !interrupted())
        throw cli::CommandError(
            cli::exit_cannot_run,
            fmt::format("'{}' ran none of its {} tests. Check the arguments passed to it (after the second --).",
                        bin.path, bin.tests.size()));
    return out;
}

std::vector<TraceRecord> run_alone(const TestBinary& bin, const RunPlan& plan, const std::string& test, int runs,
                                   const fs::path& work_dir) {
    const bool listener = bin.has_listener && plan.mode != DataMode::native;
    BinaryExecutor exec(bin, plan, work_dir, listener);
    std::vector<TraceRecord> records;
    auto keep = [&](AttemptResult&& r) {
        for (auto& rec : r.records)
            if (rec.name == test) records.push_back(std::move(rec));
    };
    if (bin.framework == Framework::gtest && listener) {
        keep(exec.run(Attempt{{test}, 0, runs}));
    } else {
        for (int run = 0; run < runs && !interrupted(); ++run) keep(exec.run(Attempt{{test}, run, 1}));
    }
    for (auto& r : records)
        if (r.module.empty()) r.module = default_module(bin, r.name);
    mark_records(records, bin, listener, plan);
    return records;
}

int failures_in_isolation(const TestBinary& bin, const RunPlan& plan, const std::string& test,
                          const std::vector<std::int64_t>& runs, const fs::path& work_dir) {
    BinaryExecutor exec(bin, plan, work_dir, bin.has_listener && plan.mode != DataMode::native);
    int failures = 0;
    for (std::int64_t run : runs) {
        if (interrupted()) break;
        AttemptResult r = exec.run(Attempt{{test}, static_cast<int>(run), 1});
        const bool failed = r.records.empty() || std::any_of(r.records.begin(), r.records.end(),
                                                             [](const TraceRecord& x) { return x.error; });
        failures += failed ? 1 : 0;
    }
    return failures;
}

}  // namespace pss::runner
