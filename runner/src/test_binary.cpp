#include "test_binary.hpp"

#include <elf.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "child_process.hpp"
#include "cli_support.hpp"
#include "test_lists.hpp"

namespace pss::runner {

namespace {

struct Markers {
    bool gtest = false, catch2 = false, listener = false;
};

// The parts of an ELF executable where string literals live: allocated,
// not executable, with contents (.rodata, .data.rel.ro, ...). Debug
// information, often most of a test binary (38 MB of Catch2's SelfTest
// against 130 KB of .rodata), is left out. Empty when this is not a 64-bit
// ELF file whose section table is inside it.
std::vector<std::string_view> data_sections(std::string_view file) {
    std::vector<std::string_view> out;
    Elf64_Ehdr eh;
    if (file.size() < sizeof eh) return out;
    std::memcpy(&eh, file.data(), sizeof eh);
    if (std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
        eh.e_shentsize != sizeof(Elf64_Shdr) || eh.e_shoff == 0 || eh.e_shoff > file.size() ||
        eh.e_shnum > (file.size() - eh.e_shoff) / sizeof(Elf64_Shdr))
        return out;
    for (std::size_t i = 0; i < eh.e_shnum; ++i) {
        Elf64_Shdr sh;
        std::memcpy(&sh, file.data() + eh.e_shoff + i * sizeof sh, sizeof sh);
        if (sh.sh_type != SHT_PROGBITS || !(sh.sh_flags & SHF_ALLOC) || (sh.sh_flags & SHF_EXECINSTR)) continue;
        if (sh.sh_offset > file.size() || sh.sh_size > file.size() - sh.sh_offset) continue;
        out.push_back(file.substr(sh.sh_offset, sh.sh_size));
    }
    return out;
}

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
            const std::string_view file(static_cast<const char*>(map), static_cast<std::size_t>(st.st_size));
            std::vector<std::string_view> parts = data_sections(file);
            if (parts.empty()) parts.push_back(file);  // not ELF as expected: the whole file
            auto has = [&](std::string_view s) {
                return std::any_of(parts.begin(), parts.end(), [&](std::string_view part) {
                    return ::memmem(part.data(), part.size(), s.data(), s.size()) != nullptr;
                });
            };
            m.gtest = has("gtest_list_tests");
            m.catch2 = has("list-test-names-only");
            m.listener = has("PSS_TRACE_FILE");
            ::munmap(map, file.size());
        }
    }
    ::close(fd);
    return m;
}

// A temporary file GoogleTest writes its JSON test list to; removed after.
struct ListFile {
    std::string path;
    ListFile() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "pss-list-XXXXXX").string();
        const int fd = ::mkstemp(tmpl.data());
        if (fd < 0) return;  // the text list alone then
        ::close(fd);
        path = tmpl;
    }
    ~ListFile() {
        if (!path.empty()) ::unlink(path.c_str());
    }
    ListFile(const ListFile&) = delete;
    ListFile& operator=(const ListFile&) = delete;
    std::string read() const {
        if (path.empty()) return {};
        std::ifstream in(path, std::ios::binary);
        return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
};

struct ListOutput {
    std::string text;
    int exit_code = 0;
    int signal = 0;  // the listing was killed by this signal
};

ListOutput list_output(const std::string& path, std::vector<std::string> args, bool stdout_only) {
    args.insert(args.begin(), path);
    ChildOptions opt;
    opt.discard_stderr = stdout_only;
    opt.argv = std::move(args);
    opt.tail_bytes = 64 * 1024 * 1024;
    opt.env = {{"PSS_TRACE_FILE", ""}};
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    ChildResult r = run_child(opt, [](std::string_view) {}, [&] { return std::chrono::steady_clock::now() > deadline; });
    if (r.spawn_failed)
        throw cli::CommandError(cli::exit_cannot_run, fmt::format("cannot run '{}': {}", path, r.spawn_error));
    if (interrupted())  // Ctrl-C or SIGTERM while listing: nothing ran, nothing to report
        throw cli::CommandError(static_cast<cli::ExitCode>(128 + interrupt_signal()), fmt::format("interrupted by {} while listing the tests of "
                                                                      "'{}'; no test ran",
                                                                      signal_name(interrupt_signal()), path));
    if (r.killed_by_watchdog)
        throw cli::CommandError(cli::exit_cannot_run,
                                fmt::format("'{}' did not list its tests within 60 s; is it a test binary?", path));
    return {std::move(r.output_tail), r.exit_code, r.signal};
}

// A Catch2 name holding a line break is listed on two lines or more:
// lines that end in '\r' (a "\r\n" inside the name) and, when Catch2's
// count says there are fewer names than lines, any line, are tried joined
// with the next ones. Catch2 itself says whether the joined name is a test
// (exactly one match for it as an exact test spec), a process a try: only
// suites with such names pay for it.
std::vector<std::string> rejoin_catch2_names(const std::string& path, const std::vector<std::string>& lines,
                                             std::optional<std::size_t> names_listed) {
    constexpr std::size_t max_tries = 64, max_lines_a_name = 4;
    std::size_t tries = 0, surplus = 0;
    std::vector<std::string> names;
    std::size_t nonempty = 0;
    for (const auto& l : lines) nonempty += !catch2_trimmed(l).empty();
    if (names_listed && *names_listed < nonempty) surplus = nonempty - *names_listed;
    auto is_test = [&](const std::string& name) {
        ++tries;
        const ListOutput out = list_output(path, {"--list-test-names-only", catch2_exact_spec(name)}, true);
        return out.signal == 0 && out.exit_code == 1;
    };
    for (std::size_t i = 0; i < lines.size();) {
        std::size_t taken = 1;
        std::string name = lines[i];
        const bool broken_crlf = !name.empty() && name.back() == '\r';
        if ((broken_crlf || surplus > 0) && tries < max_tries) {
            std::string joined = name;
            for (std::size_t k = 1; k < max_lines_a_name && i + k < lines.size() && tries < max_tries; ++k) {
                joined += '\n';
                joined += lines[i + k];
                if (is_test(catch2_trimmed(joined))) {
                    taken = k + 1;
                    surplus = surplus > k ? surplus - k : 0;
                    name = std::move(joined);
                    break;
                }
            }
        }
        if (auto trimmed = catch2_trimmed(name); !trimmed.empty()) names.push_back(std::move(trimmed));
        i += taken;
    }
    return names;
}

}  // namespace

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

    if (b.framework == Framework::gtest) {
        // GoogleTest 1.10+ also writes the list as JSON, where a name keeps
        // every byte (a newline in a RegisterTest name breaks the text list).
        const ListFile json_list;
        std::vector<std::string> args{"--gtest_list_tests"};
        if (!json_list.path.empty()) args.push_back("--gtest_output=json:" + json_list.path);
        if (!filter.empty()) args.push_back("--gtest_filter=" + filter);
        const bool include_disabled = false;
        const ListOutput out = list_output(path, args, false);
        const auto from_json = parse_gtest_json_list(json_list.read(), include_disabled);
        b.tests = from_json ? *from_json : parse_gtest_list(out.text, include_disabled);
        if (out.signal != 0 || out.exit_code != 0) {
            const std::string how = out.signal ? signal_name(out.signal) : fmt::format("exit {}", out.exit_code);
            if (!from_json)
                throw cli::CommandError(cli::exit_cannot_run, fmt::format("'{} --gtest_list_tests' failed ({}):\n{}",
                                                                          path, how, out.text));
            // The list was written in full before the failure (a static
            // destructor's abort, a sanitizer at exit): use it; the runs show
            // whether the binary also fails after its tests.
            cli::print_warning(fmt::format("'{} --gtest_list_tests' listed {} test{}, then failed ({}); the list is "
                                           "used",
                                           path, b.tests.size(), b.tests.size() == 1 ? "" : "s", how));
        }
    } else {
        std::vector<std::string> args{"--list-test-names-only"};
        if (!filter.empty()) args.push_back(filter);
        // Catch2 v2 exits with the number of tests listed (at most 255): only
        // a signal means the listing failed.
        const ListOutput out = list_output(path, args, true);
        if (out.signal != 0)
            throw cli::CommandError(cli::exit_cannot_run,
                                    fmt::format("'{} --list-test-names-only' was killed by {}:\n{}", path,
                                                signal_name(out.signal), out.text));
        b.tests = parse_catch2_list(out.text);
        const auto lines = catch2_list_lines(out.text);
        const bool crlf_in_a_name =
            std::any_of(lines.begin(), lines.end(), [](const std::string& l) { return !l.empty() && l.back() == '\r'; });
        if (crlf_in_a_name || (out.exit_code < 255 && b.tests.size() > static_cast<std::size_t>(out.exit_code)))
            b.tests = rejoin_catch2_names(path, lines,
                                          out.exit_code < 255 ? std::optional<std::size_t>(out.exit_code) : std::nullopt);
        const int listed = static_cast<int>(std::min<std::size_t>(b.tests.size(), 255));
        if (out.exit_code != listed)
            cli::print_warning(fmt::format(
                "'{} --list-test-names-only' printed {} lines but exited with {} (Catch2 v2 exits with the number of "
                "tests it listed): lines that are not test names will be reported as tests that never ran. Does the "
                "program print other text on stdout, or change Catch2's exit code in its main()?",
                path, b.tests.size(), out.exit_code));
    }
    return b;
}

}  // namespace pss::runner
