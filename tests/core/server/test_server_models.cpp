// Several served models behind one server: routing by "model", 404 for unknown ids, /v1/models
// listing each, per-model metrics — against two model doubles with different scripts.
#include <gtest/gtest.h>

#include <Poco/JSON/Array.h>

#include "server_fixture.h"

using namespace veil;
using namespace veil::test;

namespace {

struct TwoModelServer {
    std::shared_ptr<FakeServedModel> first = std::make_shared<FakeServedModel>(std::vector<std::string>{"one"});
    std::shared_ptr<FakeServedModel> second =
        std::make_shared<FakeServedModel>(std::vector<std::string>{"two", "!"});
    TestServer s{quick_options(), first, /*load=*/false};

    TwoModelServer() {
        first->set_identity("first", std::string(64, '1'));
        second->set_identity("second", std::string(64, '2'));
        s.server->set_models({first, second});
    }
    std::string text_of(const HttpReply& r) const {
        return r.json()->getArray("choices")->getObject(0)->getValue<std::string>("text");
    }
};

TEST(ServerModels, CompletionsRouteByModelAndDefaultToTheFirst) {
    TwoModelServer t;
    auto r = t.s.post("/v1/completions", R"({"model":"second","prompt":"ab"})");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(t.text_of(r), "two!");
    EXPECT_EQ(r.json()->getValue<std::string>("model"), "second");
    EXPECT_EQ(t.second->started.load(), 1);
    EXPECT_EQ(t.first->started.load(), 0);

    r = t.s.post("/v1/completions", R"({"prompt":"ab"})");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(t.text_of(r), "one");
    EXPECT_EQ(r.json()->getValue<std::string>("model"), "first");

    r = t.s.post("/v1/chat/completions", R"({"model":"second","messages":[{"role":"user","content":"hi"}]})");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json()->getArray("choices")->getObject(0)->getObject("message")->getValue<std::string>("content"),
              "two!");
}

TEST(ServerModels, UnknownModelIs404WithOpenAIErrorBodyNamingTheServedOnes) {
    TwoModelServer t;
    auto r = t.s.post("/v1/chat/completions", R"({"model":"third","messages":[{"role":"user","content":"hi"}]})");
    EXPECT_EQ(r.status, 404);
    auto err = r.json()->getObject("error");
    EXPECT_EQ(err->getValue<std::string>("code"), "model_not_found");
    EXPECT_EQ(err->getValue<std::string>("type"), "invalid_request_error");
    const std::string message = err->getValue<std::string>("message");
    EXPECT_NE(message.find("'third'"), std::string::npos) << message;
    EXPECT_NE(message.find("first, second"), std::string::npos) << message;
    EXPECT_EQ(t.first->started.load() + t.second->started.load(), 0);
    EXPECT_EQ(t.s.post("/tokenize", R"({"content":"a","model":"third"})").status, 404);
}

TEST(ServerModels, ModelsListsEveryModelWithItsOwnShaAndDecision) {
    TwoModelServer t;
    auto r = t.s.get("/v1/models");
    ASSERT_EQ(r.status, 200);
    auto data = r.json()->getArray("data");
    ASSERT_EQ(data->size(), 2u);
    EXPECT_EQ(data->getObject(0)->getValue<std::string>("id"), "first");
    EXPECT_EQ(data->getObject(0)->getValue<std::string>("sha256"), std::string(64, '1'));
    EXPECT_EQ(data->getObject(1)->getValue<std::string>("id"), "second");
    EXPECT_EQ(data->getObject(1)->getValue<std::string>("sha256"), std::string(64, '2'));
    EXPECT_EQ(data->getObject(1)->getValue<std::string>("backend"), "backend_full");
    EXPECT_EQ(data->getObject(1)->getObject("policy")->getValue<std::string>("reason"), "test double");
}

TEST(ServerModels, TokenizeTakesTheModelField) {
    TwoModelServer t;
    auto r = t.s.post("/tokenize", R"({"content":"a","model":"second"})");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(t.s.post("/tokenize", R"({"content":"a","model":7})").status, 400);
    EXPECT_EQ(t.s.post("/detokenize", R"({"tokens":[104,105],"model":"second"})").json()->getValue<std::string>("content"),
              "hi");
}

TEST(ServerModels, MetricsCarryAModelLabelPerSeries) {
    TwoModelServer t;
    ASSERT_EQ(t.s.post("/v1/completions", R"({"model":"second","prompt":"abc"})").status, 200);
    const std::string m = t.s.get("/metrics").body;
    EXPECT_NE(m.find("veil_prompt_tokens_total{model=\"second\"} 4\n"), std::string::npos) << m;
    EXPECT_NE(m.find("veil_generated_tokens_total{model=\"second\"} 2\n"), std::string::npos) << m;
    EXPECT_NE(m.find("veil_prompt_tokens_total{model=\"first\"} 0\n"), std::string::npos) << m;
    EXPECT_NE(m.find("veil_time_to_first_token_seconds_count{model=\"second\"} 1\n"), std::string::npos) << m;
    EXPECT_NE(m.find("veil_time_to_first_token_seconds_bucket{model=\"first\",le=\"+Inf\"} 0\n"), std::string::npos);
    EXPECT_NE(m.find("veil_backend_bytes_read{model=\"first\"} 1234\n"), std::string::npos) << m;
    EXPECT_NE(m.find("veil_backend_bytes_read{model=\"second\"} 1234\n"), std::string::npos) << m;
    // one HELP/TYPE per family, however many models
    size_t first = m.find("# TYPE veil_backend_bytes_read gauge");
    ASSERT_NE(first, std::string::npos);
    EXPECT_EQ(m.find("# TYPE veil_backend_bytes_read gauge", first + 1), std::string::npos) << m;
}

TEST(ServerModels, TwoModelsWithOneIdAreRefused) {
    TestServer s(quick_options(), std::make_shared<FakeServedModel>(), /*load=*/false);
    EXPECT_THROW(s.server->set_models({s.model, std::make_shared<FakeServedModel>()}), std::invalid_argument);
    EXPECT_THROW(s.server->set_models({}), std::invalid_argument);
    EXPECT_EQ(s.get("/ready").status, 503);
}

}  // namespace
