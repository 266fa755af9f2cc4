// Collectors without servers: the file collector under many writers, the
// batching layer with a custom plugin (order, sequence numbers, a bounded
// buffer that drops and counts instead of blocking), the readers' handling
// of duplicates, other runs and drop reports, and the config keys.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "collected_stream.hpp"
#include "process.hpp"
#include "pss/collect/collector.hpp"
#include "pss/config/config.hpp"

using namespace pss::collect;

namespace {

std::vector<std::string> read_lines(const std::string& file) {
    std::ifstream in(file);
    std::vector<std::string> out;
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

class CollectorTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = pss::test::make_temp_dir("pss-collect");
        ::setenv("PSS_COLLECTOR_PATH", PSS_COLLECTOR_DIR, 1);
    }
    void TearDown() override {
        ::unsetenv("PSS_COLLECTOR_BUFFER");
        ::unsetenv("PSS_COLLECTOR_BATCH");
        std::filesystem::remove_all(dir_);
    }
    std::string dir_;
};

}  // namespace

TEST_F(CollectorTest, EightProcessesAppendingToOneFileLoseAndTearNoLine) {
    const std::string file = dir_ + "/shared.ndjson";
    constexpr int writers = 8, each = 500;
    std::vector<pid_t> pids;
    for (int w = 0; w < writers; ++w) {
        const pid_t pid = fork();
        if (pid == 0) {
            std::string error;
            auto c = open_collector("file:" + file, {}, error);
            if (!c) _exit(2);
            for (int i = 0; i < each; ++i)  // lines up to 64 KiB: larger than a pipe's atomic write
                c->submit(nlohmann::json{{"w", w}, {"i", i}, {"pad", std::string((i * 131) % 65536, 'x')}}.dump());
            _exit(c->stats().delivered == each ? 0 : 1);
        }
        pids.push_back(pid);
    }
    for (pid_t pid : pids) {
        int status = 0;
        waitpid(pid, &status, 0);
        EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    const auto lines = read_lines(file);
    ASSERT_EQ(lines.size(), static_cast<std::size_t>(writers * each));
    std::set<std::pair<int, int>> seen;
    for (const auto& line : lines) {
        const auto j = nlohmann::json::parse(line, nullptr, false);
        ASSERT_FALSE(j.is_discarded()) << "a torn line: " << line.substr(0, 80);
        seen.insert({j.at("w").get<int>(), j.at("i").get<int>()});
    }
    EXPECT_EQ(seen.size(), static_cast<std::size_t>(writers * each));
}

TEST_F(CollectorTest, ACustomPluginGetsEveryRecordInOrderNumberedFromOne) {
    const std::string file = dir_ + "/captured.txt";
    std::string error;
    auto c = open_collector("capture://" + file, {"run-1", "me"}, error);
    ASSERT_TRUE(c) << error;
    for (int i = 0; i < 1000; ++i) c->submit("{\"name\":\"T" + std::to_string(i) + "\"}");
    c->close(10);
    EXPECT_EQ(c->stats().delivered, 1000u);
    EXPECT_EQ(c->stats().dropped, 0u);
    const auto lines = read_lines(file);
    ASSERT_EQ(lines.size(), 1001u);  // and the end-of-collection report
    for (int i = 0; i < 1000; ++i)
        EXPECT_EQ(lines[static_cast<std::size_t>(i)], "me " + std::to_string(i + 1) + " {\"name\":\"T" + std::to_string(i) + "\"}");
    EXPECT_NE(lines.back().find("{\"pss_control\":\"end\",\"submitted\":1000,\"delivered\":1000,\"dropped\":0"),
              std::string::npos)
        << lines.back();
}

TEST_F(CollectorTest, AFullBufferDropsAndCountsInsteadOfBlocking) {
    ::setenv("PSS_COLLECTOR_BUFFER", "100", 1);
    ::setenv("PSS_COLLECTOR_BATCH", "10", 1);
    ::setenv("PSS_CAPTURE_RELEASE", (dir_ + "/never").c_str(), 1);
    std::string error;
    auto c = open_collector("capture://hang", {}, error);  // send() never returns
    ASSERT_TRUE(c) << error;
    for (int i = 0; i < 1000; ++i) c->submit("{\"name\":\"T\"}");  // returns: the test is not blocked
    const CollectorStats before = c->stats();
    EXPECT_EQ(before.submitted, 1000u);
    // The buffer (100) and at most one batch in the plugin's hands (10) wait; the rest is dropped.
    EXPECT_GE(before.dropped, 890u);
    EXPECT_LE(before.dropped, 900u);
    EXPECT_EQ(before.drop_reason, "buffer full: the collector is slower than the tests");
    c->close(0.1);  // gives up on the plugin, counts what it held
    EXPECT_EQ(c->stats().dropped, 1000u);
    EXPECT_EQ(drop_summary(c->stats(), "capture://hang"),
              "1,000 records dropped: not delivered before the process ended: the collector plugin did not return "
              "(capture://hang)");
}

TEST_F(CollectorTest, WrongCollectorsAreClearErrors) {
    std::string error;
    EXPECT_FALSE(open_collector("redis", {}, error));
    EXPECT_NE(error.find("use file:PATH, redis://host:port/N?stream=KEY or grpc://host:port"), std::string::npos)
        << error;
    EXPECT_FALSE(open_collector("redis://h:99999/0", {}, error));
    EXPECT_NE(error.find("port"), std::string::npos) << error;
    EXPECT_FALSE(open_collector("redis://h/0?strem=x", {}, error));
    EXPECT_NE(error.find("unknown parameter 'strem'"), std::string::npos) << error;
    EXPECT_FALSE(open_collector("file:" + dir_ + "/no/such/dir/f", {}, error));
    EXPECT_NE(error.find("cannot open trace file"), std::string::npos) << error;
    EXPECT_FALSE(open_collector("Bad Scheme://x", {}, error));
}

TEST(CollectedRunTest, KeepsOneRunDropsDuplicatesAndAddsUpEachSendersDrops) {
    CollectedRun run("r1");
    EXPECT_TRUE(run.add({R"({"name":"A"})", "s1", 1, "r1"}));
    EXPECT_TRUE(run.add({R"({"name":"B"})", "s1", 2, "r1"}));
    EXPECT_FALSE(run.add({R"({"name":"B"})", "s1", 2, "r1"}));  // a retried batch
    EXPECT_FALSE(run.add({R"({"name":"X"})", "s9", 1, "r2"}));  // another run
    EXPECT_TRUE(run.add({R"({"name":"A"})", "s2", 1, "r1"}));  // another sender's first record
    // A pipelined batch whose first XADDs failed and last ones were stored,
    // then sent again whole: the stream holds 5 before 3, 4, 5.
    EXPECT_TRUE(run.add({R"({"name":"E"})", "s2", 3, "r1"}));
    EXPECT_TRUE(run.add({R"({"name":"C"})", "s2", 2, "r1"}));
    EXPECT_FALSE(run.add({R"({"name":"E"})", "s2", 3, "r1"}));
    EXPECT_TRUE(run.add({R"({"pss_control":"dropped","dropped":5,"reason":"collector unreachable: refused"})", "s1", 3, "r1"}));
    EXPECT_TRUE(run.add({R"({"pss_control":"end","dropped":7,"reason":"collector unreachable: refused"})", "s1", 4, "r1"}));
    // Relayed by pss collect: the sender is named in "origin".
    EXPECT_TRUE(run.add({R"({"origin":"s3","pss_control":"dropped","dropped":1200,"reason":"buffer full"})", "relay", 1, "r1"}));
    EXPECT_TRUE(run.add({R"({"origin":"s4","pss_control":"dropped","dropped":4,"reason":"buffer full"})", "relay", 2, "r1"}));
    EXPECT_EQ(run.records(), 5u);
    EXPECT_EQ(run.duplicates(), 2u);
    EXPECT_EQ(run.other_runs(), 1u);
    // Each sender's records in the order it made them.
    EXPECT_EQ(run.ndjson(), "{\"name\":\"A\"}\n{\"name\":\"B\"}\n{\"name\":\"A\"}\n{\"name\":\"C\"}\n{\"name\":\"E\"}\n");
    EXPECT_EQ(run.dropped(), 7u + 1200u + 4u);
    EXPECT_EQ(run.drop_note().rfind("1,211 records dropped: ", 0), 0u) << run.drop_note();
}

TEST(CollectorConfigTest, CollectorAndAPostgresStorageUriAreKeptAsWritten) {
    const auto c = pss::parse_config(
        "[pss]\ncollector = \"redis://ci-redis:6379/0?stream=pss\"\nstorage_uri = \"postgresql://ci@db:5432/pss\"\n",
        "/etc/project/pss.toml");
    EXPECT_EQ(c.runner.collector, "redis://ci-redis:6379/0?stream=pss");
    EXPECT_EQ(c.history.storage_uri, "postgresql://ci@db:5432/pss");
    const auto file = pss::parse_config("[pss]\nstorage_uri = \"hist/h.db\"\n", "/etc/project/pss.toml");
    EXPECT_EQ(file.history.storage_uri, "/etc/project/hist/h.db");
    EXPECT_THROW(pss::parse_config("[pss]\ncollector = \"redis\"\n", "pss.toml"), pss::ConfigError);
}
