// Runner overhead: `pss-run --repeat 10` against ten bare runs of the same
// binary, measured in the same run (best of several rounds, since the
// machines are shared). Goal: pss-run <= 1.05 x bare + 100 ms.
#include <spawn.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
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

}  // namespace

int main(int argc, char** argv) {
    const std::string pss_run = argc > 1 ? argv[1] : PSS_RUN_EXE;
    const std::string binary = argc > 2 ? argv[2] : EXAMPLE_BINARY;
    const std::string filter = "Stable.*:Branching.*:Latency.*";  // the passing tests: no confirmation re-runs
    const int repeat = 10, rounds = 3;

    const double bare = best_of(rounds, [&] {
        double total = 0;
        for (int i = 0; i < repeat; ++i) total += run_quiet({binary, "--gtest_filter=" + filter});
        return total;
    });
    auto pss = [&](std::vector<std::string> extra) {
        std::vector<std::string> cmd{pss_run, "--repeat", std::to_string(repeat), "--filter", filter, "--no-confirm"};
        cmd.insert(cmd.end(), extra.begin(), extra.end());
        cmd.insert(cmd.end(), {"--", binary});
        return best_of(rounds, [&] { return run_quiet(cmd); });
    };
    const double listener = pss({});
    const double fresh = pss({"--fresh-process"});
    const double native = pss({"--mode", "native"});

    std::printf("runner overhead, %d repetitions of %s (best of %d rounds)\n", repeat, binary.c_str(), rounds);
    std::printf("  ten bare runs                     %8.1f ms  (baseline)\n", bare * 1e3);
    auto line = [&](const char* what, double t) {
        const bool ok = t <= 1.05 * bare + 0.100;
        std::printf("  %-33s %8.1f ms  ratio %.3f  excess over 1.05x %+7.1f ms  %s\n", what, t * 1e3, t / bare,
                    (t - 1.05 * bare) * 1e3, ok ? "within goal (<= 1.05x + 100 ms)" : "OVER goal (1.05x + 100 ms)");
    };
    line("pss-run (listener, in-process)", listener);
    line("pss-run --fresh-process", fresh);
    line("pss-run --mode native", native);
    return 0;
}
