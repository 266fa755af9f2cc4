// Runner overhead: `pss-run --repeat 10` against ten bare runs of the same
// binary, measured in the same run (best of several rounds, since the
// machines are shared). Goal: pss-run <= 1.05 x bare + 100 ms.
//
//   bench_runner_overhead [--rounds N] [PSS_RUN [BINARY...]]
//
// Without binaries it measures the example suite (its passing tests) in
// listener and native mode. With binaries (GoogleTest or Catch2 v2, with or
// without pss; e.g. fmt's format-test, Catch2's SelfTest) it measures each
// as a user runs it: ten bare runs with no arguments against `pss-run
// --repeat 10` with the listener (when the binary links one) and `--mode
// native` (with and without the confirmation re-runs).
#include <spawn.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

extern char** environ;

namespace {

double run_quiet(const std::vector<std::string>& argv) {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    const auto start = std::chrono::steady_clock::now();
    pid_t pid = 0;
    if (posix_spawn(&pid, args[0], &fa, nullptr, args.data(), environ) != 0) {
        std::fprintf(stderr, "cannot run %s\n", args[0]);
        std::exit(1);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    posix_spawn_file_actions_destroy(&fa);
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

template <class F>
double best_of(int rounds, F f) {
    double best = 1e300;
    for (int i = 0; i < rounds; ++i) best = std::min(best, f());
    return best;
}

constexpr int repeat = 10;

void print_line(const char* what, double t, double bare) {
    const bool ok = t <= 1.05 * bare + 0.100;
    std::printf("  %-36s %8.1f ms  ratio %.3f  excess over 1.05x %+7.1f ms  %s\n", what, t * 1e3, t / bare,
                (t - 1.05 * bare) * 1e3, ok ? "within goal (<= 1.05x + 100 ms)" : "OVER goal (1.05x + 100 ms)");
}

// Ten bare runs of `binary args...`, timed as a whole.
double bare_runs(int rounds, const std::string& binary, const std::vector<std::string>& args) {
    return best_of(rounds, [&] {
        std::vector<std::string> cmd{binary};
        cmd.insert(cmd.end(), args.begin(), args.end());
        double total = 0;
        for (int i = 0; i < repeat; ++i) total += run_quiet(cmd);
        return total;
    });
}

double pss_runs(int rounds, const std::string& pss_run, const std::string& binary, std::vector<std::string> options) {
    std::vector<std::string> cmd{pss_run, "--repeat", std::to_string(repeat)};
    cmd.insert(cmd.end(), options.begin(), options.end());
    cmd.insert(cmd.end(), {"--", binary});
    return best_of(rounds, [&] { return run_quiet(cmd); });
}

void example_suite(int rounds, const std::string& pss_run) {
    const std::string binary = EXAMPLE_BINARY;
    const std::string filter = "Stable.*:Branching.*:Latency.*";  // the passing tests: no confirmation re-runs
    const double bare = bare_runs(rounds, binary, {"--gtest_filter=" + filter});
    std::printf("runner overhead, %d repetitions of %s (best of %d rounds)\n", repeat, binary.c_str(), rounds);
    std::printf("  ten bare runs                        %8.1f ms  (baseline)\n", bare * 1e3);
    print_line("pss-run (listener, in-process)", pss_runs(rounds, pss_run, binary, {"--filter", filter, "--no-confirm"}),
               bare);
    print_line("pss-run --fresh-process",
               pss_runs(rounds, pss_run, binary, {"--filter", filter, "--no-confirm", "--fresh-process"}), bare);
    print_line("pss-run --mode native",
               pss_runs(rounds, pss_run, binary, {"--filter", filter, "--no-confirm", "--mode", "native"}), bare);
}

// Whether the binary links a pss listener (the string its session reads).
bool has_listener(const std::string& binary) {
    std::FILE* f = std::fopen(binary.c_str(), "rb");
    if (f == nullptr) return false;
    std::string content;
    char buffer[1 << 16];
    for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, f)) > 0;) content.append(buffer, n);
    std::fclose(f);
    return content.find("PSS_TRACE_FILE") != std::string::npos;
}

void user_binary(int rounds, const std::string& pss_run, const std::string& binary) {
    const double bare = bare_runs(rounds, binary, {});
    std::printf("runner overhead, %d repetitions of %s (best of %d rounds)\n", repeat, binary.c_str(), rounds);
    std::printf("  ten bare runs                        %8.1f ms  (baseline)\n", bare * 1e3);
    if (has_listener(binary)) {  // as a user runs it: the listener's records
        print_line("pss-run (listener)", pss_runs(rounds, pss_run, binary, {}), bare);
        print_line("pss-run (listener) --no-confirm", pss_runs(rounds, pss_run, binary, {"--no-confirm"}), bare);
    }
    print_line("pss-run --mode native", pss_runs(rounds, pss_run, binary, {"--mode", "native"}), bare);
    print_line("pss-run --mode native --no-confirm",
               pss_runs(rounds, pss_run, binary, {"--mode", "native", "--no-confirm"}), bare);
}

}  // namespace

int main(int argc, char** argv) {
    int rounds = 3;
    std::vector<std::string> positional;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--rounds" && i + 1 < argc) rounds = std::max(1, std::atoi(argv[++i]));
        else positional.push_back(arg);
    }
    const std::string pss_run = positional.empty() ? PSS_RUN_EXE : positional[0];
    if (positional.size() <= 1) {
        example_suite(rounds, pss_run);
        return 0;
    }
    for (std::size_t i = 1; i < positional.size(); ++i) user_binary(rounds, pss_run, positional[i]);
    return 0;
}
