#include "pss/config/name_pattern.hpp"

#include <re2/re2.h>

namespace pss {

struct NamePattern::Compiled {
    re2::RE2 re;
    explicit Compiled(const std::string& pattern) : re(pattern, RE2::Quiet) {}
};

NamePattern::NamePattern(const std::string& pattern) : compiled_(std::make_unique<Compiled>(pattern)) {
    if (!compiled_->re.ok()) error_ = compiled_->re.error();
}

NamePattern::~NamePattern() = default;
NamePattern::NamePattern(NamePattern&&) noexcept = default;
NamePattern& NamePattern::operator=(NamePattern&&) noexcept = default;

bool NamePattern::found_in(std::string_view name) const {
    return error_.empty() && RE2::PartialMatch(re2::StringPiece(name.data(), name.size()), compiled_->re);
}

}  // namespace pss
