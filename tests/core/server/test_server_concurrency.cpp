// Admission (parallel + bounded queue), cancellation on client disconnect, graceful drain.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

#include <Poco/Net/StreamSocket.h>

#include "server_fixture.h"

using namespace veil;
using namespace veil::test;
using namespace std::chrono_literals;

namespace {

std::vector<std::string> long_script() { return std::vector<std::string>(200, " tok"); }

bool wait_until(const std::function<bool()>& cond, std::chrono::milliseconds limit = 5000ms) {
    auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
        if (cond()) return true;
        std::this_thread::sleep_for(5ms);
    }
    return cond();
}

// Sends a raw request and returns the connected socket (the caller reads or hangs up).
Poco::Net::StreamSocket send_raw(uint16_t port, const std::string& body) {
    Poco::Net::StreamSocket sock(Poco::Net::SocketAddress("127.0.0.1", port));
    std::string req = "POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
                      std::to_string(body.size()) + "\r\n\r\n" + body;
    sock.sendBytes(req.data(), static_cast<int>(req.size()));
    return sock;
}

// A cancelled request's slot is released when its handler returns, a moment after generate()
// did, so a request in between may still find the slot busy (503): posts until it does not. A
// slot that is never released keeps answering 503 past wait_until's limit.
HttpReply post_when_slot_frees(TestServer& s, const std::string& body) {
    HttpReply r;
    wait_until([&] {
        r = s.post("/v1/completions", body);
        return r.status != 503;
    });
    return r;
}

server::ServerOptions one_slot() {
    auto o = quick_options();
    o.parallel = 1;
    o.queue = 0;
    return o;
}

}  // namespace

TEST(ServerConcurrency, FullQueueAnswers503WithRetryAfter) {
    TestServer s(one_slot(), std::make_shared<FakeServedModel>(long_script(), 5));
    auto slow = std::async(std::launch::async, [&] { return s.post("/v1/completions", R"({"prompt":"x"})"); });
    ASSERT_TRUE(wait_until([&] { return s.model->active.load() == 1; }));
    auto r = s.post("/v1/completions", R"({"prompt":"y"})");
    EXPECT_EQ(r.status, 503) << r.body;
    EXPECT_EQ(r.headers["Retry-After"], "1");
    EXPECT_EQ(r.error_code(), "overloaded");
    EXPECT_EQ(slow.get().status, 200);
    EXPECT_EQ(s.post("/v1/completions", R"({"prompt":"z","max_tokens":1})").status, 200);
}

TEST(ServerConcurrency, QueuedRequestWaitsForTheSlot) {
    auto o = one_slot();
    o.queue = 1;
    TestServer s(o, std::make_shared<FakeServedModel>(std::vector<std::string>(20, " t"), 5));
    auto a = std::async(std::launch::async, [&] { return s.post("/v1/completions", R"({"prompt":"a"})"); });
    ASSERT_TRUE(wait_until([&] { return s.model->active.load() == 1; }));
    auto b = std::async(std::launch::async, [&] { return s.post("/v1/completions", R"({"prompt":"b"})"); });
    ASSERT_TRUE(wait_until([&] { return s.server->context().admission.waiting() == 1; }));
    EXPECT_EQ(s.post("/v1/completions", R"({"prompt":"c"})").status, 503);  // 1 running + 1 waiting
    EXPECT_EQ(a.get().status, 200);
    EXPECT_EQ(b.get().status, 200);
}

TEST(ServerConcurrency, StreamingClientDisconnectCancelsAndFreesTheSlot) {
    TestServer s(one_slot(), std::make_shared<FakeServedModel>(long_script(), 10));
    {
        auto sock = send_raw(s.port(), R"({"prompt":"x","stream":true})");
        char buf[256];
        ASSERT_GT(sock.receiveBytes(buf, sizeof(buf)), 0);  // the stream started
        sock.close();
    }
    ASSERT_TRUE(wait_until([&] { return s.model->finished.load() == 1; }, 3000ms)) << "generation kept running";
    EXPECT_EQ(s.model->last_finish, "cancelled");
    auto r = post_when_slot_frees(s, R"({"prompt":"next","max_tokens":2})");
    EXPECT_EQ(r.status, 200) << r.body;
}

TEST(ServerConcurrency, NonStreamingClientDisconnectCancelsAndFreesTheSlot) {
    TestServer s(one_slot(), std::make_shared<FakeServedModel>(long_script(), 10));
    {
        auto sock = send_raw(s.port(), R"({"prompt":"x"})");
        ASSERT_TRUE(wait_until([&] { return s.model->active.load() == 1; }));
        sock.close();
    }
    ASSERT_TRUE(wait_until([&] { return s.model->finished.load() == 1; }, 3000ms)) << "generation kept running";
    EXPECT_EQ(s.model->last_finish, "cancelled");
    auto r = post_when_slot_frees(s, R"({"prompt":"next","max_tokens":2})");
    EXPECT_EQ(r.status, 200) << r.body;
}

TEST(ServerConcurrency, ShutdownLetsRunningRequestsFinish) {
    TestServer s(quick_options(), std::make_shared<FakeServedModel>(std::vector<std::string>(30, " t"), 10));
    auto running = std::async(std::launch::async, [&] {
        return s.post("/v1/completions", R"({"prompt":"x","stream":true})");
    });
    ASSERT_TRUE(wait_until([&] { return s.model->active.load() == 1; }));
    EXPECT_TRUE(s.server->shutdown());
    auto r = running.get();
    EXPECT_EQ(r.status, 200);
    EXPECT_NE(r.body.find("\"finish_reason\":\"stop\""), std::string::npos) << r.body;
    EXPECT_EQ(r.body.substr(r.body.size() - 14), "data: [DONE]\n\n");
    EXPECT_THROW(s.get("/health"), Poco::Exception);  // no longer accepting
}

TEST(ServerConcurrency, ShutdownCancelsWhatOutlivesTheDrainPeriod) {
    auto o = quick_options();
    o.drain_seconds = 0.2;
    TestServer s(o, std::make_shared<FakeServedModel>(long_script(), 20));
    auto running = std::async(std::launch::async, [&] {
        return s.post("/v1/completions", R"({"prompt":"x","stream":true})");
    });
    ASSERT_TRUE(wait_until([&] { return s.model->active.load() == 1; }));
    auto t0 = std::chrono::steady_clock::now();
    EXPECT_FALSE(s.server->shutdown());
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s);
    auto r = running.get();  // ended cleanly, not hung
    EXPECT_EQ(r.body.substr(r.body.size() - 14), "data: [DONE]\n\n");
}
