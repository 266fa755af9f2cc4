// The escaping every renderer relies on.
#include <gtest/gtest.h>

#include <limits>

#include "pss/text/escape.hpp"
#include "pss/text/format.hpp"
#include "sha256.hpp"

using namespace pss::text;
using pss::reports::sha256_base64;

TEST(CleanText, KeepsValidUtf8AndShowsControlCharacters) {
    EXPECT_EQ(clean_text("caf\xC3\xA9 \xF0\x9F\x98\x80 tab\tnl\n"), "caf\xC3\xA9 \xF0\x9F\x98\x80 tab\tnl\n");
    EXPECT_EQ(clean_text(std::string("a\x01" "b\x1b[0m\x7f") + '\0'), "a\\x01b\\x1b[0m\\x7f\\x00");
    EXPECT_EQ(clean_text("cr\r"), "cr\\x0d");
}

TEST(CleanText, ReplacesEveryKindOfInvalidUtf8) {
    const std::string fffd = "\xEF\xBF\xBD";
    EXPECT_EQ(clean_text("\xff"), fffd);
    EXPECT_EQ(clean_text("\xC3\x28"), fffd + "(");                  // bad continuation
    EXPECT_EQ(clean_text("\xC0\xAF"), fffd + fffd);                 // overlong '/'
    EXPECT_EQ(clean_text("\xE0\x80\xAF"), fffd + fffd + fffd);      // overlong, 3 bytes
    EXPECT_EQ(clean_text("\xED\xA0\x80"), fffd + fffd + fffd);      // UTF-16 surrogate
    EXPECT_EQ(clean_text("\xF4\x90\x80\x80"), fffd + fffd + fffd + fffd);  // above U+10FFFF
    EXPECT_EQ(clean_text("ab\xE2\x82"), "ab" + fffd + fffd);        // truncated
    EXPECT_EQ(clean_text("\xEF\xBF\xBE"), fffd);                    // U+FFFE, not allowed in XML
}

TEST(Escape, XmlTextAndAttributes) {
    EXPECT_EQ(xml_text("a < b && c > d ]]> 'q' \"d\""), "a &lt; b &amp;&amp; c &gt; d ]]&gt; 'q' \"d\"");
    EXPECT_EQ(xml_attribute("<x y='1' z=\"2\">\tn\n&"), "&lt;x y=&apos;1&apos; z=&quot;2&quot;&gt;&#9;n&#10;&amp;");
}

TEST(Escape, HtmlText) {
    EXPECT_EQ(html_text("<script>alert(1)</script> & \"x\" 'y'"),
              "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot; &#39;y&#39;");
}

TEST(Escape, MarkdownCellCannotBreakTheTable) {
    EXPECT_EQ(markdown_cell("a | b"), "a \\| b");
    EXPECT_EQ(markdown_cell("`code` *em* _u_ [l](x) \\"), "\\`code\\` \\*em\\* \\_u\\_ \\[l\\](x) \\\\");
    EXPECT_EQ(markdown_cell("<img src=x> & co"), "&lt;img src=x&gt; &amp; co");
    EXPECT_EQ(markdown_cell("two\nlines\tand tab"), "two lines and tab");
}

TEST(Escape, MarkdownCellShowsBidiAndSeparatorsAndMentionsNoOne) {
    // U+202E would reverse the rest of the row; U+2028 and U+0085 break lines in some renderers.
    EXPECT_EQ(markdown_cell("a\u202Eb"), "a\\\\u{202E}b");  // a Markdown-escaped backslash
    EXPECT_EQ(markdown_cell("a\u2028b\u0085c"), "a\\\\u{2028}b\\\\u{0085}c");
    EXPECT_EQ(markdown_cell("ping @octocat"), "ping @\u2060octocat");
    EXPECT_EQ(markdown_cell("a\r\nb"), "a  b");
}

TEST(Escape, CsvFieldQuotesAndDisarmsFormulas) {
    EXPECT_EQ(csv_field("main"), "main");
    EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
    EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    EXPECT_EQ(csv_field("=HYPERLINK(\"http://x\",\"y\")"), "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
    for (const char* formula : {"+1", "-1", "@SUM(A1)", "\tx"}) EXPECT_EQ(csv_field(formula)[0], '\'') << formula;
}

TEST(Escape, JsonForScriptCannotCloseTheElement) {
    EXPECT_EQ(json_for_script(R"({"n":"</script><b>&"})"), R"({"n":"\u003c/script\u003e\u003cb\u003e\u0026"})");
}

TEST(Escape, GithubWorkflowCommands) {
    EXPECT_EQ(github_command_data("50% done\nnext"), "50%25 done%0Anext");
    EXPECT_EQ(github_command_property("a:b,c%"), "a%3Ab%2Cc%25");
}

// Found by fuzz_results_json: "started_at": -1e308 in a results file was
// cast to time_t (undefined behaviour) for JUnit's timestamp and the HTML
// header; the result was whatever the machine made of it.
TEST(Iso8601, TimesOutsideTheFormatAreClamped) {
    EXPECT_EQ(iso8601_utc(1763800000.0), "2025-11-22T08:26:40Z");
    EXPECT_EQ(iso8601_utc(-1e308), "1970-01-01T00:00:00Z");
    EXPECT_EQ(iso8601_utc(std::numeric_limits<double>::quiet_NaN()), "1970-01-01T00:00:00Z");
    EXPECT_EQ(iso8601_utc(1e308), "9999-12-31T23:59:59Z");
    EXPECT_EQ(iso8601_utc(std::numeric_limits<double>::infinity()), "9999-12-31T23:59:59Z");
}

TEST(Sha256, KnownDigests) {
    // Base64 of the FIPS 180-4 test vectors' digests.
    EXPECT_EQ(sha256_base64(""), "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
    EXPECT_EQ(sha256_base64("abc"), "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=");
    EXPECT_EQ(sha256_base64(std::string(1000, 'a')), "Qe3s5C1j6Nm/UVqbppMuHCDLyfWl0TRkWttdsblzfqM=");
}
