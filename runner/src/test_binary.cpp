#include "test_binary.hpp"

#include <sys/mman.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

#include <fmt/format.h>

#include "child_process.hpp"
#include "cli_support.hpp"

namespace pss::runner {

namespace {

struct Markers {
    bool gtest = false, catch2 = false, listener = false;
};

// Framework and listener leave recognisable strings in the binary: cheaper
// and safer than guessing from how an unknown program answers options.
Markers scan_markers(const std::string& path) {
    Markers m;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return m;
    struct stat st {};
    if (::fstat(fd, &st) == 0 && st.st_size > 0) {
        void* map = ::mmap(nullptr, static_cast<std::size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
        if (map != MAP_FAILED) {
            const auto size = static_cast<std::size_t>(st.st_size);
            auto has = [&](std::string_view s) { return ::memmem(map, size, s.data(), s.size()) != nullptr; };
            m.gtest = has("gtest_list_tests");
            m.catch2 = has("list-test-names-only");
            m.listener = has("PSS_TRACE_FILE");
            ::munmap(map, size);
        }
    }
    ::close(fd);
    return m;
}

std::string list_output(const std::string& path, std::vector<std::string> args, int& exit_code) {
    args.insert(args.begin(), path);
    ChildOptions opt;
    opt.argv = std::move(args);
    opt.tail_bytes = 64 * 1024 * 1024;
    opt.env = {{"PSS_TRACE_FILE", ""}};
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    ChildResult r = run_child(opt, [](std::string_view) {}, [&] { return std::chrono::steady_clock::now() > deadline; });
    if (r.spawn_failed)
        throw cli::CommandError(cli::exit_cannot_run, fmt::format("cannot run '{}': {}", path, r.spawn_error));
    if (r.killed_by_watchdog)
        throw cli::CommandError(cli::exit_cannot_run,
                                fmt::format("'{}' did not list its tests within 60 s; is it a test binary?", path));
    exit_code = r.signal ? 128 + r.signal : r.exit_code;
    return r.output_tail;
}

}  // namespace

std::vector<std::string> parse_gtest_list(std::string_view output, bool include_disabled) {
    std::vector<std::string> tests;
    std::string suite;
    std::size_t pos = 0;
    while (pos < output.size()) {
        std::size_t nl = output.find('\n', pos);
        if (nl == std::string_view::npos) nl = output.size();
        std::string_view line = output.substr(pos, nl - pos);
        pos = nl + 1;
        if (const auto hash = line.find("  #"); hash != std::string_view::npos) line = line.substr(0, hash);
        while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.remove_suffix(1);
        if (line.empty()) continue;
        if (line[0] != ' ') {
            if (line.back() == '.') suite = std::string(line.substr(0, line.size() - 1));
            else suite.clear();  // not list output (a banner, a warning)
            continue;
        }
        if (suite.empty()) continue;
        const std::string_view test = line.substr(line.find_first_not_of(' '));
        const bool disabled = test.rfind("DISABLED_", 0) == 0 || suite.rfind("DISABLED_", 0) == 0 ||
                              suite.find("/DISABLED_") != std::string::npos;
        if (disabled && !include_disabled) continue;
        tests.push_back(suite + "." + std::string(test));
    }
    return tests;
}

std::string catch2_exact_spec(std::string_view name) {
    // Catch2 test specs treat , [ ] " * \ and a leading ~ specially.
    std::string out;
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        if (c == ',' || c == '[' || c == ']' || c == '"' || c == '*' || c == '\\' || (c == '~' && i == 0))
            out += '\\';
        out += c;
    }
    return out;
}

TestBinary inspect_binary(const std::string& path, const std::string& filter) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::exists(path, ec))
        throw cli::CommandError(cli::exit_cannot_run,
                                fmt::format("test binary '{}' does not exist. Build it first, or check the path.", path));
    if (fs::is_directory(path, ec) || ::access(path.c_str(), X_OK) != 0)
        throw cli::CommandError(cli::exit_cannot_run,
                                fmt::format("'{}' is not an executable file. Pass the test executable.", path));

    TestBinary b;
    b.path = path;
    b.name = fs::path(path).filename().string();
    const Markers m = scan_markers(path);
    b.has_listener = m.listener;
    if (!m.gtest && !m.catch2)
        throw cli::CommandError(
            cli::exit_cannot_run,
            fmt::format("'{}' is neither a GoogleTest nor a Catch2 test binary (no GoogleTest or Catch2 code found "
                        "in it). Pass a test executable built with GoogleTest or Catch2 v2; for a wrapper script, "
                        "pass the executable it runs.",
                        path));
    b.framework = m.gtest ? Framework::gtest : Framework::catch2;

    int code = 0;
    if (b.framework == Framework::gtest) {
        std::vector<std::string> args{"--gtest_list_tests"};
        if (!filter.empty()) args.push_back("--gtest_filter=" + filter);
        const bool include_disabled = false;
        const std::string out = list_output(path, args, code);
        if (code != 0)
            throw cli::CommandError(cli::exit_cannot_run,
                                    fmt::format("'{} --gtest_list_tests' failed (exit {}):\n{}", path, code, out));
        b.tests = parse_gtest_list(out, include_disabled);
    } else {
        std::vector<std::string> args{"--list-test-names-only"};
        if (!filter.empty()) args.push_back(filter);
        // Catch2 v2 exits with the number of tests listed: only a signal is a failure.
        const std::string out = list_output(path, args, code);
        if (code >= 128)
            throw cli::CommandError(cli::exit_cannot_run,
                                    fmt::format("'{} --list-test-names-only' crashed (exit {}):\n{}", path, code, out));
        std::size_t pos = 0;
        while (pos < out.size()) {
            std::size_t nl = out.find('\n', pos);
            if (nl == std::string::npos) nl = out.size();
            std::string line = out.substr(pos, nl - pos);
            pos = nl + 1;
            while (!line.empty() && line.back() == '\r') line.pop_back();
            if (!line.empty()) b.tests.push_back(line);
        }
    }
    return b;
}

}  // namespace pss::runner
