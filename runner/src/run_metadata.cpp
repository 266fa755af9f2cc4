#include "run_metadata.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>

#include "child_process.hpp"

namespace pss::cli {

namespace fs = std::filesystem;

namespace {

// The lines `git ARGS` prints, run without a shell; one empty line when git
// is missing, fails, or takes longer than 5 seconds.
std::vector<std::string> git_lines(std::vector<std::string> args) {
    std::string git;
    std::string path = env_or_empty("PATH");
    for (std::size_t from = 0; from <= path.size();) {
        const std::size_t to = std::min(path.find(':', from), path.size());
        const fs::path candidate = fs::path(path.substr(from, to - from)) / "git";
        if (to > from && ::access(candidate.c_str(), X_OK) == 0) {
            git = candidate.string();
            break;
        }
        from = to + 1;
    }
    if (git.empty()) return {""};
    args.insert(args.begin(), git);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    std::vector<std::string> lines;
    runner::ChildOptions options{args, {}, 4096};
    options.discard_stderr = true;
    const runner::ChildResult r = runner::run_child(
        options, [&](std::string_view line) { lines.emplace_back(line); },
        [&] { return std::chrono::steady_clock::now() > deadline; });
    if (r.exit_code != 0 || lines.empty()) return {""};
    for (auto& line : lines)
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    return lines;
}

}  // namespace


std::string hostname() {
    char buf[256] = {};
    return ::gethostname(buf, sizeof buf - 1) == 0 ? std::string(buf) : std::string();
}

std::string env_or_empty(const char* name) {
    const char* v = std::getenv(name);
    return v ? std::string(v) : std::string();
}

void fill_git_metadata(RunMetadata& meta) {
    for (const char* var : {"GITHUB_SHA", "CI_COMMIT_SHA", "BUILDKITE_COMMIT", "CIRCLE_SHA1", "GIT_COMMIT"})
        if (meta.git_commit = env_or_empty(var); !meta.git_commit.empty()) break;
    for (const char* var : {"GITHUB_HEAD_REF", "GITHUB_REF_NAME", "CI_COMMIT_REF_NAME", "BUILDKITE_BRANCH",
                            "CIRCLE_BRANCH", "GIT_BRANCH"})
        if (meta.git_branch = env_or_empty(var); !meta.git_branch.empty()) break;
    // Reports name source files relative to the checkout (GitLab, GitHub annotations).
    for (const char* var : {"GITHUB_WORKSPACE", "CI_PROJECT_DIR", "BUILDKITE_BUILD_CHECKOUT_PATH"})
        if (meta.repository_root = env_or_empty(var); !meta.repository_root.empty()) break;
    // One git process for what the environment did not say (each costs a
    // few milliseconds of every run): the top level, the commit, the branch.
    std::vector<std::string> args{"rev-parse"};
    std::size_t wanted = 0;
    if (meta.repository_root.empty()) args.push_back("--show-toplevel"), ++wanted;
    if (meta.git_commit.empty()) args.push_back("HEAD"), ++wanted;
    if (meta.git_branch.empty()) args.insert(args.end(), {"--abbrev-ref", "HEAD"}), ++wanted;
    if (wanted == 0) return;
    const std::vector<std::string> lines = git_lines(args);
    if (lines.size() != wanted) {
        // No commit yet (or not a checkout): the top level alone, if any.
        if (meta.repository_root.empty()) meta.repository_root = git_lines({"rev-parse", "--show-toplevel"}).front();
        return;
    }
    std::size_t next = 0;
    if (meta.repository_root.empty()) meta.repository_root = lines[next++];
    if (meta.git_commit.empty()) meta.git_commit = lines[next++];
    if (meta.git_branch.empty()) {
        meta.git_branch = lines[next++];
        if (meta.git_branch == "HEAD") meta.git_branch.clear();  // detached
    }
}

}  // namespace pss::cli
