// Every error class answers with the right status and {"error":{"code","message","type"}}.
#include <gtest/gtest.h>

#include <Poco/Net/StreamSocket.h>

#include "server_fixture.h"

using namespace veil;
using namespace veil::test;

namespace {

void expect_error(const HttpReply& r, int status, const std::string& code, const std::string& type) {
    EXPECT_EQ(r.status, status) << r.body;
    auto j = r.json();
    ASSERT_TRUE(j->has("error")) << r.body;
    auto e = j->getObject("error");
    EXPECT_EQ(e->getValue<std::string>("code"), code) << r.body;
    EXPECT_EQ(e->getValue<std::string>("type"), type) << r.body;
    EXPECT_FALSE(e->getValue<std::string>("message").empty());
    EXPECT_EQ(r.headers.at("Content-Type"), "application/json");
}

}  // namespace

TEST(ServerErrors, BadJsonIs400) {
    TestServer s;
    expect_error(s.post("/v1/chat/completions", "{not json"), 400, "invalid_json", "invalid_request_error");
    expect_error(s.post("/v1/chat/completions", "[1,2]"), 400, "invalid_type", "invalid_request_error");
}

TEST(ServerErrors, WrongFieldTypesAre400NamingTheField) {
    TestServer s;
    auto r = s.post("/v1/chat/completions", R"({"messages":[{"role":"user","content":"x"}],"temperature":"hot"})");
    expect_error(r, 400, "invalid_type", "invalid_request_error");
    EXPECT_NE(r.body.find("temperature"), std::string::npos);
    expect_error(s.post("/v1/chat/completions", R"({"messages":"hello"})"), 400, "invalid_type", "invalid_request_error");
    expect_error(s.post("/v1/chat/completions", R"({"messages":[{"role":"user","content":"x"}],"stream":"yes"})"), 400,
                 "invalid_type", "invalid_request_error");
    expect_error(s.post("/v1/completions", R"({"prompt":"x","max_tokens":1.5})"), 400, "invalid_type",
                 "invalid_request_error");
    expect_error(s.post("/v1/completions", R"({"prompt":"x","stop":[1]})"), 400, "invalid_type", "invalid_request_error");
    expect_error(s.post("/v1/completions", R"({"prompt":"x","temperature":7})"), 400, "invalid_value",
                 "invalid_request_error");
    expect_error(s.post("/v1/completions", R"({"max_tokens":3})"), 400, "missing_field", "invalid_request_error");
}

TEST(ServerErrors, NOtherThanOneIs400) {
    TestServer s;
    auto r = s.post("/v1/chat/completions", R"({"messages":[{"role":"user","content":"x"}],"n":2})");
    expect_error(r, 400, "invalid_value", "invalid_request_error");
    EXPECT_EQ(s.post("/v1/chat/completions", R"({"messages":[{"role":"user","content":"x"}],"n":1})").status, 200);
}

TEST(ServerErrors, UnknownModelIs404AsWithOpenAI) {
    TestServer s;
    auto r = s.post("/v1/completions", R"({"model":"gpt-9","prompt":"x"})");
    expect_error(r, 404, "model_not_found", "invalid_request_error");
    EXPECT_NE(r.body.find("gpt-9"), std::string::npos);
}

TEST(ServerErrors, PromptTooLongForTheContextIs400) {
    TestServer s;  // the fake's context holds 64 tokens
    auto r = s.post("/v1/completions", R"({"prompt":")" + std::string(100, 'a') + R"("})");
    expect_error(r, 400, "context_length_exceeded", "invalid_request_error");
    EXPECT_EQ(s.model->started.load(), 0);  // refused before any generation
}

TEST(ServerErrors, MissingOrWrongApiKeyIs401) {
    auto o = quick_options();
    o.api_key = "s3cret";
    TestServer s(o);
    expect_error(s.get("/v1/models"), 401, "invalid_api_key", "authentication_error");
    expect_error(s.get("/v1/models", {{"Authorization", "Bearer nope"}}), 401, "invalid_api_key",
                 "authentication_error");
    EXPECT_EQ(s.get("/v1/models", {{"Authorization", "Bearer s3cret"}}).status, 200);
    EXPECT_EQ(s.get("/health").status, 200);  // probes stay open
    EXPECT_EQ(s.get("/ready").status, 200);
}

TEST(ServerErrors, UnknownPathIs404AndWrongMethodIs405) {
    TestServer s;
    expect_error(s.get("/v2/whatever"), 404, "not_found", "not_found_error");
    auto r = s.get("/v1/chat/completions");
    expect_error(r, 405, "method_not_allowed", "invalid_request_error");
    EXPECT_EQ(r.headers["Allow"], "POST");
}

TEST(ServerErrors, BodyLargerThanTheLimitIs413) {
    auto o = quick_options();
    o.max_body_bytes = 100;
    TestServer s(o);
    std::string big = R"({"prompt":")" + std::string(200, 'a') + R"("})";
    expect_error(s.post("/v1/completions", big), 413, "request_too_large", "invalid_request_error");
}

TEST(ServerErrors, ChunkedBodyLargerThanTheLimitIs413) {
    auto o = quick_options();
    o.max_body_bytes = 100;
    TestServer s(o);
    // No Content-Length: the limit must hold while reading.
    Poco::Net::StreamSocket sock(Poco::Net::SocketAddress("127.0.0.1", s.port()));
    std::string chunk(300, 'a');
    std::string req = "POST /v1/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n12c\r\n" + chunk +
                      "\r\n0\r\n\r\n";
    sock.sendBytes(req.data(), static_cast<int>(req.size()));
    char buf[512] = {0};
    int n = sock.receiveBytes(buf, sizeof(buf) - 1);
    ASSERT_GT(n, 0);
    EXPECT_EQ(std::string(buf).rfind("HTTP/1.1 413", 0), 0u) << buf;
}

TEST(ServerErrors, TruncatedRequestTimesOutInsteadOfHanging) {
    auto o = quick_options();
    o.read_timeout_seconds = 1;
    TestServer s(o);
    Poco::Net::StreamSocket sock(Poco::Net::SocketAddress("127.0.0.1", s.port()));
    std::string req = "POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n{\"prompt\"";
    sock.sendBytes(req.data(), static_cast<int>(req.size()));
    sock.setReceiveTimeout(Poco::Timespan(5, 0));
    char buf[512];
    int total = 0;
    try {
        while (int n = sock.receiveBytes(buf, sizeof(buf))) total += n;  // until the server closes
    } catch (const Poco::Exception&) {
    }
    // The server gave up on the body (an error reply or a plain close), well before our 5 s.
    EXPECT_EQ(s.get("/health").status, 200);
    (void)total;
}

TEST(ServerErrors, UnreadableContentLengthIs400AndTheServerGoesOn) {
    TestServer s;
    // Poco itself cannot parse these; the connection used to close with no response at all.
    for (const std::string length : {"abc", "99999999999999999999", "1 2"}) {
        Poco::Net::StreamSocket sock(Poco::Net::SocketAddress("127.0.0.1", s.port()));
        std::string req = "POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Length: " + length + "\r\n\r\n{}";
        sock.sendBytes(req.data(), static_cast<int>(req.size()));
        sock.setReceiveTimeout(Poco::Timespan(10, 0));
        std::string reply;
        char buf[512];
        while (int n = sock.receiveBytes(buf, sizeof(buf))) reply.append(buf, static_cast<size_t>(n));  // until the server closes
        EXPECT_EQ(reply.rfind("HTTP/1.1 400", 0), 0u) << length << ": " << reply;
        EXPECT_NE(reply.find("Connection: Close"), std::string::npos) << reply;
        EXPECT_NE(reply.find(R"("code":"invalid_framing")"), std::string::npos) << reply;
    }
    EXPECT_EQ(s.get("/health").status, 200);
}

TEST(ServerErrors, ClientStillUploadingAnOversizedBodyGetsThe413NotAReset) {
    auto o = quick_options();
    o.max_body_bytes = 1024;
    TestServer s(o);
    // 4 MiB: far more than the socket buffers hold, so the client is still sending when the
    // server has refused the body; closing at once would reset the connection under it.
    const std::string body(4 << 20, 'a');
    Poco::Net::StreamSocket sock(Poco::Net::SocketAddress("127.0.0.1", s.port()));
    sock.setReceiveTimeout(Poco::Timespan(10, 0));
    std::string req = "POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
                      std::to_string(body.size()) + "\r\n\r\n" + body;
    size_t sent = 0;
    try {
        while (sent < req.size()) sent += static_cast<size_t>(sock.sendBytes(req.data() + sent, static_cast<int>(req.size() - sent)));
    } catch (const Poco::Exception& e) {
        FAIL() << "upload cut off after " << sent << " bytes: " << e.displayText();
    }
    std::string reply;
    char buf[512];
    while (int n = sock.receiveBytes(buf, sizeof(buf))) reply.append(buf, static_cast<size_t>(n));
    EXPECT_EQ(reply.rfind("HTTP/1.1 413", 0), 0u) << reply;
    EXPECT_NE(reply.find("server.max_body_bytes"), std::string::npos) << reply;
}
