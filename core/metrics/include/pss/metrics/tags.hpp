// Tags: the key/value pairs that, with the name, identify a metric series.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pss::metrics {

struct Tag {
    std::string_view key;
    std::string_view value;
};

// An owning set of tags as the snapshots report them: sorted by key, each key
// once.
using TagSet = std::vector<std::pair<std::string, std::string>>;

// A non-owning view of the tags passed to one call: a braced list
// (`{{"table", "users"}, {"op", "read"}}`), a std::vector<Tag> or a TagSet.
// It refers to the caller's storage, so it is meant for parameters only (a
// braced list ends with the statement that wrote it).
//
// The order of the tags does not matter. A key given twice keeps the value
// given last.
class Tags {
public:
    constexpr Tags() noexcept = default;
    constexpr Tags(std::initializer_list<Tag> tags) noexcept : list_(tags), tags_(nullptr), size_(tags.size()) {
        tags_ = list_.begin();
    }
    Tags(const std::vector<Tag>& tags) noexcept : tags_(tags.data()), size_(tags.size()) {}
    Tags(const TagSet& tags) noexcept : pairs_(tags.data()), size_(tags.size()) {}
    constexpr Tags(const Tag* tags, std::size_t size) noexcept : tags_(tags), size_(size) {}

    constexpr std::size_t size() const noexcept { return size_; }
    constexpr bool empty() const noexcept { return size_ == 0; }
    Tag operator[](std::size_t i) const noexcept {
        return tags_ != nullptr ? tags_[i] : Tag{pairs_[i].first, pairs_[i].second};
    }

private:
    std::initializer_list<Tag> list_;
    const Tag* tags_ = nullptr;
    const std::pair<std::string, std::string>* pairs_ = nullptr;
    std::size_t size_ = 0;
};

}  // namespace pss::metrics
