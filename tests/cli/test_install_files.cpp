// What ships beside the commands stays true to them: the man page and both
// shell completions know every option `--help` lists, bash completion
// completes, the sample pss.toml has every key at its default, and
// `cmake --install` puts all of it where man, bash and zsh look.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <set>

#include "process.hpp"
#include "pss/config/config.hpp"

using pss::test::read_file;
using pss::test::run_process;

namespace {

const std::string source = PSS_SOURCE_DIR;

// The long options `pss COMMAND --help` lists.
std::set<std::string> options_of(const std::string& command) {
    pss::test::ProcessOptions o;
    o.env["COLUMNS"] = "100";
    const auto r = run_process({PSS_EXE, command, "--help"}, o);
    std::set<std::string> out;
    const std::regex option(R"(^  (?:-\w, )?(--[a-z][a-z-]*))");
    std::size_t from = 0;
    for (std::size_t nl; (nl = r.out.find('\n', from)) != std::string::npos; from = nl + 1) {
        std::smatch m;
        const std::string line = r.out.substr(from, nl - from);
        if (std::regex_search(line, m, option)) out.insert(m[1]);
    }
    return out;
}

}  // namespace

TEST(InstallFiles, ManPageAndCompletionsKnowEveryOption) {
    const std::string man = read_file(source + "/docs/pss.1");
    const std::string bash = read_file(source + "/completions/pss.bash");
    const std::string zsh = read_file(source + "/completions/_pss");
    std::size_t checked = 0;
    for (const char* command : {"run", "merge", "analyze", "report", "history", "collect", "board", "exporter"}) {
        const auto options = options_of(command);
        EXPECT_GT(options.size(), 3u) << command;
        for (const auto& option : options) {
            std::string roff;  // the man page escapes each hyphen: \-\-repeat
            for (char c : option) roff += c == '-' ? std::string("\\-") : std::string(1, c);
            EXPECT_NE(man.find(roff), std::string::npos) << "docs/pss.1 lacks " << option << " of pss " << command;
            EXPECT_NE(bash.find(option), std::string::npos) << "pss.bash lacks " << option << " of pss " << command;
            EXPECT_NE(zsh.find(option), std::string::npos) << "_pss lacks " << option << " of pss " << command;
            ++checked;
        }
    }
    EXPECT_GT(checked, 50u);
}

TEST(InstallFiles, BashCompletesCommandsOptionsAndValues) {
    if (!std::filesystem::exists("/bin/bash")) GTEST_SKIP() << "no bash";
    auto complete = [](const std::string& words, int cword) {
        const std::string script = "source '" + source + "/completions/pss.bash'; COMP_WORDS=(" + words +
                                   "); COMP_CWORD=" + std::to_string(cword) + "; _pss; echo \"${COMPREPLY[*]}\"";
        return run_process({"/bin/bash", "-c", script}).out;
    };
    EXPECT_EQ(complete("pss his", 1), "history\n");
    EXPECT_EQ(complete("pss run --repe", 2), "--repeat\n");
    EXPECT_EQ(complete("pss-run --pr", 1), "--pr-comment\n");
    EXPECT_EQ(complete("pss run --mode na", 3), "native\n");
    EXPECT_EQ(complete("pss history --exp", 2), "--export\n");
}

TEST(InstallFiles, SamplePssTomlHasEveryKeyAtItsDefault) {
    const std::string sample = read_file(source + "/pss.toml.example");
    for (const auto& key : pss::config_keys())
        EXPECT_TRUE(std::regex_search(sample, std::regex("(^|\\n)#? ?(\\[\\[pss\\.)?" + key + "( =|\\]\\])")))
            << "pss.toml.example lacks " << key;
    // It loads as it is, without a warning, and gives the defaults.
    const pss::Config loaded = pss::load_config_file(source + "/pss.toml.example");
    EXPECT_TRUE(loaded.warnings.empty());
    const pss::Config defaults;
    EXPECT_EQ(pss::fingerprint(loaded.scoring), pss::fingerprint(defaults.scoring));
    EXPECT_EQ(loaded.runner.repeat, defaults.runner.repeat);
    EXPECT_EQ(loaded.runner.fail_below, defaults.runner.fail_below);
    EXPECT_EQ(loaded.alerts.enabled, defaults.alerts.enabled);
    EXPECT_DOUBLE_EQ(loaded.history.regression_alpha, defaults.history.regression_alpha);
}

TEST(InstallFiles, CmakeInstallPutsThemWhereToolsLook) {
    const std::string prefix = pss::test::make_temp_dir("pss-install");
    const auto r = run_process({CMAKE_COMMAND, "--install", PSS_BINARY_DIR, "--prefix", prefix, "--component", "docs"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    for (const char* file : {"share/man/man1/pss.1", "share/man/man1/pss-run.1",
                             "share/bash-completion/completions/pss", "share/bash-completion/completions/pss-run",
                             "share/zsh/site-functions/_pss", "share/doc/pss/LICENSE", "share/doc/pss/pss.toml.example",
                             "share/doc/pss/CHANGELOG.md"})
        EXPECT_TRUE(std::filesystem::exists(prefix + "/" + file)) << file;
    if (std::filesystem::exists("/usr/bin/man")) {
        pss::test::ProcessOptions o;
        o.env = {{"MANPAGER", "cat"}, {"COLUMNS", "80"}};
        const auto page = run_process({"/usr/bin/man", "-l", prefix + "/share/man/man1/pss.1"}, o);
        EXPECT_NE(page.out.find("pss-run"), std::string::npos) << page.err;
    }
    std::filesystem::remove_all(prefix);
}
