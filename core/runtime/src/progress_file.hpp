// PSS_PROGRESS_FILE: the name of the test running now, for the runner, which
// reads it while the process runs and after it died (crash, SIGKILL, exit()
// in a test, --timeout), to name the test that did not finish.
//
// Two formats; the runner reads both (runner/src/attempt_files.cpp):
//
// text (the default): "<run>\t<test name>\n" while a test runs, empty
//   otherwise; pwrite(2) + ftruncate(2), two system calls per test.
//
// mapped (PSS_MAPPED_FILES=1, which pss-run sets): a 64 KiB file this
//   process creates (O_EXCL: a process that finds it existing, such as a
//   death-test child, leaves it alone) and writes through a shared mapping,
//   without a system call per test. The page cache keeps what was written
//   when the process is killed. Layout, little-endian:
//     0   8 bytes  magic "pssprog1"
//     8   uint32   sequence: the published slot is (sequence & 1)
//     12  uint32   0
//     16  slot 0, then slot 1 at 16 + slot_bytes: uint32 length, then
//         `length` bytes "<run>\t<test name>" (length 0: no test runs)
//   A new text goes into the slot not published, then the sequence is
//   incremented (release). A reader copies the published slot between two
//   reads of the sequence and retries when they differ, so it never sees half
//   a name; a process killed while writing leaves the previous text whole.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace pss::runtime {

namespace progress_layout {
constexpr std::size_t file_bytes = 65536;
constexpr char magic[8] = {'p', 's', 's', 'p', 'r', 'o', 'g', '1'};
constexpr std::size_t sequence_offset = 8;
constexpr std::size_t slots_offset = 16;
constexpr std::size_t slot_bytes = (file_bytes - slots_offset) / 2;
constexpr std::size_t max_text_bytes = slot_bytes - 4;
}  // namespace progress_layout

class ProgressFile {
public:
    ProgressFile() = default;
    ~ProgressFile();
    ProgressFile(const ProgressFile&) = delete;
    ProgressFile& operator=(const ProgressFile&) = delete;

    enum class Opened { yes, not_ours, failed };
    // `not_ours`: mapped, and the file existed already (someone else's).
    // `failed`: `error` says why.
    Opened open(const std::string& path, bool mapped, std::string& error);
    void close() noexcept;
    bool is_open() const noexcept { return fd_ >= 0; }
    bool mapped() const noexcept { return map_ != nullptr; }

    // "<run>\t<name>" with newlines, carriage returns and tabs in the name
    // made spaces (one line, one tab: the format stays parseable).
    void set(std::int64_t run, std::string_view name) noexcept;
    void clear() noexcept;

private:
    void publish(const char* text, std::size_t length) noexcept;

    int fd_ = -1;
    char* map_ = nullptr;
    std::uint32_t sequence_ = 0;
    std::size_t text_length_ = 0;  // text mode: the file's length
    std::string line_;             // text mode: reused
};

}  // namespace pss::runtime
