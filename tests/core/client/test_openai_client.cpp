// The shared OpenAI client (veil chat, veil generate --url) against a real server on a model double.
#include <gtest/gtest.h>

#include "../server/server_fixture.h"
#include "client/openai_client.h"

using namespace veil;
using namespace veil::test;

namespace {

TEST(OpenAiClient, StreamsCompletionTextPieceByPieceWithUsage) {
    TestServer s;
    client::OpenAiClient c(s.url, "");
    Poco::JSON::Object body;
    body.set("prompt", std::string("abc"));
    body.set("max_tokens", 3);
    std::vector<std::string> pieces;
    auto r = c.stream("/v1/completions", body, [&](std::string_view p) { pieces.emplace_back(p); });
    EXPECT_EQ(pieces, (std::vector<std::string>{"Hello", " world", "!"}));
    EXPECT_EQ(r.text, "Hello world!");
    EXPECT_EQ(r.prompt_tokens, 4u);
    EXPECT_EQ(r.completion_tokens, 3u);
    EXPECT_EQ(r.finish_reason, "length");
}

TEST(OpenAiClient, StreamsChatDeltas) {
    TestServer s;
    client::OpenAiClient c(s.url + "/", "");  // a trailing slash is tolerated
    Poco::JSON::Object body;
    Poco::JSON::Array::Ptr messages = new Poco::JSON::Array;
    Poco::JSON::Object::Ptr m = new Poco::JSON::Object;
    m->set("role", std::string("user"));
    m->set("content", std::string("hi"));
    messages->add(m);
    body.set("messages", messages);
    auto r = c.stream("/v1/chat/completions", body, [](std::string_view) {});
    EXPECT_EQ(r.text, "Hello world! How are you?");
    EXPECT_EQ(r.finish_reason, "stop");
    EXPECT_EQ(c.first_model(), "fake");
}

TEST(OpenAiClient, ServerErrorsCarryStatusAndMessage) {
    auto o = quick_options();
    o.api_key = "sesame";
    TestServer s(o);
    Poco::JSON::Object body;
    body.set("prompt", std::string("x"));
    try {
        client::OpenAiClient(s.url, "wrong").stream("/v1/completions", body, [](std::string_view) {});
        FAIL() << "a wrong API key was accepted";
    } catch (const client::ServerError& e) {
        EXPECT_EQ(e.status(), 401);
    }
    client::OpenAiClient good(s.url, "sesame");
    body.set("model", std::string("nope"));
    try {
        good.stream("/v1/completions", body, [](std::string_view) {});
        FAIL() << "an unknown model was accepted";
    } catch (const client::ServerError& e) {
        EXPECT_EQ(e.status(), 404);
        EXPECT_NE(std::string(e.what()).find("'nope' does not exist"), std::string::npos) << e.what();
    }
}

TEST(OpenAiClient, AnErrorReportedMidStreamIsThrownAfterTheTextSoFar) {
    TestServer s;
    s.model->fail_at_piece = 2;
    Poco::JSON::Object body;
    body.set("prompt", std::string("x"));
    std::string seen;
    try {
        client::OpenAiClient(s.url, "").stream("/v1/completions", body, [&](std::string_view p) { seen += p; });
        FAIL() << "a failed generation looked complete";
    } catch (const client::ServerError& e) {
        EXPECT_EQ(e.status(), 0);
        EXPECT_NE(std::string(e.what()).find("generation failed"), std::string::npos) << e.what();
    }
    EXPECT_EQ(seen, "Hello world");
}

TEST(OpenAiClient, BadUrlsAndUnreachableServersAreNamed) {
    EXPECT_THROW(client::OpenAiClient("ftp://host", ""), std::invalid_argument);
    EXPECT_THROW(client::OpenAiClient("http://", ""), std::invalid_argument);
    client::OpenAiClient nobody("unix:///nonexistent/veil.sock", "");
    try {
        nobody.first_model();
        FAIL() << "reached a socket that does not exist";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("unix:///nonexistent/veil.sock"), std::string::npos) << e.what();
    }
}

}  // namespace
