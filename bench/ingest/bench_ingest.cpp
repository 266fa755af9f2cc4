// pss analyze at scale: streaming ingest (bounded memory, sketches past the
// cap) against the plain exact path (whole file in memory, every sample
// kept), on a generated trace file, in one run. Prints MB/s, records/s and
// peak RSS of each, their ratios, and how far the streaming scores are from
// the exact ones. Each path runs in a child process so that its peak RSS is
// its own.
//
//   bench_ingest [--records N] [--tests N] [--file PATH] [--threads N] [--no-exact] [--compressed]
//
// --file PATH uses that trace file, generating it first (and keeping it) when it is missing.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <zlib.h>
#include <zstd.h>

#include "pss/scoring/analyzer.hpp"
#include "pss/ingest/trace_reader.hpp"
#include "trace_generator.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

struct RunResult {
    std::string label;
    double seconds = 0;
    std::uint64_t records = 0, text_bytes = 0, input_bytes = 0;
    double peak_rss_mb = 0;
    int overall_pss = 0;
    std::map<std::string, int> test_pss;  // "module/name" -> PSS
    bool ok = false;
};

// --- child side: one path, results to a file -------------------------------

int run_child(const std::string& mode, const std::string& trace, const std::string& result_file, unsigned threads) {
    const auto start = Clock::now();
    pss::ReadStats read;
    std::string text;
    pss::Analyzer analyzer(mode == "exact" ? pss::AnalyzerOptions::exact() : pss::AnalyzerOptions{});
    if (mode == "exact") {
        // What pss analyze did before streaming: the whole file in memory, then parsed.
        std::ifstream in(trace, std::ios::binary);
        text.resize(static_cast<std::size_t>(fs::file_size(trace)));
        in.read(text.data(), static_cast<std::streamsize>(text.size()));
        read = pss::read_trace_text(text, [&](const pss::TraceRecord& r) { analyzer.add(r); });
    } else {
        // Streaming, reading only the fields the Analyzer uses (ReadOptions::fields).
        pss::ReadOptions options;
        options.threads = threads;
        options.fields.assign(pss::Analyzer::fields_read().begin(), pss::Analyzer::fields_read().end());
        if (mode == "parse")
            read = pss::read_trace_file(trace, [](const pss::TraceRecord&) {}, options);
        else
            read = pss::read_trace_file(trace, [&](const pss::TraceRecord& r) { analyzer.add(r); }, options);
    }
    const pss::Analysis a = analyzer.result(pss::ScoringConfig{});
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    std::ofstream out(result_file);
    out << fmt::format("{} {} {} {}\n", seconds, read.records, read.text_bytes, a.overall.score.pss);
    for (const auto& t : a.tests) out << t.score.pss << '\t' << t.module << '/' << t.name << '\n';
    return out ? 0 : 1;
}

// --- parent side ------------------------------------------------------------

RunResult run_path(const std::string& label, const std::string& mode, const fs::path& trace, unsigned threads,
                   const fs::path& scratch) {
    RunResult r;
    r.label = label;
    r.input_bytes = fs::file_size(trace);
    const fs::path result_file = scratch / ("result-" + mode + std::to_string(threads));
    std::fflush(stdout);
    const pid_t pid = fork();
    if (pid == 0) {
        const std::string threads_arg = std::to_string(threads);
        execl("/proc/self/exe", "bench_ingest", "--child", mode.c_str(), trace.c_str(), result_file.c_str(),
              threads_arg.c_str(), static_cast<char*>(nullptr));
        _exit(127);
    }
    int status = 0;
    struct rusage usage {};
    if (pid < 0 || wait4(pid, &status, 0, &usage) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fmt::print(stderr, "bench_ingest: the {} run failed\n", label);
        return r;
    }
    r.peak_rss_mb = static_cast<double>(usage.ru_maxrss) / 1024.0;  // kilobytes on Linux
    std::ifstream in(result_file);
    in >> r.seconds >> r.records >> r.text_bytes >> r.overall_pss;
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) {
        const auto tab = line.find('\t');
        r.test_pss[line.substr(tab + 1)] = std::stoi(line.substr(0, tab));
    }
    r.ok = true;
    fs::remove(result_file);
    return r;
}

void print_row(const RunResult& r) {
    if (!r.ok) return;
    fmt::print("{:<38} {:>8.2f} {:>9.1f} {:>12.0f} {:>10.1f} MB\n", r.label, r.seconds,
               static_cast<double>(r.text_bytes) / 1e6 / r.seconds, static_cast<double>(r.records) / r.seconds,
               r.peak_rss_mb);
}

void compare(const RunResult& streaming, const RunResult& exact) {
    if (!streaming.ok || !exact.ok) return;
    int worst = 0;
    std::size_t same = 0;
    for (const auto& [test, pss] : exact.test_pss) {
        const auto it = streaming.test_pss.find(test);
        if (it == streaming.test_pss.end()) continue;
        worst = std::max(worst, std::abs(it->second - pss));
        same += it->second == pss;
    }
    fmt::print("  {}: {:.2f}x the speed, {:.3f}x the peak RSS of the exact path; overall PSS {} vs {}; "
               "tests: {} of {} identical, largest difference {} point{}\n",
               streaming.label, exact.seconds / streaming.seconds, streaming.peak_rss_mb / exact.peak_rss_mb,
               streaming.overall_pss, exact.overall_pss, same, exact.test_pss.size(), worst, worst == 1 ? "" : "s");
}

// gzip (level 1) or zstd (level 3) copy of `from`, for the compressed runs.
void compress(const fs::path& from, const fs::path& to, bool zstd) {
    std::ifstream in(from, std::ios::binary);
    std::vector<char> buf(1 << 20);
    if (!zstd) {
        gzFile gz = gzopen(to.c_str(), "wb1");
        while (in.read(buf.data(), static_cast<std::streamsize>(buf.size())) || in.gcount() > 0)
            gzwrite(gz, buf.data(), static_cast<unsigned>(in.gcount()));
        gzclose(gz);
        return;
    }
    std::ofstream out(to, std::ios::binary);
    ZSTD_CCtx* cctx = ZSTD_createCCtx();
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, 3);
    std::vector<char> obuf(ZSTD_CStreamOutSize());
    bool last = false;
    while (!last) {
        in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        const auto n = static_cast<std::size_t>(in.gcount());
        last = n < buf.size();
        ZSTD_inBuffer input{buf.data(), n, 0};
        bool finished = false;
        while (!finished) {
            ZSTD_outBuffer output{obuf.data(), obuf.size(), 0};
            const std::size_t left = ZSTD_compressStream2(cctx, &output, &input, last ? ZSTD_e_end : ZSTD_e_continue);
            out.write(obuf.data(), static_cast<std::streamsize>(output.pos));
            finished = last ? left == 0 : input.pos == input.size;
        }
    }
    ZSTD_freeCCtx(cctx);
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.size() == 5 && args[0] == "--child")
        return run_child(args[1], args[2], args[3], static_cast<unsigned>(std::stoul(args[4])));

    pss::bench::TraceShape shape;
    fs::path file;
    bool exact = true, compressed = false;
    unsigned threads = std::max(2u, std::thread::hardware_concurrency());
    for (std::size_t i = 0; i < args.size(); ++i) {
        auto value = [&]() -> std::string {
            if (i + 1 >= args.size()) {
                fmt::print(stderr, "bench_ingest: {} needs a value\n", args[i]);
                std::exit(2);
            }
            return args[++i];
        };
        if (args[i] == "--records") shape.records = std::stoull(value());
        else if (args[i] == "--tests") shape.tests = static_cast<unsigned>(std::stoul(value()));
        else if (args[i] == "--file") file = value();
        else if (args[i] == "--threads") threads = static_cast<unsigned>(std::stoul(value()));
        else if (args[i] == "--no-exact") exact = false;
        else if (args[i] == "--compressed") compressed = true;
        else {
            fmt::print(stderr,
                       "usage: bench_ingest [--records N] [--tests N] [--file PATH] [--threads N] "
                       "[--no-exact] [--compressed]\n");
            return 2;
        }
    }
    const fs::path scratch = fs::temp_directory_path() / fmt::format("pss-bench-ingest-{}", getpid());
    fs::create_directories(scratch);
    const bool generated = file.empty() || !fs::exists(file);
    if (file.empty()) file = scratch / "traces.ndjson";
    if (generated) {
        const auto start = Clock::now();
        pss::bench::write_trace_file(file, shape);
        fmt::print("generated {} records of {} tests in {:.1f} s\n", shape.records, shape.tests,
                   std::chrono::duration<double>(Clock::now() - start).count());
    }
    fmt::print("input: {} ({:.1f} MB)\n\n", file.string(), static_cast<double>(fs::file_size(file)) / 1e6);
    fmt::print("{:<38} {:>8} {:>9} {:>12} {:>13}\n", "path", "seconds", "MB/s", "records/s", "peak RSS");

    std::vector<RunResult> runs;
    runs.push_back(run_path("parse only, 1 thread (no scoring)", "parse", file, 1, scratch));
    runs.push_back(run_path("streaming, 1 thread", "stream", file, 1, scratch));
    runs.push_back(run_path(fmt::format("streaming, {} threads", threads), "stream", file, threads, scratch));
    RunResult exact_run;
    if (exact) exact_run = run_path("exact (whole file, every sample)", "exact", file, 1, scratch);
    for (const auto& r : runs) print_row(r);
    print_row(exact_run);
    if (compressed) {
        for (bool zstd : {false, true}) {
            const fs::path packed = scratch / (zstd ? "traces.ndjson.zst" : "traces.ndjson.gz");
            compress(file, packed, zstd);
            RunResult r = run_path(fmt::format("streaming {}, {} threads", zstd ? ".zst" : ".gz", threads), "stream",
                                   packed, threads, scratch);
            print_row(r);
            fmt::print("{:<38} (file {:.1f} MB)\n", "", static_cast<double>(fs::file_size(packed)) / 1e6);
            fs::remove(packed);
        }
    }
    if (exact) {
        fmt::print("\nratios (MB/s are of text; the exact path holds the file and every sample):\n");
        compare(runs[1], exact_run);
        compare(runs[2], exact_run);
    }
    std::error_code ec;
    fs::remove_all(scratch, ec);
    return 0;
}
