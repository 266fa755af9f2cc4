// Trace records packed as bytes: what a listener writes into the trace file
// pss-run gives each test process (PSS_MAPPED_FILES). Packing a record is a
// few stores and string copies where a JSON line is ~400 bytes of formatted
// numbers and escaped text, which was most of what the listener cost per
// test. pss reads such files like any trace file (read_trace_file).
//
// A plain file is the 8-byte magic, then frames: a 4-byte size (host byte
// order, a multiple of 4), then that many bytes of record (for the staged
// form pss-run's listeners write, see staged_magic below). A frame's size is stored
// last, 4-byte aligned, so a frame whose size reads non-zero is whole; a file
// ends at the end of its bytes or at a size of 0 (the zeroed room a mapped
// file reserves ahead). C++17: compiled into users' tests.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "pss/record/trace_record.hpp"

namespace pss {

inline constexpr std::string_view packed_magic{"pssrec1\n", 8};

// A staged file (MappedFileCollector): records are copied into a staging
// area mapped at the file's start and written out in batches after it, so
// the file grows by pwrite(2) of whole pages, not a page fault per 4 KiB.
//
//   0  "pssrec2\n"
//   8  u64 spilled: bytes of frames written out after the staging area
//  16  u64 base: the `spilled` the staging area's frames follow; while it
//      differs from `spilled`, the staging area is being emptied: its
//      frames are already written out, and readers skip it
//  24  u32 staging area size, u32 0
//  32  the staging area: frames as in a plain packed file, ending at a size of 0
//  32 + size: `spilled` bytes of frames; bytes after them are ignored (a
//      batch cut short by a crash)
//
// A reader's frames are those after the staging area, then the staging
// area's (when base == spilled): the order they were written in.
inline constexpr std::string_view staged_magic{"pssrec2\n", 8};
inline constexpr std::size_t staged_header_bytes = 32;
inline constexpr std::size_t staged_max_staging_bytes = std::size_t{1} << 24;

struct StagedHeader {
    std::uint64_t spilled = 0;
    std::uint64_t base = 0;
    std::uint32_t staging_bytes = 0;
    // Where the frames written out start.
    std::uint64_t spill_offset() const { return staged_header_bytes + staging_bytes; }
    bool staging_current() const { return base == spilled; }
};

// Reads the header of a staged file from its first staged_header_bytes
// bytes; false when they are not one (another magic, an impossible size).
inline bool read_staged_header(std::string_view head, StagedHeader& out) {
    if (head.size() < staged_header_bytes || head.substr(0, staged_magic.size()) != staged_magic) return false;
    std::uint32_t zero = 0;
    std::memcpy(&out.spilled, head.data() + 8, 8);
    std::memcpy(&out.base, head.data() + 16, 8);
    std::memcpy(&out.staging_bytes, head.data() + 24, 4);
    std::memcpy(&zero, head.data() + 28, 4);
    return zero == 0 && out.staging_bytes % 4 == 0 && out.staging_bytes <= staged_max_staging_bytes &&
           out.spilled % 4 == 0;
}

// Bytes pack_record may write for `record` (its frame size and padding
// included): more than it takes.
std::size_t packed_bound(const TraceRecord& record);

// What a writer remembers of the record it packed last: a module, source
// file or kind equal to that record's is written as "the previous record's"
// (a bit, no bytes). Tests of one suite in one file share them, and they were
// ~80 of a record's ~180 bytes. Staged files use them; plain ones do not, so
// pss versions from before them still read those.
struct PackedRepeats {
    std::string module, filename, kind;
};

// Writes `record` at `out` (packed_bound bytes of room) as a record's bytes,
// without the frame size, padded with zeros to a multiple of 4; returns the
// end. With `repeats`, strings equal to the previous record's are written as
// references to it, and `repeats` remembers this record's.
char* pack_record(char* out, const TraceRecord& record, PackedRepeats* repeats = nullptr);

// Reads one frame's record bytes into `out` (every field set). Returns false
// with `why` when they are not a record pack_record wrote. Strings are made
// valid UTF-8 (invalid bytes become U+FFFD), as reading a JSON line does.
// A string that refers to the previous record's is taken from `out`, which
// must then hold the frame before this one, read whole: `previous_read`
// says so, and without it such a record is malformed.
bool unpack_record(std::string_view bytes, TraceRecord& out, bool previous_read, std::string_view& why);

// Where walking a file's frames stopped.
struct PackedWalk {
    std::size_t offset = 0;     // after the last whole frame
    bool ended = false;         // at a size of 0: nothing follows
    bool bad_size = false;      // at a size no writer gives (not a multiple of 4): damage
    std::uint32_t oversized = 0;  // at a frame of this many bytes, over the limit (skip it or read it whole)
};

// Calls `frame(record_bytes)` for each whole frame of `bytes` from `offset`
// (past the magic). Stops at a size of 0, at a bad size, at a frame larger
// than `max_record_bytes`, or at a frame not whole in `bytes` (read more and
// walk on from the offset returned).
template <class Frame>
PackedWalk walk_packed_frames(std::string_view bytes, std::size_t offset, std::size_t max_record_bytes,
                              Frame&& frame) {
    PackedWalk walk;
    while (offset <= bytes.size() && bytes.size() - offset >= 4) {
        std::uint32_t size = 0;
        std::memcpy(&size, bytes.data() + offset, 4);
        if (size == 0) {
            walk.ended = true;
            break;
        }
        if (size % 4 != 0) {
            walk.bad_size = true;
            break;
        }
        if (size > max_record_bytes) {
            walk.oversized = size;
            break;
        }
        if (bytes.size() - offset - 4 < size) break;
        frame(bytes.substr(offset + 4, size));
        offset += 4 + size;
    }
    walk.offset = offset;
    return walk;
}

}  // namespace pss
