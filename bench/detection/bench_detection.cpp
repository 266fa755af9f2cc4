// Detection-quality benchmark: runs pss-run on a suite of deterministic tests
// and injected faults (detection_suite.cpp), quiet and under background load,
// several rounds each, and prints false verdicts on the deterministic tests,
// recall per fault kind, runs used and wall time against a plain baseline
// measured in the same run. One command:
//
//   build/bench/detection/bench_detection [--rounds 5] [--conditions quiet,load] [--plain]
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include "child_processes.hpp"
#include "detection_catalog.hpp"
#include "report.hpp"
#include "results_json.hpp"
#include "scoring.hpp"

namespace fs = std::filesystem;
using namespace detection;

namespace {

struct Options {
    std::string pss_run = PSS_RUN_EXE;
    std::string suite = DETECTION_SUITE;
    std::string plain_suite = DETECTION_SUITE_PLAIN;
    bool plain = false;
    int rounds = 5;
    std::vector<std::string> conditions{"quiet", "load"};
    double timeout = 2;
    int load_processes = 2;
    std::string keep_dir;
    std::string filter;
};

// A gtest filter for the plain baseline: the user's selection without the
// tests that crash or hang.
std::string baseline_filter(const std::string& filter) {
    const std::string selection = filter.empty() ? "*" : filter;
    const char joiner = selection.find('-') == std::string::npos ? '-' : ':';
    return selection + joiner + std::string(kBaselineExclusions);
}

std::string tail_of(const std::string& path, std::size_t lines) {
    std::ifstream in(path);
    std::vector<std::string> all;
    for (std::string line; std::getline(in, line);) all.push_back(line);
    std::string out;
    for (std::size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i) out += "    " + all[i] + "\n";
    return out;
}

// The team is adding `--repeat auto --budget DURATION`. CLI11 prints help
// before it validates values, so `--help` exits 0 only when both options are
// known; the help text must also name --budget.
bool supports_repeat_auto(const Options& opt, const fs::path& work) {
    const std::string log = (work / "probe-repeat-auto.log").string();
    const auto outcome = run_child({opt.pss_run, "--repeat", "auto", "--budget", "1s", "--help"}, log);
    std::ifstream in(log);
    const std::string help((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return outcome.exit_code == 0 && help.find("--budget") != std::string::npos;
}

struct Strategy {
    std::string key;    // file names and tally key
    std::string label;  // for the tables
    std::string suite;
    bool repeat_auto = false;
};

class Bench {
public:
    Bench(Options opt, fs::path work) : opt_(std::move(opt)), work_(std::move(work)) {}

    // Runs one strategy once; returns false when interrupted.
    bool run_pss(const Strategy& s, const std::string& condition, int round, double budget, Tally& tally) {
        const std::string stem = fmt::format("{}-{}-r{}", condition, s.key, round);
        const std::string json = (work_ / (stem + ".json")).string();
        const std::string log = (work_ / (stem + ".log")).string();
        std::vector<std::string> cmd{opt_.pss_run};
        if (s.repeat_auto)
            cmd.insert(cmd.end(), {"--repeat", "auto", "--budget", fmt::format("{:.3f}s", budget)});
        else
            cmd.insert(cmd.end(), {"--repeat", "10"});
        cmd.insert(cmd.end(), {"--timeout", fmt::format("{}", opt_.timeout), "--json", json});
        if (!opt_.filter.empty()) cmd.insert(cmd.end(), {"--filter", opt_.filter});
        cmd.insert(cmd.end(), {"--", s.suite});

        const auto outcome = run_child(cmd, log);
        if (interrupted()) return false;
        if (outcome.signal != 0 || outcome.exit_code < 0 || outcome.exit_code > 1)
            throw std::runtime_error(fmt::format("pss-run ended with {} {} (log {}):\n{}",
                                                 outcome.signal ? "signal" : "exit code",
                                                 outcome.signal ? outcome.signal : outcome.exit_code, log,
                                                 tail_of(log, 15)));
        const auto results = read_results(json);
        add_round(tally, results, outcome.wall_seconds);
        long runs = 0;
        for (const auto& r : results) runs += r.runs;
        std::fprintf(stderr, "  [%s] round %d/%d %-32s %6.2f s, %ld runs\n", condition.c_str(), round, opt_.rounds,
                     s.label.c_str(), outcome.wall_seconds, runs);
        return true;
    }

    // Ten plain runs of the suite, straight, without the crash and hang tests.
    double plain_baseline() {
        double total = 0;
        const std::string filter = "--gtest_filter=" + baseline_filter(opt_.filter);
        for (int i = 0; i < 10 && !interrupted(); ++i) {
            const auto outcome = run_child({opt_.plain_suite, filter}, "");
            if (interrupted()) break;
            if (outcome.signal != 0 || outcome.exit_code < 0 || outcome.exit_code > 1)
                throw std::runtime_error(fmt::format("{} {} ended with {} {}", opt_.plain_suite, filter,
                                                     outcome.signal ? "signal" : "exit code",
                                                     outcome.signal ? outcome.signal : outcome.exit_code));
            total += outcome.wall_seconds;
        }
        return total;
    }

    ConditionResults run_condition(const std::string& condition, bool with_auto) {
        ConditionResults cr;
        cr.condition = condition;
        cr.load_average = read_load_average();
        BackgroundLoad load(condition == "load" ? opt_.load_processes : 0);
        if (condition == "load") std::this_thread::sleep_for(std::chrono::milliseconds(300));  // let it spread

        const Strategy fixed{"fixed10", "fixed --repeat 10", opt_.suite};
        const Strategy plain{"fixed10-plain", "fixed --repeat 10, plain suite", opt_.plain_suite};
        const Strategy automatic{"auto", "--repeat auto --budget", opt_.suite, true};
        cr.strategies.push_back({fixed.label, fixed.suite, {}});
        if (opt_.plain) cr.strategies.push_back({plain.label, plain.suite, {}});
        for (int round = 1; round <= opt_.rounds && !interrupted(); ++round) {
            const double baseline = plain_baseline();
            if (interrupted()) break;
            cr.baseline_seconds.push_back(baseline);
            if (!run_pss(fixed, condition, round, 0, cr.strategies[0].tally)) break;
            if (opt_.plain && !run_pss(plain, condition, round, 0, cr.strategies[1].tally)) break;
        }
        // The auto strategy gets the time fixed --repeat 10 took here (the
        // median of its rounds: one hang more or less moves a single round).
        if (with_auto && !interrupted()) {
            cr.auto_budget = median(cr.strategies[0].tally.wall_seconds);
            cr.strategies.push_back({automatic.label, automatic.suite, {}, true});
            for (int round = 1; round <= opt_.rounds && !interrupted(); ++round)
                if (!run_pss(automatic, condition, round, cr.auto_budget, cr.strategies.back().tally)) break;
        }
        load.stop();
        return cr;
    }

private:
    static std::string read_load_average() {
        std::ifstream in("/proc/loadavg");
        std::string one, five, fifteen;
        in >> one >> five >> fifteen;
        return one + " " + five + " " + fifteen;
    }

    Options opt_;
    fs::path work_;
};

fs::path make_work_dir(const std::string& keep_dir) {
    if (!keep_dir.empty()) {
        fs::create_directories(keep_dir);
        return keep_dir;
    }
    std::string pattern = (fs::temp_directory_path() / "pss-detection-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed in " + pattern);
    return pattern;
}

}  // namespace

int main(int argc, char** argv) {
    Options opt;
    CLI::App app{"Detection quality of pss-run: false verdicts on deterministic tests, recall of injected faults"};
    app.add_option("--pss", opt.pss_run, "pss-run to measure (default: the one built in this tree)");
    app.add_option("--suite", opt.suite, "The suite with the pss listener");
    app.add_option("--plain-suite", opt.plain_suite, "The suite without pss (the baseline; with --plain, also measured)");
    app.add_flag("--plain", opt.plain, "Also run pss-run on the plain suite (native mode)");
    app.add_option("--rounds", opt.rounds, "pss-run runs per condition and strategy (default 5)")
        ->check(CLI::Range(1, 1000));
    app.add_option("--conditions", opt.conditions, "quiet, load or both (default quiet,load)")
        ->delimiter(',')
        ->check(CLI::IsMember({"quiet", "load"}));
    app.add_option("--timeout", opt.timeout, "pss-run --timeout in seconds (default 2: the hang costs little)")
        ->check(CLI::PositiveNumber);
    app.add_option("--load-processes", opt.load_processes, "Busy processes for the load condition (default 2)")
        ->check(CLI::Range(1, 64));
    app.add_option("--keep", opt.keep_dir, "Keep pss-run's JSON results and logs in this directory");
    app.add_option("--filter", opt.filter, "A gtest filter selecting the suite's tests (pss-run --filter)");
    CLI11_PARSE(app, argc, argv);

    install_stop_handlers();
    fs::path work;
    int status = 0;
    try {
        work = make_work_dir(opt.keep_dir);
        const bool with_auto = supports_repeat_auto(opt, work);
        print_header({opt.pss_run, opt.suite, opt.plain_suite, opt.filter, opt.rounds, opt.timeout,
                      opt.load_processes, with_auto, opt.keep_dir});
        Bench bench(opt, work);
        std::vector<ConditionResults> all;
        for (const auto& condition : opt.conditions) {
            if (interrupted()) break;
            all.push_back(bench.run_condition(condition, with_auto));
            print_condition(all.back());
        }
        print_goals(all, with_auto);
        if (interrupted()) status = 128 + interrupted();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_detection: %s\n", e.what());
        status = 1;
    }
    if (opt.keep_dir.empty() && !work.empty()) {
        std::error_code ignored;
        fs::remove_all(work, ignored);
    }
    return status;
}
