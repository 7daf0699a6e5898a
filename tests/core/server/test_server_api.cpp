// The OpenAI-compatible endpoints against a deterministic model double, over real sockets.
#include <gtest/gtest.h>

#include <Poco/JSON/Array.h>

#include "server/sse.h"
#include "server_fixture.h"

using namespace veil;
using namespace veil::test;

namespace {

std::vector<std::string> split_events(const std::string& body) {
    std::vector<std::string> out;
    size_t pos = 0;
    while (pos < body.size()) {
        size_t end = body.find("\n\n", pos);
        if (end == std::string::npos) {
            out.push_back("UNTERMINATED:" + body.substr(pos));
            break;
        }
        out.push_back(body.substr(pos, end - pos));
        pos = end + 2;
    }
    return out;
}

Poco::JSON::Object::Ptr event_json(const std::string& event) {
    EXPECT_EQ(event.rfind("data: ", 0), 0u) << event;
    return Poco::JSON::Parser().parse(event.substr(6)).extract<Poco::JSON::Object::Ptr>();
}

}  // namespace

TEST(SseFraming, FrameIsDataLineAndBlankLine) {
    EXPECT_EQ(server::sse_frame("{\"a\":1}"), "data: {\"a\":1}\n\n");
    EXPECT_EQ(server::sse_frame("[DONE]"), "data: [DONE]\n\n");
}

TEST(ServerApi, ChatCompletionReturnsMessageUsageAndFinishReason) {
    TestServer s;
    auto r = s.post("/v1/chat/completions", R"({"model":"fake","messages":[{"role":"user","content":"Hi"}]})");
    ASSERT_EQ(r.status, 200) << r.body;
    auto j = r.json();
    EXPECT_EQ(j->getValue<std::string>("object"), "chat.completion");
    EXPECT_EQ(j->getValue<std::string>("id").rfind("chatcmpl-", 0), 0u);
    auto choice = j->getArray("choices")->getObject(0);
    EXPECT_EQ(choice->getObject("message")->getValue<std::string>("role"), "assistant");
    EXPECT_EQ(choice->getObject("message")->getValue<std::string>("content"), "Hello world! How are you?");
    EXPECT_EQ(choice->getValue<std::string>("finish_reason"), "stop");
    auto usage = j->getObject("usage");
    // ChatML prompt "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n" = 52 bytes + BOS.
    EXPECT_EQ(usage->getValue<int>("prompt_tokens"), 53);
    EXPECT_EQ(usage->getValue<int>("completion_tokens"), 7);
    EXPECT_EQ(usage->getValue<int>("total_tokens"), 60);
}

TEST(ServerApi, CompletionHonoursMaxTokensAndStop) {
    TestServer s;
    auto r = s.post("/v1/completions", R"({"prompt":"Once","max_tokens":2,"temperature":0})");
    ASSERT_EQ(r.status, 200) << r.body;
    auto choice = r.json()->getArray("choices")->getObject(0);
    EXPECT_EQ(choice->getValue<std::string>("text"), "Hello world");
    EXPECT_EQ(choice->getValue<std::string>("finish_reason"), "length");
    EXPECT_EQ(r.json()->getValue<std::string>("object"), "text_completion");

    r = s.post("/v1/completions", R"({"prompt":"Once","stop":["How"]})");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json()->getArray("choices")->getObject(0)->getValue<std::string>("text"), "Hello world!");
    EXPECT_EQ(r.json()->getArray("choices")->getObject(0)->getValue<std::string>("finish_reason"), "stop");
}

TEST(ServerApi, ChatStreamIsExactSseWithRoleFirstFinishLastAndDone) {
    TestServer s;
    auto r = s.post("/v1/chat/completions",
                    R"({"messages":[{"role":"user","content":"Hi"}],"stream":true,"max_tokens":3})");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.headers["Content-Type"], "text/event-stream");
    EXPECT_EQ(r.headers["Transfer-Encoding"], "chunked");
    auto events = split_events(r.body);
    // role chunk + 3 content chunks + finish chunk + [DONE]
    ASSERT_EQ(events.size(), 6u) << r.body;
    EXPECT_EQ(events.back(), "data: [DONE]");
    EXPECT_EQ(r.body.substr(r.body.size() - 14), "data: [DONE]\n\n");

    auto first = event_json(events[0]);
    EXPECT_EQ(first->getValue<std::string>("object"), "chat.completion.chunk");
    auto delta0 = first->getArray("choices")->getObject(0)->getObject("delta");
    EXPECT_EQ(delta0->getValue<std::string>("role"), "assistant");
    EXPECT_TRUE(first->getArray("choices")->getObject(0)->isNull("finish_reason"));

    std::string text;
    for (size_t i = 1; i <= 3; ++i) {
        auto c = event_json(events[i])->getArray("choices")->getObject(0);
        EXPECT_FALSE(c->getObject("delta")->has("role"));
        text += c->getObject("delta")->getValue<std::string>("content");
    }
    EXPECT_EQ(text, "Hello world!");
    auto last = event_json(events[4])->getArray("choices")->getObject(0);
    EXPECT_EQ(last->getValue<std::string>("finish_reason"), "length");
    EXPECT_EQ(last->getObject("delta")->size(), 0u);
    // every chunk of one stream carries the same id
    EXPECT_EQ(event_json(events[0])->getValue<std::string>("id"), event_json(events[4])->getValue<std::string>("id"));
    EXPECT_FALSE(event_json(events[1])->has("usage"));
}

TEST(ServerApi, StreamWithIncludeUsageEndsWithUsageChunk) {
    TestServer s;
    auto r = s.post("/v1/completions",
                    R"({"prompt":"ab","stream":true,"stream_options":{"include_usage":true}})");
    ASSERT_EQ(r.status, 200) << r.body;
    auto events = split_events(r.body);
    ASSERT_EQ(events.size(), 7u + 1 + 1 + 1) << r.body;  // 7 pieces, finish, usage, [DONE]
    auto usage_chunk = event_json(events[events.size() - 2]);
    EXPECT_EQ(usage_chunk->getArray("choices")->size(), 0u);
    EXPECT_EQ(usage_chunk->getObject("usage")->getValue<int>("prompt_tokens"), 3);
    EXPECT_EQ(usage_chunk->getObject("usage")->getValue<int>("completion_tokens"), 7);
    EXPECT_TRUE(event_json(events[0])->isNull("usage"));
}

TEST(ServerApi, ModelsListsIdOwnerBackendPolicyAndSha) {
    TestServer s;
    auto r = s.get("/v1/models");
    ASSERT_EQ(r.status, 200);
    auto m = r.json()->getArray("data")->getObject(0);
    EXPECT_EQ(m->getValue<std::string>("id"), "fake");
    EXPECT_EQ(m->getValue<std::string>("object"), "model");
    EXPECT_EQ(m->getValue<std::string>("owned_by"), "veil");
    EXPECT_EQ(m->getValue<std::string>("backend"), "backend_full");
    EXPECT_EQ(m->getObject("policy")->getValue<std::string>("reason"), "test double");
    EXPECT_EQ(m->getValue<std::string>("sha256"), std::string(64, 'a'));
}

TEST(ServerApi, TokenizeAndDetokenizeRoundTrip) {
    TestServer s;
    auto r = s.post("/tokenize", R"({"content":"AB","add_special":true})");
    ASSERT_EQ(r.status, 200) << r.body;
    auto tokens = r.json()->getArray("tokens");
    ASSERT_EQ(tokens->size(), 3u);
    EXPECT_EQ(tokens->getElement<int>(0), 1);
    EXPECT_EQ(tokens->getElement<int>(1), 'A');
    r = s.post("/detokenize", R"({"tokens":[72,105]})");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json()->getValue<std::string>("content"), "Hi");
    EXPECT_EQ(s.post("/detokenize", R"({"tokens":[9999]})").status, 400);
}

TEST(ServerApi, ReadyIs503UntilTheModelIsLoaded) {
    TestServer s(quick_options(), std::make_shared<FakeServedModel>(), /*load=*/false);
    EXPECT_EQ(s.get("/health").status, 200);
    auto r = s.get("/ready");
    EXPECT_EQ(r.status, 503);
    EXPECT_NE(r.body.find("model"), std::string::npos);
    auto c = s.post("/v1/completions", R"({"prompt":"x"})");
    EXPECT_EQ(c.status, 503);
    EXPECT_EQ(c.headers.count("Retry-After"), 1u);
    s.server->set_model(s.model);
    EXPECT_EQ(s.get("/ready").status, 200);
    // a TEE self-check hook: another condition makes it 503 again until met
    s.server->readiness().require("tee", "self-check pending");
    EXPECT_EQ(s.get("/ready").status, 503);
    s.server->readiness().set("tee", true);
    EXPECT_EQ(s.get("/ready").status, 200);
}

TEST(ServerApi, MetricsExposeCountersHistogramsAndBackendStats) {
    TestServer s;
    ASSERT_EQ(s.post("/v1/completions", R"({"prompt":"abc","max_tokens":4})").status, 200);
    s.get("/nope");
    auto r = s.get("/metrics");
    ASSERT_EQ(r.status, 200);
    const std::string& m = r.body;
    EXPECT_NE(m.find("veil_requests_running 0\n"), std::string::npos) << m;
    EXPECT_NE(m.find("veil_requests_waiting 0\n"), std::string::npos);
    EXPECT_NE(m.find("veil_prompt_tokens_total{model=\"fake\"} 4\n"), std::string::npos) << m;
    EXPECT_NE(m.find("veil_generated_tokens_total{model=\"fake\"} 4\n"), std::string::npos);
    EXPECT_NE(m.find("veil_time_to_first_token_seconds_count{model=\"fake\"} 1\n"), std::string::npos);
    EXPECT_NE(m.find("veil_inter_token_latency_seconds_count{model=\"fake\"} 3\n"), std::string::npos);
    EXPECT_NE(m.find("veil_http_responses_total{status=\"200\"} 1\n"), std::string::npos);
    EXPECT_NE(m.find("veil_http_responses_total{status=\"404\"} 1\n"), std::string::npos);
    EXPECT_NE(m.find("veil_backend_bytes_read{model=\"fake\"} 1234\n"), std::string::npos);
    EXPECT_NE(m.find("veil_backend_io_reads{model=\"fake\"} 7\n"), std::string::npos);
    EXPECT_NE(m.find("# TYPE veil_time_to_first_token_seconds histogram"), std::string::npos);
}

TEST(ServerApi, ChatUsesTheTemplateFoundInTheModel) {
    auto model = std::make_shared<FakeServedModel>();
    model->chat_template = "{% for m in messages %}<start_of_turn>{{ m.role }}{% endfor %}";
    TestServer s(quick_options(), model);
    ASSERT_EQ(s.post("/v1/chat/completions", R"({"messages":[{"role":"user","content":"Hi"}]})").status, 200);
    std::string prompt = model->detokenize(std::vector<int32_t>(model->last_prompt.begin() + 1, model->last_prompt.end()));
    // Gemma; the BOS text is left to the tokenizer (token 1 above), not repeated as text
    EXPECT_EQ(prompt, "<start_of_turn>user\nHi<end_of_turn>\n<start_of_turn>model\n");
}
