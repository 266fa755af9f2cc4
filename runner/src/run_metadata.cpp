#include "run_metadata.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>

#include "child_process.hpp"

namespace pss::cli {

namespace fs = std::filesystem;

namespace {

// First line of what `git ARGS` prints, run without a shell; empty when git
// is missing, this is not a checkout, or git takes longer than 5 seconds.
std::string git_output(std::vector<std::string> args) {
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
    if (git.empty()) return {};
    args.insert(args.begin(), git);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    const runner::ChildResult r = runner::run_child(
        {args, {}, 4096}, [](std::string_view) {}, [&] { return std::chrono::steady_clock::now() > deadline; });
    if (r.exit_code != 0) return {};
    std::string out = r.output_tail.substr(0, r.output_tail.find('\n'));
    while (!out.empty() && (out.back() == '\r' || out.back() == ' ')) out.pop_back();
    return out;
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
    if (meta.repository_root.empty()) meta.repository_root = git_output({"rev-parse", "--show-toplevel"});
    if (meta.git_commit.empty()) meta.git_commit = git_output({"rev-parse", "HEAD"});
    if (meta.git_branch.empty() && !meta.git_commit.empty()) {
        meta.git_branch = git_output({"rev-parse", "--abbrev-ref", "HEAD"});
        if (meta.git_branch == "HEAD") meta.git_branch.clear();  // detached
    }
}

}  // namespace pss::cli
