// Text leaving the server as JSON is valid UTF-8 whatever bytes the model produced.
#include <gtest/gtest.h>

#include "server/valid_utf8.h"
#include "server_fixture.h"

using namespace veil;
using namespace veil::test;

namespace {

const std::string kFffd = "\xEF\xBF\xBD";

TEST(ValidUtf8, KeepsValidTextUnchanged) {
    for (std::string s : {std::string(""), std::string("plain"), std::string("caf\xC3\xA9 \xE2\x96\x81 \xF0\x9F\x98\x80")})
        EXPECT_EQ(server::valid_utf8(s), s);
}

TEST(ValidUtf8, ReplacesEachInvalidByte) {
    EXPECT_EQ(server::valid_utf8("a\x95" "b"), "a" + kFffd + "b");                 // stray continuation
    EXPECT_EQ(server::valid_utf8("\xE2\x96"), kFffd + kFffd);                      // truncated
    EXPECT_EQ(server::valid_utf8("\xC0\xAF"), kFffd + kFffd);                      // overlong '/'
    EXPECT_EQ(server::valid_utf8("\xED\xA0\x80"), kFffd + kFffd + kFffd);          // surrogate
    EXPECT_EQ(server::valid_utf8("\xF4\x90\x80\x80"), kFffd + kFffd + kFffd + kFffd);  // > U+10FFFF
    EXPECT_EQ(server::valid_utf8("\xFF" "\xC3\xA9"), kFffd + "\xC3\xA9");
}

TEST(ValidUtf8, ServerAnswersWithValidJsonWhenTheModelEmitsStrayBytes) {
    TestServer s(quick_options(), std::make_shared<FakeServedModel>(std::vector<std::string>{"x", "\x95", "y"}));
    auto r = s.post("/v1/completions", R"({"prompt":"a"})");
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.json()->getArray("choices")->getObject(0)->getValue<std::string>("text"), "x" + kFffd + "y");
    r = s.post("/v1/completions", R"({"prompt":"a","stream":true})");
    ASSERT_EQ(r.status, 200);
    EXPECT_NE(r.body.find("\"text\":\"" + kFffd + "\""), std::string::npos) << r.body;
    EXPECT_EQ(r.body.find('\x95'), std::string::npos);
    r = s.post("/detokenize", R"({"tokens":[104,149]})");
    EXPECT_EQ(r.json()->getValue<std::string>("content"), "h" + kFffd);
}

}  // namespace
