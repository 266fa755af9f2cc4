// Packed records (what a listener writes for pss-run) must read back as the
// same records its JSON line would: every field, the same replacement of
// invalid UTF-8 and of NaN, the same rules for malformed records; a file a
// killed process left, or a damaged one, loses only what is not whole.
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "pss/ingest/trace_reader.hpp"
#include "pss/record/packed_record.hpp"
#include "pss/record/trace_writer.hpp"
#include "random_text.hpp"

namespace {

using pss::TraceRecord;

std::string frame(const TraceRecord& r, pss::PackedRepeats* repeats = nullptr) {
    std::string bytes(pss::packed_bound(r), '\0');
    bytes.resize(static_cast<std::size_t>(pss::pack_record(bytes.data(), r, repeats) - bytes.data()));
    const auto size = static_cast<std::uint32_t>(bytes.size());
    return std::string(reinterpret_cast<const char*>(&size), 4) + bytes;
}

// As the listener writes them (`repeats`: strings equal to the previous
// record's are references to it), or each record whole.
std::string packed_file(const std::vector<TraceRecord>& records, bool repeats = false) {
    std::string file(pss::packed_magic);
    pss::PackedRepeats previous;
    for (const TraceRecord& r : records) file += frame(r, repeats ? &previous : nullptr);
    return file;
}

struct Read {
    std::vector<TraceRecord> records;
    pss::ReadStats stats;
};

Read read(const std::string& text, const pss::ReadOptions& options = {}) {
    Read out;
    out.stats = pss::read_trace_text(text, [&](const TraceRecord& r) { out.records.push_back(r); }, options);
    return out;
}

using pss::test::random_text;

double random_number(std::mt19937& rng) {
    switch (rng() % 6) {
        case 0: return 0.0;
        case 1: return static_cast<double>(rng() % 100000) / 1e9;
        case 2: return std::ldexp(static_cast<double>(rng()), -40);
        case 3: return 1.795321026734e9 + static_cast<double>(rng() % 1000) / 997.0;
        case 4: return std::numeric_limits<double>::quiet_NaN();
        default: return 1e300;
    }
}

// The fields as the listener fills them: what a JSON line leaves out when
// zero (calls, run delay, ...) is never negative.
TraceRecord random_record(std::mt19937& rng) {
    TraceRecord r;
    r.name = "t" + random_text(rng);
    r.module = random_text(rng);
    r.run = static_cast<std::int64_t>(rng() % 50);
    r.timestamp = random_number(rng);
    r.duration = std::fabs(random_number(rng));
    r.cpu_time = random_number(rng);
    r.wait_time = random_number(rng);
    r.memory = random_number(rng);
    r.memory_diff = -random_number(rng);
    r.error = rng() % 2 == 0;
    r.exception_type = random_text(rng);
    r.exception_message = random_text(rng);
    if (rng() % 2) r.branch_tag = random_text(rng);
    r.filename = random_text(rng);
    r.lineno = static_cast<std::int64_t>(rng() % 1000);
    r.kind = rng() % 3 ? "test" : "block";
    r.parent = random_text(rng);
    if (rng() % 2) {
        r.failure_file = "f" + random_text(rng);
        r.failure_line = static_cast<std::int64_t>(rng() % 100);
    }
    r.voluntary_context_switches = static_cast<std::int64_t>(rng() % 3);
    r.involuntary_context_switches = static_cast<std::int64_t>(rng() % 3);
    r.calls = static_cast<std::int64_t>(rng() % 3);
    r.run_delay = std::fabs(random_number(rng));
    r.warmup = rng() % 5 == 0;
    r.timing_resolution = rng() % 4 == 0 ? 0.001 : 0.0;
    for (int i = static_cast<int>(rng() % 4); i > 0; --i) r.metrics.push_back({"m" + random_text(rng), random_number(rng)});
    return r;
}

void expect_same(const TraceRecord& a, const TraceRecord& b, int i) {
    EXPECT_EQ(a.name, b.name) << i;
    EXPECT_EQ(a.module, b.module) << i;
    EXPECT_EQ(a.run, b.run) << i;
    EXPECT_EQ(a.timestamp, b.timestamp) << i;
    EXPECT_EQ(a.duration, b.duration) << i;
    EXPECT_EQ(a.cpu_time, b.cpu_time) << i;
    EXPECT_EQ(a.wait_time, b.wait_time) << i;
    EXPECT_EQ(a.memory, b.memory) << i;
    EXPECT_EQ(a.memory_diff, b.memory_diff) << i;
    EXPECT_EQ(a.error, b.error) << i;
    EXPECT_EQ(a.exception_type, b.exception_type) << i;
    EXPECT_EQ(a.exception_message, b.exception_message) << i;
    EXPECT_EQ(a.branch_tag, b.branch_tag) << i;
    EXPECT_EQ(a.filename, b.filename) << i;
    EXPECT_EQ(a.lineno, b.lineno) << i;
    EXPECT_EQ(a.kind, b.kind) << i;
    EXPECT_EQ(a.parent, b.parent) << i;
    EXPECT_EQ(a.failure_file, b.failure_file) << i;
    EXPECT_EQ(a.failure_line, b.failure_line) << i;
    EXPECT_EQ(a.voluntary_context_switches, b.voluntary_context_switches) << i;
    EXPECT_EQ(a.involuntary_context_switches, b.involuntary_context_switches) << i;
    EXPECT_EQ(a.calls, b.calls) << i;
    EXPECT_EQ(a.run_delay, b.run_delay) << i;
    EXPECT_EQ(a.warmup, b.warmup) << i;
    EXPECT_EQ(a.timing_resolution, b.timing_resolution) << i;
    ASSERT_EQ(a.metrics.size(), b.metrics.size()) << i;
    for (std::size_t m = 0; m < a.metrics.size(); ++m) {
        EXPECT_EQ(a.metrics[m].name, b.metrics[m].name) << i;
        EXPECT_EQ(a.metrics[m].value, b.metrics[m].value) << i;
    }
}

TEST(PackedRecord, ReadsBackAsItsJsonLineDoes) {
    std::mt19937 rng(7);
    std::vector<TraceRecord> records;
    std::string ndjson;
    for (int i = 0; i < 2000; ++i) {
        records.push_back(random_record(rng));
        ndjson += pss::to_json_line(records.back()) + "\n";
    }
    const Read packed = read(packed_file(records));
    const Read text = read(ndjson);
    EXPECT_EQ(packed.stats.format, pss::TraceFormat::packed);
    EXPECT_EQ(packed.stats.malformed, 0u);
    EXPECT_EQ(packed.stats.input_problem, "");
    ASSERT_EQ(text.records.size(), records.size());
    ASSERT_EQ(packed.records.size(), records.size());
    for (std::size_t i = 0; i < records.size(); ++i) expect_same(packed.records[i], text.records[i], static_cast<int>(i));
}

// Records of a few suites in a few files, kinds mixed: written with
// references to the previous record's module, file and kind, they read back
// as each written whole does, in a fraction of the bytes.
TEST(PackedRecord, StringsOfThePreviousRecordAreReferredToAndReadBackTheSame) {
    std::mt19937 rng(5);
    std::vector<TraceRecord> records;
    for (int i = 0; i < 3000; ++i) {
        TraceRecord r = random_record(rng);
        r.module = "suite" + std::to_string(i / 100);
        r.filename = i % 700 < 600 ? "/src/tests/a_test.cpp" : "/src/tests/b_test.cpp";
        r.kind = i % 10 == 9 ? "block" : (i % 10 == 8 ? "" : "test");
        records.push_back(r);
    }
    const std::string whole = packed_file(records), referring = packed_file(records, true);
    EXPECT_LT(referring.size() * 10, whole.size() * 9) << referring.size() << " of " << whole.size();
    for (const std::size_t block : {std::size_t{7}, std::size_t{1} << 20}) {
        pss::ReadOptions options;
        options.block_bytes = block;
        const Read a = read(whole, options), b = read(referring, options);
        EXPECT_EQ(b.stats.malformed, a.stats.malformed);
        ASSERT_EQ(b.records.size(), a.records.size());
        for (std::size_t i = 0; i < a.records.size(); ++i) expect_same(b.records[i], a.records[i], static_cast<int>(i));
    }
}

// A record that refers to one the reader skipped (over the limit) or could
// not read is malformed too, not given another record's strings; the next
// whole one is read.
TEST(PackedRecord, ARecordReferringToOneNotReadIsMalformed) {
    TraceRecord first, second, third;
    first.name = "Suite.First";
    first.module = second.module = "suite";
    first.filename = second.filename = "a.cpp";
    first.kind = second.kind = "test";
    second.name = "Suite.Second";
    third.name = "Other.Third";
    third.module = "other";
    pss::PackedRepeats repeats;
    std::string file(pss::packed_magic);
    file += frame(first, &repeats);
    std::string damaged = frame(second, &repeats);
    file += frame(third, &repeats);
    const Read whole = read(std::string(pss::packed_magic) + frame(first) + frame(second) + frame(third));
    ASSERT_EQ(whole.records.size(), 3u);

    pss::ReadOptions options;
    options.max_record_bytes = 40;  // the first (whole) record is over it, the second refers to it
    pss::PackedRepeats again;
    std::string referring(pss::packed_magic);
    referring += frame(first, &again);
    referring += frame(second, &again);
    referring += frame(third, &again);
    const Read r = read(referring, options);
    EXPECT_EQ(r.stats.malformed, 2u);
    EXPECT_EQ(r.stats.first_malformed_line, 1u);
    ASSERT_EQ(r.records.size(), 1u);
    EXPECT_EQ(r.records[0].name, "Other.Third");
    EXPECT_EQ(r.records[0].module, "other");

    std::memset(damaged.data() + 4, 0x7f, 4);  // the second unreadable: the third does not refer to it
    const Read after_damage = read(std::string(pss::packed_magic) + frame(first) + damaged + frame(third));
    EXPECT_EQ(after_damage.records.size(), 2u);
    std::string referring_after_damage(pss::packed_magic);
    pss::PackedRepeats fresh;
    referring_after_damage += frame(first, &fresh);
    std::string bad_second = frame(second, &fresh);
    std::memset(bad_second.data() + 4, 0x7f, 4);
    TraceRecord fourth = second;
    fourth.name = "Suite.Fourth";
    referring_after_damage += bad_second + frame(fourth, &fresh);  // refers to the damaged second
    const Read lost = read(referring_after_damage);
    ASSERT_EQ(lost.records.size(), 1u);
    EXPECT_EQ(lost.stats.malformed, 2u);
    // A file's first record can refer to none: it says why it was refused.
    pss::PackedRepeats primed;
    frame(first, &primed);
    const Read orphan = read(std::string(pss::packed_magic) + frame(second, &primed));
    EXPECT_TRUE(orphan.records.empty());
    EXPECT_EQ(orphan.stats.first_malformed_reason,
              "a packed record that refers to the record before it, which could not be read");
}

TEST(PackedRecord, ReadInSmallBlocksTheRecordsAreTheSame) {
    std::mt19937 rng(11);
    std::vector<TraceRecord> records;
    for (int i = 0; i < 300; ++i) records.push_back(random_record(rng));
    pss::ReadOptions small;
    small.block_bytes = 7;
    const Read whole = read(packed_file(records));
    const Read blocks = read(packed_file(records), small);
    ASSERT_EQ(blocks.records.size(), whole.records.size());
    for (std::size_t i = 0; i < whole.records.size(); ++i)
        expect_same(blocks.records[i], whole.records[i], static_cast<int>(i));
}

// What the JSON reader refuses, the packed one refuses too, and reads on.
TEST(PackedRecord, ARecordWithoutANameOrWithANegativeDurationIsMalformed) {
    TraceRecord good, nameless, negative;
    good.name = nameless.kind = negative.name = "T";
    negative.duration = -1;
    const Read r = read(packed_file({nameless, good, negative, good}));
    EXPECT_EQ(r.records.size(), 2u);
    EXPECT_EQ(r.stats.malformed, 2u);
    EXPECT_EQ(r.stats.first_malformed_line, 1u);
    EXPECT_NE(r.stats.warning().find("first at record 1: no \"name\""), std::string::npos) << r.stats.warning();
}

// A killed process's file: whole frames, then the zeros reserved ahead or a
// frame cut short; a damaged one: a size no writer gives. The records before
// are read, and the reader says what it stopped at.
TEST(PackedRecord, AKilledOrDamagedFileGivesEveryWholeRecordBeforeTheDamage) {
    TraceRecord r;
    r.name = "Suite.Test";
    r.duration = 0.25;
    const std::string two = packed_file({r, r});
    const std::string one_frame = frame(r);

    const Read tail = read(two + std::string(4096, '\0'));
    EXPECT_EQ(tail.records.size(), 2u);
    EXPECT_EQ(tail.stats.input_problem, "");

    const Read cut = read(two + one_frame.substr(0, one_frame.size() - 3));
    EXPECT_EQ(cut.records.size(), 2u);
    EXPECT_EQ(cut.stats.input_problem, "packed record 3 is cut short");

    std::string odd = one_frame;
    odd[0] = 5;  // not a multiple of 4
    const Read damaged = read(two + odd + one_frame);
    EXPECT_EQ(damaged.records.size(), 2u);
    EXPECT_NE(damaged.stats.input_problem.find("packed record 3 has an impossible size"), std::string::npos);

    std::string garbage = one_frame;
    std::memset(garbage.data() + 4, 0x7f, 8);  // masks with fields that do not exist
    const Read unknown = read(two + garbage + one_frame);
    EXPECT_EQ(unknown.records.size(), 3u);
    EXPECT_EQ(unknown.stats.malformed, 1u);
    EXPECT_EQ(unknown.stats.first_malformed_reason, "a packed record with an unknown field");
}

// A staged file as MappedFileCollector leaves it: `out` frames written out
// after a staging area of `staging_size` bytes holding `staged` frames.
std::string staged_file(const std::vector<TraceRecord>& out, const std::vector<TraceRecord>& staged,
                        std::uint64_t base_offset = 0, std::size_t staging_size = 4096) {
    std::string spill, staging;
    for (const TraceRecord& r : out) spill += frame(r);
    for (const TraceRecord& r : staged) staging += frame(r);
    staging.resize(staging_size, '\0');
    std::string file(pss::staged_magic);
    const std::uint64_t spilled = spill.size(), base = spilled + base_offset;
    const auto size = static_cast<std::uint32_t>(staging_size);
    file.append(reinterpret_cast<const char*>(&spilled), 8);
    file.append(reinterpret_cast<const char*>(&base), 8);
    file.append(reinterpret_cast<const char*>(&size), 4);
    file.append(4, '\0');
    return file + staging + spill;
}

std::vector<std::string> names_of(const Read& r) {
    std::vector<std::string> names;
    for (const TraceRecord& record : r.records) names.push_back(record.name);
    return names;
}

TraceRecord named(const std::string& name) {
    TraceRecord r;
    r.name = name;
    r.duration = 0.001;
    return r;
}

// The records written out come first, then the staging area's, whatever the
// blocks the file is read in; at every moment of a batch being written out
// (a crash can stop it anywhere) each record is read once.
TEST(PackedRecord, AStagedFileIsReadInTheOrderItsRecordsWereWritten) {
    const std::vector<std::string> all = {"S.A", "S.B", "S.C", "S.D", "S.E"};
    const std::vector<TraceRecord> out = {named("S.A"), named("S.B"), named("S.C")};
    const std::vector<TraceRecord> staged = {named("S.D"), named("S.E")};
    for (const std::size_t block : {std::size_t{5}, std::size_t{64}, std::size_t{1} << 20}) {
        pss::ReadOptions options;
        options.block_bytes = block;
        const Read r = read(staged_file(out, staged), options);
        EXPECT_EQ(names_of(r), all) << block;
        EXPECT_EQ(r.stats.format, pss::TraceFormat::packed);
        EXPECT_EQ(r.stats.input_problem, "") << block;
    }
    // Killed while the batch D, E was being written out: part of it after
    // the staging area, the header not yet moved on. Read from the staging area.
    const std::string cut_batch = staged_file(out, staged) + frame(named("S.D")).substr(0, 9);
    EXPECT_EQ(names_of(read(cut_batch)), all);
    // Killed after the header said D, E are written out, before the staging
    // area was emptied: read once, from where they were written out.
    std::string written_out = staged_file({named("S.A"), named("S.B"), named("S.C"), named("S.D"), named("S.E")},
                                          staged, std::uint64_t{0} - 8);
    EXPECT_EQ(names_of(read(written_out)), all);
    // Nothing written out yet, nothing staged: no records, no problem.
    const Read empty = read(staged_file({}, {}));
    EXPECT_TRUE(empty.records.empty());
    EXPECT_EQ(empty.stats.input_problem, "");
}

TEST(PackedRecord, AStagedFileCutShortOrWithADamagedHeaderSaysSo) {
    const std::string file = staged_file({named("S.A"), named("S.B")}, {named("S.C")});
    const Read cut = read(file.substr(0, file.size() - 6));
    EXPECT_EQ(names_of(cut), (std::vector<std::string>{"S.A"}));
    EXPECT_EQ(cut.stats.input_problem, "packed record 2 is cut short");
    std::string damaged = file;
    damaged[28] = 1;  // the word after the staging area's size is 0
    EXPECT_EQ(read(damaged).stats.input_problem, "the packed file's header is damaged or cut short");
    EXPECT_EQ(read(file.substr(0, 100)).stats.input_problem, "the packed file's header is damaged or cut short");
}

// As a JSON line over the limit: that record is skipped, read past without
// being kept, and the ones after it are read.
TEST(PackedRecord, ARecordOverTheLimitIsSkippedAndTheNextAreRead) {
    TraceRecord small, huge;
    small.name = "Suite.Small";
    huge.name = "Suite." + std::string(5000, 'x');
    for (const std::size_t block : {std::size_t{7}, std::size_t{1} << 20}) {
        pss::ReadOptions options;
        options.max_record_bytes = 1000;
        options.block_bytes = block;
        const Read r = read(packed_file({small, huge, small, huge, huge, small}), options);
        ASSERT_EQ(r.records.size(), 3u) << block;
        EXPECT_EQ(r.records[2].name, "Suite.Small");
        EXPECT_EQ(r.stats.malformed, 3u);
        EXPECT_EQ(r.stats.first_malformed_line, 2u);
        EXPECT_NE(r.stats.first_malformed_reason.find("over the limit of 1000"), std::string::npos)
            << r.stats.first_malformed_reason;
        EXPECT_EQ(r.stats.input_problem, "");
    }
    pss::ReadOptions options;
    options.max_record_bytes = 1000;
    const std::string cut = packed_file({small, huge});
    const Read r = read(cut.substr(0, cut.size() - 10), options);
    EXPECT_EQ(r.records.size(), 1u);
    EXPECT_EQ(r.stats.input_problem, "packed record 2 is cut short");
}

// Looking for the packed magic never eats the start of a pipe
// (pss analyze --trace-file /dev/stdin, or <(zcat traces.gz)).
TEST(PackedRecord, ATraceReadFromAPipeLosesNothing) {
    const std::filesystem::path dir = std::filesystem::temp_directory_path() / ("pss-fifo-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const std::filesystem::path fifo = dir / "traces";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    std::thread writer([&] {
        std::ofstream out(fifo);
        out << "{\"name\":\"Suite.A\",\"duration\":0.1}\n{\"name\":\"Suite.B\",\"duration\":0.2}\n" << std::flush;
        // Open a while longer: a reader that closed the pipe and opened it
        // again would find the rest, less what it took, and fail (not hang).
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
    });
    std::vector<std::string> names;
    const auto stats = pss::read_trace_file(fifo, [&](const TraceRecord& r) { names.push_back(r.name); });
    writer.join();
    std::filesystem::remove_all(dir);
    EXPECT_EQ(names, (std::vector<std::string>{"Suite.A", "Suite.B"}));
    EXPECT_EQ(stats.malformed, 0u);
}

TEST(PackedRecord, ARecordTakesHalfTheBytesOfItsJsonLineOrLess) {
    TraceRecord r;
    r.name = "Trivial.Test0";
    r.module = "bench_trivial_tests_pss.Trivial";
    r.timestamp = 1796161508094297 / 1e6;
    r.duration = r.cpu_time = 1197 / 1e9;
    r.memory = 272;
    r.filename = "/work/main/bench/listeners/trivial_tests.cpp";
    r.lineno = 34;
    r.kind = "test";
    EXPECT_LE(frame(r).size() * 2, pss::to_json_line(r).size() + 1) << frame(r).size();
    // The next test of the suite, as the listener writes it: a quarter.
    pss::PackedRepeats repeats;
    frame(r, &repeats);
    r.name = "Trivial.Test1";
    EXPECT_LE(frame(r, &repeats).size() * 4, pss::to_json_line(r).size()) << frame(r, &repeats).size();
}

}  // namespace
