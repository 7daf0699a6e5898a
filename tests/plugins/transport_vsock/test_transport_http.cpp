// Full HTTP request flows through the transport plugin: the same Server, routes and SSE as TCP,
// over a unix socket (Poco client and curl) and over vsock loopback when the kernel offers it.
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/StreamSocketImpl.h>

#include "fake_served_model.h"
#include "http_test_client.h"
#include "server/server.h"
#include "transport_fixture.h"

using namespace veil;
using namespace veil::test;

namespace {

struct UnixServer {
    PluginHost* host = load_transport();
    std::shared_ptr<FakeServedModel> model = std::make_shared<FakeServedModel>();
    std::string path;
    std::unique_ptr<server::Server> srv;

    explicit UnixServer(const std::string& tag) : path(temp_socket_path(tag)) {
        server::ServerOptions o;
        o.drain_seconds = 2;
        srv = std::make_unique<server::Server>(o, host);
        EXPECT_EQ(srv->listen("unix://" + path), "unix://" + path);
        srv->set_model(model);
    }
};

std::string run(const std::string& cmd) {
    std::string out;
    FILE* f = ::popen(cmd.c_str(), "r");
    if (!f) return out;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) out.append(buf, n);
    ::pclose(f);
    return out;
}

}  // namespace

TEST(TransportHttp, RequestsOverUnixSocketWithPocoClient) {
    UnixServer s("http");
    Poco::Net::StreamSocket sock(Poco::Net::SocketAddress(Poco::Net::SocketAddress::UNIX_LOCAL, s.path));
    Poco::Net::HTTPClientSession session(sock);
    session.setTimeout(Poco::Timespan(10, 0));
    session.setKeepAlive(true);  // it cannot reconnect by itself: it only knows this socket

    auto models = http_on(session, "GET", "/v1/models");
    ASSERT_EQ(models.status, 200) << models.body;
    EXPECT_EQ(models.json()->getArray("data")->getObject(0)->getValue<std::string>("id"), "fake");

    // Same keep-alive connection: a streamed chat completion.
    auto chat = http_on(session, "POST", "/v1/chat/completions",
                        R"({"messages":[{"role":"user","content":"Hi"}],"stream":true,"max_tokens":2})");
    ASSERT_EQ(chat.status, 200) << chat.body;
    EXPECT_EQ(chat.headers["Content-Type"], "text/event-stream");
    EXPECT_NE(chat.body.find("\"role\":\"assistant\""), std::string::npos);
    EXPECT_EQ(chat.body.substr(chat.body.size() - 14), "data: [DONE]\n\n");

    auto bad = http_on(session, "POST", "/v1/completions", R"({"prompt":"x","n":3})");
    EXPECT_EQ(bad.status, 400);
    EXPECT_EQ(bad.error_code(), "invalid_value");
}

TEST(TransportHttp, RequestsOverUnixSocketWithCurl) {
    if (run("command -v curl").empty()) GTEST_SKIP() << "curl is not installed";
    UnixServer s("curl");
    std::string out = run("curl -s --max-time 10 --unix-socket " + s.path +
                          " -H 'Content-Type: application/json' -d '{\"prompt\":\"x\",\"max_tokens\":3}' "
                          "http://veil/v1/completions");
    EXPECT_NE(out.find("\"text\":\"Hello world!\""), std::string::npos) << out;
    EXPECT_NE(out.find("\"finish_reason\":\"length\""), std::string::npos) << out;
    std::string health = run("curl -s -o /dev/null -w '%{http_code}' --unix-socket " + s.path + " http://veil/health");
    EXPECT_EQ(health, "200");
}

TEST(TransportHttp, RequestsOverVsockLoopback) {
    uint32_t port = test_port(7);
    if (auto why = vsock_unavailable(port); !why.empty()) GTEST_SKIP() << "AF_VSOCK refused in this sandbox: " << why;
    auto host = load_transport();
    server::ServerOptions o;
    o.drain_seconds = 2;
    server::Server srv(o, host);
    srv.listen("vsock://ANY:" + std::to_string(port));
    srv.set_model(std::make_shared<FakeServedModel>());

    int fd = ::socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(fd, 0);
    sockaddr_vm sa{};
    sa.svm_family = AF_VSOCK;
    sa.svm_cid = VMADDR_CID_LOCAL;
    sa.svm_port = port;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0) {
        int e = errno;
        ::close(fd);
        GTEST_SKIP() << "vsock loopback (CID 1) unavailable here: " << std::strerror(e);
    }
    Poco::Net::StreamSocket sock(new Poco::Net::StreamSocketImpl(fd));
    Poco::Net::HTTPClientSession session(sock);
    session.setTimeout(Poco::Timespan(10, 0));
    auto r = http_on(session, "POST", "/v1/completions", R"({"prompt":"x","max_tokens":1})");
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json()->getArray("choices")->getObject(0)->getValue<std::string>("text"), "Hello");
}

TEST(TransportHttp, NonTcpAddressWithoutTransportPluginIsAClearError) {
    server::Server srv(server::ServerOptions{}, nullptr);
    try {
        srv.listen("vsock://ANY:5000");
        FAIL() << "listen succeeded without a transport plugin";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("no ready transport plugin serves 'vsock://'"), std::string::npos)
            << e.what();
    }
}
