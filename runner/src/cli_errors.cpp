#include "cli_errors.hpp"

#include <algorithm>
#include <regex>

#include <fmt/format.h>

#include "pss/text/width.hpp"

namespace pss::cli {

namespace {

const CLI::App* find_command(const CLI::App& app, const std::string& name) {
    for (const CLI::App* sub : app.get_subcommands({}))
        if (sub->get_name() == name) return sub;
    return nullptr;
}

std::vector<std::string> command_names(const CLI::App& app) {
    std::vector<std::string> out;
    for (const CLI::App* sub : app.get_subcommands({})) out.push_back(sub->get_name());
    return out;
}

// The options `command` accepts (its own and pss's), by every name they have.
struct KnownOption {
    std::string name;  // "--repeat", "-j"
    bool takes_value;
};
std::vector<KnownOption> options_of(const CLI::App& app, const CLI::App* command) {
    std::vector<KnownOption> out;
    for (const CLI::App* a : {command, &app}) {
        if (!a) continue;
        for (const CLI::Option* opt : a->get_options()) {
            if (!opt->nonpositional()) continue;
            for (const auto& l : opt->get_lnames()) out.push_back({"--" + l, opt->get_expected_min() > 0});
            for (const auto& s : opt->get_snames()) out.push_back({"-" + s, opt->get_expected_min() > 0});
        }
    }
    return out;
}

const KnownOption* find_option(const std::vector<KnownOption>& known, const std::string& token) {
    std::string name = token.substr(0, token.find('='));
    if (name.size() > 2 && name[0] == '-' && name[1] != '-') name = name.substr(0, 2);  // -j4
    for (const auto& k : known)
        if (k.name == name) return &k;
    return nullptr;
}

bool looks_like_option(const std::string& token) {
    if (token.size() < 2 || token[0] != '-') return false;
    const char c = token[1];
    return !(c >= '0' && c <= '9') && c != '.';  // -5 and -.5 are numbers
}

std::string unknown_option(const std::string& token, const std::vector<KnownOption>& known,
                           const std::string& where) {
    std::vector<std::string> names;
    for (const auto& k : known) names.push_back(k.name);
    const std::string name = token.substr(0, token.find('='));
    return fmt::format("unknown option '{}'{}.{}", name, where, did_you_mean(name, names));
}

}  // namespace

std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates) {
    const std::string* best = nullptr;
    std::size_t best_distance = std::max<std::size_t>(2, word.size() / 3) + 1;
    for (const auto& c : candidates) {
        std::size_t d = text::edit_distance(word, c);
        if (c.size() > word.size() && c.compare(0, word.size(), word) == 0 && word.size() >= 3) d = 1;  // a prefix
        if (d < best_distance) {
            best_distance = d;
            best = &c;
        }
    }
    return best ? fmt::format(" Did you mean '{}'?", *best) : std::string();
}

std::vector<std::string> check_arguments(const CLI::App& app, std::vector<std::string> args) {
    // The command: the first word that is not an option of pss itself.
    const auto top = options_of(app, nullptr);
    std::size_t at = 0;
    while (at < args.size() && looks_like_option(args[at])) {
        const KnownOption* k = find_option(top, args[at]);
        if (!k) {
            if (args[at] == "--") break;
            throw UsageError(unknown_option(args[at], top, "") + " Options of a command go after it: pss COMMAND --help.", "");
        }
        at += k->takes_value && args[at].find('=') == std::string::npos ? 2 : 1;
    }
    if (at >= args.size()) {
        for (const auto& a : args)
            if (a == "--help" || a == "-h" || a == "--version") return args;
        throw UsageError(fmt::format("no command given. Commands: {}.", fmt::join(command_names(app), ", ")), "");
    }
    const CLI::App* command = find_command(app, args[at]);
    if (!command)
        throw UsageError(fmt::format("unknown command '{}'.{} Commands: {}.", args[at],
                                     did_you_mean(args[at], command_names(app)), fmt::join(command_names(app), ", ")),
                         "");
    const std::string name = command->get_name();
    const auto known = options_of(app, command);

    // Options before the "--" must be known; after it (run only) they are
    // moved in front of it, so they may follow the binaries.
    std::vector<std::string> out(args.begin(), args.begin() + static_cast<std::ptrdiff_t>(at) + 1);
    std::vector<std::string> positionals;
    bool after_dashes = false;
    for (std::size_t i = at + 1; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--" && !after_dashes) {
            after_dashes = true;
            continue;
        }
        if (!looks_like_option(a) || (after_dashes && name != "run")) {
            (after_dashes ? positionals : out).push_back(a);
            continue;
        }
        const KnownOption* k = find_option(known, a);
        if (!k)
            throw UsageError(unknown_option(a, known, after_dashes ? " after the binaries" : "") +
                                 (after_dashes ? " Arguments for the test binaries go after a second --." : ""),
                             name);
        out.push_back(a);
        if (k->takes_value && a.find('=') == std::string::npos && a.size() == k->name.size() && i + 1 < args.size() &&
            args[i + 1] != "--")
            out.push_back(args[++i]);
    }
    if (after_dashes) {
        out.push_back("--");
        out.insert(out.end(), positionals.begin(), positionals.end());
    }
    return out;
}

std::string explain(const CLI::ParseError& e) {
    const std::string m = e.what();
    // std::regex matches recursively, a stack frame or more per character: a
    // value of 100 KB crashed pss here. A message that long is no typo to
    // explain; it is shown shortened.
    constexpr std::size_t longest_explained = 4096;
    if (m.size() > longest_explained) return fmt::format("{}... ({} characters)", m.substr(0, 200), m.size());
    std::smatch g;
    // "--repeat: Value abc not in range 1 to 100000"
    if (std::regex_match(m, g, std::regex(R"((\S+): Value (.*) not in range (\S+) to (\S+))"))) {
        const std::string value = g[2];
        const bool number = std::regex_match(value, std::regex(R"([-+]?[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?)"));
        return number ? fmt::format("{} {} is out of range: give a number from {} to {}.", g[1].str(), value, g[3].str(),
                                    g[4].str())
                      : fmt::format("{} takes a number from {} to {}, not '{}'.", g[1].str(), g[3].str(), g[4].str(), value);
    }
    // "--mode: foo not in {auto,listener,native,isolate}"
    if (std::regex_match(m, g, std::regex(R"((\S+): (.*) not in \{(.*)\})"))) {
        std::vector<std::string> choices;
        const std::string all = g[3];
        for (std::size_t from = 0; from <= all.size();) {
            const std::size_t to = std::min(all.find(',', from), all.size());
            choices.push_back(all.substr(from, to - from));
            from = to + 1;
        }
        return fmt::format("{} takes one of {}, not '{}'.{}", g[1].str(), fmt::join(choices, ", "), g[2].str(),
                           did_you_mean(g[2], choices));
    }
    // "--json: 1 required TEXT missing"
    if (std::regex_match(m, g, std::regex(R"((\S+): \d+ required .* missing)")))
        return fmt::format("{} needs a value after it (for example {} {}).", g[1].str(), g[1].str(),
                           g[1].str() == "--repeat" || g[1].str() == "--timeout" ? "10" : "FILE");
    // "--from is required"
    if (std::regex_match(m, g, std::regex(R"((\S+) is required)")))
        return fmt::format("{} is required.", g[1].str());
    // "Value abc is not a positive number" and other checks: name the option when CLI11 did.
    if (std::regex_match(m, g, std::regex(R"((--\S+): (.*))"))) return fmt::format("{}: {}", g[1].str(), g[2].str());
    if (std::regex_match(m, g, std::regex(R"(The following arguments? (was|were) not expected: (.*))")))
        return fmt::format("unexpected argument{} {}.", g[1].str() == "were" ? "s" : "", g[2].str());
    return m;
}

}  // namespace pss::cli
