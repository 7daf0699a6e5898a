// Clients that trickle bytes (slowloris) lose their connection instead of holding a server
// thread for as long as they keep sending: headers have a deadline, bodies a minimum pace.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include <Poco/Net/NetException.h>
#include <Poco/Net/StreamSocket.h>

#include "server_fixture.h"

using namespace veil;
using namespace veil::test;

namespace {

using Clock = std::chrono::steady_clock;

// Sends `head`, then one byte of `drip` every 200 ms until the server ends the connection (or
// 10 s pass); returns what the server sent back and how long it let the client go on.
struct Dripped {
    std::string reply;
    double seconds = 0;
    bool closed = false;
};

Dripped drip(uint16_t port, const std::string& head, char drip_byte) {
    Poco::Net::StreamSocket sock(Poco::Net::SocketAddress("127.0.0.1", port));
    sock.sendBytes(head.data(), static_cast<int>(head.size()));
    sock.setReceiveTimeout(Poco::Timespan(0, 200 * 1000));
    Dripped d;
    const auto start = Clock::now();
    while (Clock::now() - start < std::chrono::seconds(10)) {
        try {
            sock.sendBytes(&drip_byte, 1);
            char buf[1024];
            const int n = sock.receiveBytes(buf, sizeof(buf));
            if (n <= 0) {
                d.closed = true;
                break;
            }
            d.reply.append(buf, static_cast<size_t>(n));
        } catch (const Poco::TimeoutException&) {
            // Nothing yet: drip on.
        } catch (const Poco::Exception&) {
            d.closed = true;  // reset
            break;
        }
    }
    d.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return d;
}

server::ServerOptions short_timeouts() {
    auto o = quick_options();
    o.read_timeout_seconds = 1;
    o.keep_alive_seconds = 1;
    return o;
}

}  // namespace

TEST(ServerSlowClients, HeadersTrickledForeverLoseTheConnection) {
    TestServer s(short_timeouts());
    // Each byte arrives well within the 1 s read timeout, so only the 2 s header deadline (keep-
    // alive + read timeout) can end this.
    Dripped d = drip(s.port(), "GET /health HTTP/1.1\r\nX-Slow: ", 'a');
    EXPECT_TRUE(d.closed) << "still open after " << d.seconds << " s";
    EXPECT_LT(d.seconds, 5.0);
    EXPECT_EQ(s.get("/health").status, 200);  // everyone else is still served
}

TEST(ServerSlowClients, BodyTrickledForeverIs408) {
    TestServer s(short_timeouts());
    Dripped d = drip(s.port(),
                     "POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     "Content-Length: 100000\r\n\r\n",
                     ' ');
    EXPECT_LT(d.seconds, 5.0);
    EXPECT_EQ(d.reply.rfind("HTTP/1.1 408", 0), 0u) << d.reply;
    EXPECT_NE(d.reply.find(R"("code":"request_timeout")"), std::string::npos) << d.reply;
}

TEST(ServerSlowClients, AnIdleKeepAliveConnectionStillGetsItsNextRequestServed) {
    // The deadline restarts after each response: a keep-alive client that pauses less than the
    // keep-alive timeout between requests is not cut off.
    TestServer s(short_timeouts());
    Poco::Net::HTTPClientSession session("127.0.0.1", s.port());
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(http_on(session, "GET", "/health").status, 200) << i;
        std::this_thread::sleep_for(std::chrono::milliseconds(700));
    }
}
