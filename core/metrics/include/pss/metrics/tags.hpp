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
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
// Keeping the list's pointer is the point of a parameter-only view.
#pragma GCC diagnostic ignored "-Winit-list-lifetime"
#endif
    Tags(std::initializer_list<Tag> tags) noexcept : data_(tags.begin()), size_(tags.size()) {}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
    Tags(const std::vector<Tag>& tags) noexcept : data_(tags.data()), size_(tags.size()) {}
    Tags(const TagSet& tags) noexcept : data_(tags.data()), size_(tags.size() | pairs_flag) {}
    constexpr Tags(const Tag* tags, std::size_t size) noexcept : data_(tags), size_(size) {}

    std::size_t size() const noexcept { return size_ & ~pairs_flag; }
    bool empty() const noexcept { return size() == 0; }
    Tag operator[](std::size_t i) const noexcept { return {key(i), value(i)}; }
    // Each field on its own: the hot paths read them this way, as 8-byte
    // words, never as one 16-byte load of a Tag the caller has just written
    // (that stalls on store forwarding).
    std::string_view key(std::size_t i) const noexcept {
        if (size_ & pairs_flag) return static_cast<const std::pair<std::string, std::string>*>(data_)[i].first;
        const Tag& t = static_cast<const Tag*>(data_)[i];
        return std::string_view(t.key.data(), t.key.size());
    }
    std::string_view value(std::size_t i) const noexcept {
        if (size_ & pairs_flag) return static_cast<const std::pair<std::string, std::string>*>(data_)[i].second;
        const Tag& t = static_cast<const Tag*>(data_)[i];
        return std::string_view(t.value.data(), t.value.size());
    }

private:
    // Two words, so that calls pass it in registers (a larger view went
    // through the stack and cost a store-forwarding stall per call). The top
    // bit of size_ says the data are TagSet pairs rather than Tags.
    static constexpr std::size_t pairs_flag = ~(~std::size_t{0} >> 1);
    const void* data_ = nullptr;
    std::size_t size_ = 0;
};

}  // namespace pss::metrics
