#include "attempt_files.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <vector>

#include "pss/record/packed_record.hpp"

namespace pss::runner {

namespace {

// The mapped progress file's layout (core/runtime/src/progress_file.hpp; the
// listener in a test binary may come from another pss version, so this is a
// file format: tests/runner/test_attempt_files.cpp checks both sides agree).
constexpr std::size_t progress_bytes = 65536;
constexpr char progress_magic[8] = {'p', 's', 's', 'p', 'r', 'o', 'g', '1'};
constexpr std::size_t sequence_offset = 8;
constexpr std::size_t slots_offset = 16;
constexpr std::size_t slot_bytes = (progress_bytes - slots_offset) / 2;
constexpr std::size_t max_text_bytes = slot_bytes - 4;

class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }

private:
    int fd_;
};

std::string read_mapped_progress(const char* map) {
    const auto* sequence = reinterpret_cast<const std::uint32_t*>(map + sequence_offset);
    std::string text;
    for (int attempt = 0; attempt < 100000; ++attempt) {
        const std::uint32_t before = __atomic_load_n(sequence, __ATOMIC_ACQUIRE);
        const char* slot = map + slots_offset + (before & 1u) * slot_bytes;
        std::uint32_t length = 0;
        std::memcpy(&length, slot, 4);
        if (length > max_text_bytes) length = 0;
        text.assign(slot + 4, length);
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        if (__atomic_load_n(sequence, __ATOMIC_RELAXED) == before) return text;
    }
    // The writer publishes faster than we copy: it is making progress, and
    // a key that changes is all the watchdog needs to know.
    return "\t(changing)";
}

enum class PackedForm { none, plain, staged };

PackedForm packed_form(int fd, StagedHeader& header) {
    char head[staged_header_bytes];
    const ssize_t n = ::pread(fd, head, sizeof head, 0);
    if (n < static_cast<ssize_t>(packed_magic.size())) return PackedForm::none;
    const std::string_view bytes(head, static_cast<std::size_t>(n));
    if (bytes.substr(0, packed_magic.size()) == packed_magic) return PackedForm::plain;
    // A staged file whose header does not read is walked as empty: its
    // process died before it wrote one.
    if (bytes.substr(0, staged_magic.size()) == staged_magic) {
        if (!read_staged_header(bytes, header)) header = StagedHeader{};
        return PackedForm::staged;
    }
    return PackedForm::none;
}

// Calls `frame` for each whole frame in [offset, limit) of the file; returns
// the offset after the last one.
template <class Frame>
std::uintmax_t walk_file_frames(int fd, std::uintmax_t offset, std::uintmax_t limit, Frame&& frame) {
    std::string buffer;
    std::size_t start = 0;
    for (;;) {
        buffer.erase(0, start);
        start = 0;
        const std::size_t kept = buffer.size();
        const std::size_t want = static_cast<std::size_t>(
            std::min<std::uintmax_t>(std::size_t{1} << 16, limit - std::min(limit, offset + kept)));
        buffer.resize(kept + want);
        const ssize_t n = want == 0 ? 0 : ::pread(fd, buffer.data() + kept, want, static_cast<off_t>(offset + kept));
        buffer.resize(kept + static_cast<std::size_t>(n > 0 ? n : 0));
        // No limit here: a frame of any size the listener wrote is a record
        // (a very long test name); the file bounds it.
        const PackedWalk walk = walk_packed_frames(buffer, 0, SIZE_MAX, frame);
        offset += walk.offset;
        start = walk.offset;
        if (walk.ended || walk.bad_size || n <= 0) return offset;
    }
}

// Calls `frame(bytes, final)` for each frame of a growing packed file after
// `offset` (in the frames written out: past the magic, or past a staged
// file's staging area), advancing it past them (final: walked once); then,
// for a staged file whose staging area is current, for each frame there (not
// final: the next walk sees it again, there or written out).
template <class Frame>
void walk_packed_file(int fd, PackedForm form, const StagedHeader& header, std::uintmax_t& offset, Frame&& frame) {
    auto final_frame = [&](std::string_view bytes) { frame(bytes, true); };
    if (form == PackedForm::plain) {
        offset = walk_file_frames(fd, std::max<std::uintmax_t>(offset, packed_magic.size()), UINTMAX_MAX, final_frame);
        return;
    }
    const std::uintmax_t spill = header.spill_offset();
    offset = walk_file_frames(fd, spill + offset, spill + header.spilled, final_frame) - spill;
    if (header.staging_current())
        walk_file_frames(fd, staged_header_bytes, spill, [&](std::string_view bytes) { frame(bytes, false); });
}

}  // namespace

std::string read_progress(const std::filesystem::path& file) {
    const Fd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) return {};
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return {};
    const auto size = static_cast<std::size_t>(st.st_size);
    if (size >= progress_bytes) {
        void* map = ::mmap(nullptr, progress_bytes, PROT_READ, MAP_SHARED, fd.get(), 0);
        if (map != MAP_FAILED) {
            const char* p = static_cast<const char*>(map);
            const char last = __atomic_load_n(p + sizeof progress_magic - 1, __ATOMIC_ACQUIRE);
            std::string text;
            const bool is_mapped = last == progress_magic[sizeof progress_magic - 1] &&
                                   std::memcmp(p, progress_magic, sizeof progress_magic - 1) == 0;
            if (is_mapped) text = read_mapped_progress(p);
            ::munmap(map, progress_bytes);
            if (is_mapped) return text;
        }
    }
    // Text: the first line, up to a newline or NUL.
    char buffer[4096];
    std::string line;
    for (off_t at = 0;;) {
        const ssize_t n = ::pread(fd.get(), buffer, sizeof buffer, at);
        if (n <= 0) break;
        const auto* end = static_cast<const char*>(std::memchr(buffer, '\n', static_cast<std::size_t>(n)));
        const auto* nul = static_cast<const char*>(std::memchr(buffer, '\0', static_cast<std::size_t>(n)));
        if (nul != nullptr && (end == nullptr || nul < end)) end = nul;
        if (end != nullptr) {
            line.append(buffer, static_cast<std::size_t>(end - buffer));
            break;
        }
        line.append(buffer, static_cast<std::size_t>(n));
        at += n;
    }
    return line;
}

void for_each_new_line(const std::filesystem::path& file, std::uintmax_t& offset,
                       const std::function<void(std::string_view)>& line) {
    const Fd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) return;
    std::vector<char> buffer(1 << 16);
    std::string partial;  // a line longer than what is left in the buffer
    for (;;) {
        const ssize_t n = ::pread(fd.get(), buffer.data(), buffer.size(), static_cast<off_t>(offset + partial.size()));
        if (n <= 0) return;
        std::string_view block(buffer.data(), static_cast<std::size_t>(n));
        const std::size_t nul = block.find('\0');  // the end of what is written
        block = block.substr(0, nul);
        std::size_t start = 0;
        for (std::size_t nl; (nl = block.find('\n', start)) != std::string_view::npos; start = nl + 1) {
            std::string_view text = block.substr(start, nl - start);
            if (!partial.empty()) {
                partial.append(text);
                text = partial;
            }
            line(text);
            offset += text.size() + 1;
            partial.clear();
        }
        if (nul != std::string_view::npos) return;
        partial.append(block.substr(start));
    }
}

std::uintmax_t trim_trace_file(const std::filesystem::path& file) {
    const Fd fd(::open(file.c_str(), O_RDWR | O_CLOEXEC));
    if (fd.get() < 0) return 0;
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return 0;
    StagedHeader header;
    const PackedForm form = packed_form(fd.get(), header);
    if (form != PackedForm::none) {
        // A plain file up to its last whole frame. A staged file up to the
        // bytes its header says were written out (a batch cut short goes), its
        // staging area kept: the header says whether those frames are current.
        std::uintmax_t keep = header.spill_offset() + header.spilled;
        if (form == PackedForm::plain) {
            keep = 0;
            walk_packed_file(fd.get(), form, header, keep, [](std::string_view, bool) {});
        }
        if (keep < static_cast<std::uintmax_t>(st.st_size) && ::ftruncate(fd.get(), static_cast<off_t>(keep)) != 0)
            return static_cast<std::uintmax_t>(st.st_size);
        return std::min<std::uintmax_t>(keep, static_cast<std::uintmax_t>(st.st_size));
    }
    // From the end: past the NUL bytes, then back to the last newline.
    std::vector<char> buffer(1 << 16);
    off_t end = st.st_size;
    bool in_tail = true;
    off_t keep = 0;
    while (end > 0) {
        const off_t start = end > static_cast<off_t>(buffer.size()) ? end - static_cast<off_t>(buffer.size()) : 0;
        const ssize_t n = ::pread(fd.get(), buffer.data(), static_cast<std::size_t>(end - start), start);
        if (n != end - start) return static_cast<std::uintmax_t>(st.st_size);  // unreadable: left as it is
        std::size_t i = static_cast<std::size_t>(n);
        if (in_tail) {
            while (i > 0 && buffer[i - 1] == '\0') --i;
            if (i > 0) in_tail = false;
            if (!in_tail && i == static_cast<std::size_t>(n)) {
                // No NUL tail: a file a listener closed, or a text one.
                if (buffer[i - 1] == '\n') return static_cast<std::uintmax_t>(st.st_size);
            }
        }
        if (!in_tail) {
            while (i > 0 && buffer[i - 1] != '\n') --i;
            if (i > 0) {
                keep = start + static_cast<off_t>(i);
                break;
            }
        }
        end = start;
    }
    if (keep != st.st_size && ::ftruncate(fd.get(), keep) != 0) return static_cast<std::uintmax_t>(st.st_size);
    return static_cast<std::uintmax_t>(keep);
}

RecordCount count_test_records(const std::filesystem::path& file, RecordTally& tally) {
    const Fd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) return tally.final;
    StagedHeader header;
    const PackedForm form = packed_form(fd.get(), header);
    if (form != PackedForm::none) {
        // The staging area's frames follow the final ones, read in a copy:
        // the next call walks on from the last final one.
        TraceRecord staged_record;
        bool staged_read = false, in_staging = false;
        RecordCount staged;
        walk_packed_file(fd.get(), form, header, tally.offset, [&](std::string_view bytes, bool final) {
            if (!final && !in_staging) {
                in_staging = true;
                staged_record = tally.last;
                staged_read = tally.last_read;
            }
            TraceRecord& record = final ? tally.last : staged_record;
            bool& read = final ? tally.last_read : staged_read;
            std::string_view why;
            read = unpack_record(bytes, record, read, why);
            if (!read || record.kind == "block") return;
            RecordCount& into = final ? tally.final : staged;
            ++into.tests;
            into.failed += record.error;
        });
        return {tally.final.tests + staged.tests, tally.final.failed + staged.failed};
    }
    for_each_new_line(file, tally.offset, [&](std::string_view line) {
        if (line.find("\"kind\":\"block\"") != std::string_view::npos) return;
        ++tally.final.tests;
        tally.final.failed += line.find("\"error\":true") != std::string_view::npos;
    });
    return tally.final;
}

}  // namespace pss::runner
