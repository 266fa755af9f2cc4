// The block pipeline: every format read in blocks of any size gives what one
// block gives (records straddling block boundaries, malformed records and
// their line numbers), with any number of threads; compressed input; format
// detection on streams; progress.
#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "pss/scoring/analyzer.hpp"
#include "pss/ingest/trace_reader.hpp"
#include "pss/record/trace_writer.hpp"

using namespace pss;

namespace {

struct Read {
    std::vector<std::string> records;  // as the writer writes them: every field
    ReadStats stats;
};

Read read_text(std::string_view text, std::size_t block_bytes, unsigned threads = 1) {
    Read out;
    ReadOptions options;
    options.block_bytes = block_bytes;
    options.threads = threads;
    out.stats = read_trace_text(text, [&](const TraceRecord& r) { out.records.push_back(to_json_line(r)); }, options);
    return out;
}

Read read_file(const std::filesystem::path& path, unsigned threads = 1, std::size_t block_bytes = 1 << 20) {
    Read out;
    ReadOptions options;
    options.block_bytes = block_bytes;
    options.threads = threads;
    out.stats = read_trace_file(path, [&](const TraceRecord& r) { out.records.push_back(to_json_line(r)); }, options);
    return out;
}

void expect_same(const Read& a, const Read& b, const std::string& what) {
    EXPECT_EQ(a.records, b.records) << what;
    EXPECT_EQ(a.stats.records, b.stats.records) << what;
    EXPECT_EQ(a.stats.malformed, b.stats.malformed) << what;
    EXPECT_EQ(a.stats.first_malformed_line, b.stats.first_malformed_line) << what;
    EXPECT_EQ(a.stats.first_malformed_reason, b.stats.first_malformed_reason) << what;
    EXPECT_EQ(a.stats.format, b.stats.format) << what;
}

std::string record(int i, std::mt19937& rng) {
    TraceRecord r;
    r.name = "Suite.Test" + std::to_string(i % 7);
    r.module = "bin.Suite";
    r.run = i;
    r.duration = std::uniform_real_distribution<double>(1e-5, 1)(rng);
    r.memory = 1000 + i;
    r.error = i % 5 == 0;
    if (i % 3 == 0) r.branch_tag = "tag" + std::to_string(i % 2);
    if (i % 11 == 0) r.exception_message = "quote \" and backslash \\ and \xc3\xa9";  // escapes, UTF-8
    return to_json_line(r);
}

// NDJSON with blank lines, CRLF, malformed lines of several kinds, and a truncated last line.
std::string messy_ndjson(std::mt19937& rng) {
    std::string text = "\n\n";
    for (int i = 0; i < 300; ++i) {
        text += record(i, rng);
        text += i % 17 == 0 ? "\r\n" : "\n";
        if (i % 41 == 0) text += "not json at all\n";
        if (i % 53 == 0) text += "{\"name\":\"x\",\"duration\":\"slow\"}\n";
        if (i % 59 == 0) text += "   \n";
        if (i % 61 == 0) text += "{\"name\":\"a\"} {\"name\":\"b\"}\n";
        if (i % 67 == 0) text += std::string(500, ' ') + "{\"name\":\"long\",\"pad\":\"" + std::string(3000, 'p') + "\"}\n";
    }
    return text + "{\"name\":\"cut\",\"dur";
}

std::string messy_array(std::mt19937& rng, bool pypss) {
    std::string text = pypss ? "{\n  \"meta\": {\"traces\": 3, \"x\": [1, {\"y\": \"]\"}]},\n  \"traces\": [\n" : "[\n";
    for (int i = 0; i < 300; ++i) {
        text += "  " + record(i, rng);
        if (i % 37 == 0) text += " 42";  // garbage between elements
        text += i % 43 == 0 ? ",\n  7,\n" : ",\n";
        if (i % 47 == 0) text += "  {\"name\":\"x\",\"run\":\"seven\"},\n";
    }
    text += "  {\"name\":\"last\"}\n]" + std::string(pypss ? "\n}\n" : "\n");
    return text;
}

std::filesystem::path temp_path(const std::string& name) {
    return std::filesystem::temp_directory_path() / (std::to_string(::getpid()) + "-" + name);
}

void write_bytes(const std::filesystem::path& p, std::string_view bytes) {
    std::ofstream(p, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string gzip(std::string_view text, int level = 6) {
    z_stream zs{};
    deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    std::string out(deflateBound(&zs, static_cast<uLong>(text.size())) + 64, '\0');
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
    zs.avail_in = static_cast<uInt>(text.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    deflate(&zs, Z_FINISH);
    out.resize(zs.total_out);
    deflateEnd(&zs);
    return out;
}

std::string zstd(std::string_view text) {
    std::string out(ZSTD_compressBound(text.size()), '\0');
    out.resize(ZSTD_compress(out.data(), out.size(), text.data(), text.size(), 3));
    return out;
}

}  // namespace

TEST(IngestBlocks, NdjsonInAnyBlockSizeReadsLikeOneBlock) {
    std::mt19937 rng(1);
    const std::string text = messy_ndjson(rng);
    const Read whole = read_text(text, text.size() + 1);
    EXPECT_EQ(whole.stats.format, TraceFormat::ndjson);
    EXPECT_EQ(whole.stats.records, 300u + 5u);  // 300 records, 5 long padded ones
    EXPECT_EQ(whole.stats.first_malformed_line, 4u);  // "not json at all" after the first record (line 3)
    EXPECT_EQ(whole.stats.malformed, 8u + 6u + 5u + 1u);
    for (std::size_t block : {64u, 100u, 333u, 1024u, 4096u, 65536u})
        expect_same(read_text(text, block), whole, "block " + std::to_string(block));
}

TEST(IngestBlocks, ArraysInAnyBlockSizeReadLikeOneBlock) {
    for (bool pypss : {false, true}) {
        std::mt19937 rng(2);
        const std::string text = messy_array(rng, pypss);
        const Read whole = read_text(text, text.size() + 1);
        EXPECT_EQ(whole.stats.format, pypss ? TraceFormat::pypss_object : TraceFormat::json_array);
        EXPECT_EQ(whole.stats.records, 301u);
        EXPECT_GT(whole.stats.malformed, 10u);
        EXPECT_EQ(whole.stats.first_malformed_line, pypss ? 4u : 2u) << whole.stats.first_malformed_reason;
        for (std::size_t block : {64u, 77u, 500u, 2048u, 100000u})
            expect_same(read_text(text, block), whole, (pypss ? "pypss, block " : "array, block ") + std::to_string(block));
    }
}

TEST(IngestBlocks, TruncatedArraysAtEveryLength) {
    std::mt19937 rng(3);
    const std::string full = messy_array(rng, false).substr(0, 3000);
    for (std::size_t cut = 1; cut < full.size(); cut += 7) {
        const std::string text = full.substr(0, cut);
        const Read whole = read_text(text, text.size() + 1);
        expect_same(read_text(text, 64), whole, "cut at " + std::to_string(cut));
        if (whole.stats.records > 0 || whole.stats.malformed > 0) {
            EXPECT_GE(whole.stats.malformed, 1u) << cut;  // a cut array always ends malformed
        }
    }
}

TEST(IngestBlocks, TheExistingMalformedExamplesThroughSmallBlocks) {
    const std::string ndjson =
        "{\"name\":\"a\",\"duration\":1}\n\n{\"name\":\"b\",\"duration\":\"slow\"}\ngarbage\n[1,2]\n"
        "{\"name\":\"c\",\"duration\":3}\r\n{\"name\":\"d\",\"dur";
    for (std::size_t block : {64u, 65u, 80u}) {
        const Read r = read_text(ndjson, block);
        ASSERT_EQ(r.records.size(), 2u);
        EXPECT_EQ(r.stats.warning(), "4 malformed records skipped (first at line 3: field 'duration' must be a number)");
    }
    const Read array = read_text("[{\"name\":\"a\"},\n{\"name\":\"b\"},\n{\"name\":\"c\",\"dura", 64);
    EXPECT_EQ(array.records.size(), 2u);
    EXPECT_EQ(array.stats.first_malformed_line, 3u);
    EXPECT_EQ(array.stats.first_malformed_reason, "truncated record at end of file");
}

TEST(IngestDetection, NeedsMoreThanOneBlockToDecide) {
    // A pypss object whose "traces" key comes after a value longer than a block.
    const std::string pypss = "{\"meta\":\"" + std::string(5000, 'm') + "\",\n\"traces\":[{\"name\":\"f\"},{\"name\":\"g\"}]}";
    const Read p = read_text(pypss, 64);
    EXPECT_EQ(p.stats.format, TraceFormat::pypss_object);
    EXPECT_EQ(p.records.size(), 2u);
    // NDJSON whose first record is longer than a block.
    const std::string ndjson = "\n\n{\"name\":\"f\",\"pad\":\"" + std::string(5000, 'x') + "\"}\n{\"name\":\"g\"}\n";
    const Read n = read_text(ndjson, 64);
    EXPECT_EQ(n.stats.format, TraceFormat::ndjson);
    EXPECT_EQ(n.records.size(), 2u);
    // A multi-line object without "traces" is not a trace file, however long.
    EXPECT_THROW(read_text("{\n\"config\": \"" + std::string(5000, 'c') + "\"\n}\n", 64), TraceFileError);
    // Whitespace only, and an empty array.
    EXPECT_EQ(read_text(std::string(300, '\n'), 64).stats.records, 0u);
    EXPECT_EQ(read_text(std::string(300, ' ') + "[]", 64).stats.malformed, 0u);
}

TEST(IngestThreads, ParallelReadsEqualTheSequentialRead) {
    std::mt19937 rng(4);
    std::string text = messy_ndjson(rng);
    for (int copy = 0; copy < 20; ++copy) text += "\n" + messy_ndjson(rng);
    const Read sequential = read_text(text, 1000, 1);
    for (unsigned threads : {2u, 3u, 8u}) {
        for (std::size_t block : {200u, 1000u, 50000u})
            expect_same(read_text(text, block, threads), sequential,
                        std::to_string(threads) + " threads, block " + std::to_string(block));
    }
    std::mt19937 rng2(5);
    const std::string array = messy_array(rng2, true);
    expect_same(read_text(array, 300, 3), read_text(array, 300, 1), "array, 3 threads");
}

TEST(IngestThreads, AnExceptionFromTheSinkStopsEveryThread) {
    std::mt19937 rng(6);
    std::string text;
    for (int copy = 0; copy < 20; ++copy) text += messy_ndjson(rng) + "\n";
    ReadOptions options;
    options.threads = 3;
    options.block_bytes = 256;
    int seen = 0;
    EXPECT_THROW(read_trace_text(
                     text,
                     [&](const TraceRecord&) {
                         if (++seen == 500) throw std::runtime_error("sink gave up");
                     },
                     options),
                 std::runtime_error);
    EXPECT_EQ(seen, 500);
    EXPECT_THROW(read_text("{\n\"config\": 1\n}\n", 64, 2), TraceFileError);  // from the reading thread
}

TEST(IngestCompressed, GzipAndZstdReadLikeThePlainFile) {
    std::mt19937 rng(7);
    const std::string text = messy_ndjson(rng) + "\n" + messy_ndjson(rng);
    const auto plain = temp_path("plain.ndjson"), gz = temp_path("t.ndjson.gz"), zst = temp_path("t.ndjson.zst");
    write_bytes(plain, text);
    write_bytes(gz, gzip(text));
    write_bytes(zst, zstd(text));
    const Read expected = read_file(plain);
    EXPECT_EQ(expected.stats.compression, Compression::none);
    for (unsigned threads : {1u, 2u}) {
        const Read g = read_file(gz, threads, 4096), z = read_file(zst, threads, 4096);
        expect_same(g, expected, "gzip");
        expect_same(z, expected, "zstd");
        EXPECT_EQ(g.stats.compression, Compression::gzip);
        EXPECT_EQ(z.stats.compression, Compression::zstd);
        EXPECT_TRUE(g.stats.input_problem.empty()) << g.stats.input_problem;
        EXPECT_TRUE(z.stats.input_problem.empty()) << z.stats.input_problem;
        EXPECT_EQ(g.stats.text_bytes, text.size());
    }
    for (const auto& p : {plain, gz, zst}) std::filesystem::remove(p);
}

TEST(IngestCompressed, RecognisedByMagicBytesNotByName) {
    const std::string text = "{\"name\":\"a\"}\n{\"name\":\"b\"}\n";
    const auto disguised = temp_path("looks-plain.ndjson"), plain_gz = temp_path("plain-text.gz");
    write_bytes(disguised, zstd(text));
    write_bytes(plain_gz, text);
    EXPECT_EQ(read_file(disguised).records.size(), 2u);
    EXPECT_EQ(read_file(disguised).stats.compression, Compression::zstd);
    EXPECT_EQ(read_file(plain_gz).records.size(), 2u);
    EXPECT_EQ(read_file(plain_gz).stats.compression, Compression::none);
    std::filesystem::remove(disguised);
    std::filesystem::remove(plain_gz);
}

TEST(IngestCompressed, ConcatenatedGzipMembersAndZstdFrames) {
    const std::string a = "{\"name\":\"a\"}\n", b = "{\"name\":\"b\"}\n{\"name\":\"c\"}\n";
    const auto gz = temp_path("members.gz"), zst = temp_path("frames.zst");
    write_bytes(gz, gzip(a) + gzip(b));
    write_bytes(zst, zstd(a) + zstd(b));
    for (const auto& p : {gz, zst}) {
        const Read r = read_file(p);
        EXPECT_EQ(r.records.size(), 3u) << p;
        EXPECT_TRUE(r.stats.input_problem.empty()) << r.stats.input_problem;
        std::filesystem::remove(p);
    }
}

TEST(IngestCompressed, TruncatedOrCorruptDataKeepsWhatCameBefore) {
    std::string text;
    // Big enough for several zstd blocks (128 KiB each): a decoder gives text block by block.
    for (int i = 0; i < 40000; ++i) text += "{\"name\":\"t" + std::to_string(i % 10) + "\",\"run\":" + std::to_string(i) + "}\n";
    const std::string packed_gz = gzip(text, 1), packed_zst = zstd(text);
    const auto p = temp_path("broken");
    for (bool use_zstd : {false, true}) {
        const std::string& packed = use_zstd ? packed_zst : packed_gz;
        write_bytes(p, packed.substr(0, packed.size() / 2));  // a writer killed half-way
        const Read cut = read_file(p);
        EXPECT_GT(cut.records.size(), 1000u) << use_zstd;
        EXPECT_LT(cut.records.size(), 40000u) << use_zstd;
        EXPECT_NE(cut.stats.input_problem.find("ends early"), std::string::npos) << cut.stats.input_problem;

        std::string corrupt = packed;
        for (std::size_t i = corrupt.size() / 2; i < corrupt.size() / 2 + 64; ++i) corrupt[i] = static_cast<char>(i * 7);
        write_bytes(p, corrupt);
        const Read bad = read_file(p);
        EXPECT_GT(bad.records.size(), 1000u) << use_zstd;
        // gzip's CRC catches it; zstd without a checksum may hand over garbled text instead.
        if (use_zstd) {
            EXPECT_TRUE(!bad.stats.input_problem.empty() || bad.stats.malformed > 0);
        } else {
            EXPECT_FALSE(bad.stats.input_problem.empty());
        }
    }
    std::filesystem::remove(p);
}

TEST(IngestProgress, ReportsBytesAndRecordsAsTheyGrow) {
    std::mt19937 rng(8);
    std::string text;
    for (int copy = 0; copy < 10; ++copy) text += messy_ndjson(rng) + "\n";
    const auto path = temp_path("progress.ndjson");
    write_bytes(path, text);
    std::vector<ReadProgress> seen;
    ReadOptions options;
    options.block_bytes = 4096;
    options.progress_interval = 0;
    options.progress = [&](const ReadProgress& p) { seen.push_back(p); };
    read_trace_file(path, [](const TraceRecord&) {}, options);
    ASSERT_GT(seen.size(), 5u);
    for (std::size_t i = 1; i < seen.size(); ++i) {
        EXPECT_GE(seen[i].input_bytes, seen[i - 1].input_bytes);
        EXPECT_GE(seen[i].records, seen[i - 1].records);
    }
    EXPECT_EQ(seen.back().input_size, text.size());
    EXPECT_LE(seen.back().input_bytes, text.size());
    std::filesystem::remove(path);
}

TEST(IngestCompressed, FilesWrittenByTheGzipAndZstdTools) {
    // tests/data/scale: traces.ndjson, and the same by `gzip -9` (with its
    // file name header) and `zstd -19 --check`; one line was cut by a crash.
    const std::filesystem::path dir = std::filesystem::path(PSS_SOURCE_DIR) / "tests/data/scale";
    const Read plain = read_file(dir / "traces.ndjson");
    EXPECT_EQ(plain.stats.records, 120u);
    EXPECT_EQ(plain.stats.malformed, 1u);
    EXPECT_EQ(plain.stats.first_malformed_line, 64u);
    for (const char* name : {"traces.ndjson.gz", "traces.ndjson.zst"}) {
        for (unsigned threads : {1u, 2u}) {
            const Read r = read_file(dir / name, threads, 1024);
            expect_same(r, plain, name);
            EXPECT_TRUE(r.stats.input_problem.empty()) << r.stats.input_problem;
        }
    }
}

namespace {

template <class Group>
void expect_same_group(const Group& a, const Group& b) {
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.runs, b.runs);
    EXPECT_EQ(a.failures, b.failures);
    EXPECT_EQ(a.score.pss, b.score.pss);
    EXPECT_EQ(a.score.breakdown.timing_stability, b.score.breakdown.timing_stability);
    EXPECT_EQ(a.score.breakdown.memory_stability, b.score.breakdown.memory_stability);
    EXPECT_EQ(a.score.breakdown.error_volatility, b.score.breakdown.error_volatility);
    EXPECT_EQ(a.score.breakdown.branching_entropy, b.score.breakdown.branching_entropy);
    EXPECT_EQ(a.score.breakdown.concurrency_chaos, b.score.breakdown.concurrency_chaos);
    EXPECT_EQ(a.duration.mean, b.duration.mean);
    EXPECT_EQ(a.duration.p50, b.duration.p50);
    EXPECT_EQ(a.duration.p95, b.duration.p95);
    EXPECT_EQ(a.memory_peak, b.memory_peak);
    EXPECT_EQ(a.exact, b.exact);
    if constexpr (std::is_same_v<Group, TestResult>) {
        EXPECT_EQ(a.module, b.module);
        EXPECT_EQ(a.verdict, b.verdict);
        EXPECT_EQ(a.failure_samples.size(), b.failure_samples.size());
    }
}

}  // namespace

TEST(IngestThreads, TheAnalysisIsTheSameWithAnyNumberOfThreads) {
    // Many tests, some past a small cap and a small budget, read in small blocks.
    std::mt19937 rng(9);
    std::string text;
    for (int run = 0; run < 400; ++run) {
        for (int t = 0; t < 60; ++t) {
            TraceRecord r;
            r.name = "Case" + std::to_string(t);
            r.module = "bin.Suite" + std::to_string(t % 7);
            r.run = run;
            r.duration = std::lognormal_distribution<double>(-6 + t % 5, 0.3)(rng);
            r.wait_time = r.duration * 0.1;
            r.memory = 1000.0 * (1 + t % 3) + (run % 10);
            r.error = std::uniform_int_distribution<int>(0, 30)(rng) == 0;
            if (t % 4 == 0) r.branch_tag = run % 3 ? "a" : "b";
            text += to_json_line(r) + "\n";
        }
    }
    AnalyzerOptions limits;
    limits.sample_cap = 2000;
    limits.exact_memory_bytes = 200 << 10;
    auto analyse = [&](unsigned threads) {
        AnalyzerOptions o = limits;
        o.threads = threads;
        Analyzer analyzer(o);
        ReadOptions read;
        read.threads = threads;
        read.block_bytes = 4096;
        read_trace_text(text, [&](const TraceRecord& r) { analyzer.add(r); }, read);
        return analyzer.result(ScoringConfig{});
    };
    const Analysis one = analyse(1);
    EXPECT_GT(one.estimated_groups, 0u);
    EXPECT_LT(one.estimated_groups, one.tests.size() + one.modules.size() + 1);
    for (unsigned threads : {2u, 4u}) {
        const Analysis many = analyse(threads);
        EXPECT_EQ(many.overall.score.pss, one.overall.score.pss);
        EXPECT_EQ(many.overall.score.breakdown.timing_stability, one.overall.score.breakdown.timing_stability);
        EXPECT_EQ(many.estimated_groups, one.estimated_groups);
        ASSERT_EQ(many.tests.size(), one.tests.size());
        for (std::size_t i = 0; i < one.tests.size(); ++i) expect_same_group(many.tests[i], one.tests[i]);
        ASSERT_EQ(many.modules.size(), one.modules.size());
        for (std::size_t i = 0; i < one.modules.size(); ++i) expect_same_group(many.modules[i], one.modules[i]);
    }
}

TEST(IngestCompressed, OtherCompressionIsAClearError) {
    const auto xz = temp_path("t.xz");
    write_bytes(xz, std::string("\xfd" "7zXZ\0\0\x04\xe6", 8));
    try {
        read_file(xz);
        FAIL() << "expected TraceFileError";
    } catch (const TraceFileError& e) {
        EXPECT_NE(std::string(e.what()).find("compressed with xz"), std::string::npos) << e.what();
    }
    std::filesystem::remove(xz);
    // Tiny files shorter than any magic number are plain text.
    const auto tiny = temp_path("tiny");
    write_bytes(tiny, "{}");
    const auto read = read_file(tiny);
    EXPECT_EQ(read.stats.records, 0u);
    EXPECT_EQ(read.stats.malformed, 1u);  // read as text: an object, but no record without a "name"
    EXPECT_NE(read.stats.first_malformed_reason.find("no \"name\""), std::string::npos);
    std::filesystem::remove(tiny);
}
