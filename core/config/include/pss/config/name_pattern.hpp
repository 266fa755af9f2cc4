// A pattern of a custom alert rule (module_pattern, test_pattern), searched
// in module and test names. RE2 syntax (Python's `re`, which pypss uses,
// without back-references and look-around), matched in time linear in the
// name: a hostile or 10 MB test name cannot crash or stall the alerts, as
// std::regex's recursive matcher did (a stack overflow past ~100 KB).
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace pss {

class NamePattern {
public:
    explicit NamePattern(const std::string& pattern);
    ~NamePattern();
    NamePattern(NamePattern&&) noexcept;
    NamePattern& operator=(NamePattern&&) noexcept;

    // Empty when the pattern compiled; otherwise why it did not.
    const std::string& error() const { return error_; }
    // Whether the pattern occurs anywhere in `name` (an empty pattern: always).
    bool found_in(std::string_view name) const;

private:
    struct Compiled;
    std::unique_ptr<Compiled> compiled_;
    std::string error_;
};

}  // namespace pss
