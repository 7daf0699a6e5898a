// Text leaving the server as JSON is valid UTF-8 whatever bytes the model produced.
#include <gtest/gtest.h>

#include "server_fixture.h"

using namespace veil;
using namespace veil::test;

namespace {

const std::string kFffd = "\xEF\xBF\xBD";

TEST(ServerUtf8, AnswersWithValidJsonWhenTheModelEmitsStrayBytes) {
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
