// The transport ABI itself: listen (vsock for real, unix), address and bind errors, close
// waking a blocked accept, and shutdown doing so without releasing the listener.
#include <gtest/gtest.h>

#include <sys/un.h>

#include <chrono>
#include <future>
#include <thread>

#include "plugin_host/host_api.h"
#include "transport_fixture.h"

using namespace veil;
using namespace veil::test;

namespace {

struct ListenResult {
    void* listener = nullptr;
    veil_error_code code{};
    std::string message;
};

ListenResult try_listen(const Plugin& p, const std::string& address) {
    ListenResult r;
    veil_error* err = p.transport.listen(p.instance, address.c_str(), &r.listener);
    if (err) {
        ErrorPtr e(err);
        r.code = e->code;
        r.message = e->message;
    }
    return r;
}

const Plugin& ready_plugin(const PluginHost& host) {
    const Plugin* p = host.find("transport_vsock");
    EXPECT_NE(p, nullptr);
    EXPECT_EQ(p->status, PluginStatus::Ready) << p->message();
    return *p;
}

}  // namespace

TEST(TransportVsock, LoadsAsATransportServingVsockAndUnix) {
    auto host = load_transport();
    const Plugin& p = ready_plugin(*host);
    EXPECT_EQ(p.kind, static_cast<uint32_t>(VEIL_KIND_TRANSPORT));
    EXPECT_GT(p.probe_score, 0u);
    EXPECT_TRUE(p.capabilities & VEIL_CAP_TRANSPORT_UNIX);
    std::vector<std::string> schemes;
    for (const char* const* s = p.transport.schemes; *s; ++s) schemes.push_back(*s);
    EXPECT_EQ(schemes, (std::vector<std::string>{"vsock", "unix"}));
}

TEST(TransportVsock, AnyConfigurationIsRefusedAsThereIsNothingToConfigure) {
    PluginHost host;
    PluginSpec spec;
    spec.name = "transport_vsock";
    spec.path = VEIL_TRANSPORT_VSOCK_PLUGIN;
    spec.display_path = "libveil-transport-vsock.so";
    spec.config_json = R"({"port":5000})";
    const Plugin& p = host.load(spec);
    EXPECT_EQ(p.status, PluginStatus::Refused);
    EXPECT_EQ(p.reason, R"(rejects its configuration: transport_vsock takes no configuration, got {"port":5000})");
}

TEST(TransportVsock, VsockListenerBindsForReal) {
    uint32_t port = test_port(1);
    if (auto why = vsock_unavailable(port); !why.empty()) GTEST_SKIP() << "AF_VSOCK refused in this sandbox: " << why;
    auto host = load_transport();
    const Plugin& p = ready_plugin(*host);
    std::string address = "vsock://ANY:" + std::to_string(port);
    auto r = try_listen(p, address);
    ASSERT_EQ(r.listener != nullptr, true) << r.message;
    // A second bind to the same port fails with the errno text and names the address.
    auto again = try_listen(p, address);
    EXPECT_EQ(again.listener, nullptr);
    EXPECT_EQ(again.code, VEIL_ERR_IO);
    EXPECT_NE(again.message.find(address), std::string::npos) << again.message;
    EXPECT_NE(again.message.find("Address already in use"), std::string::npos) << again.message;
    p.transport.close(r.listener);
    // The port is free again after close.
    auto after = try_listen(p, address);
    ASSERT_NE(after.listener, nullptr) << after.message;
    p.transport.close(after.listener);
}

TEST(TransportVsock, BadAddressesNameTheAddressAndTheProblem) {
    auto host = load_transport();
    const Plugin& p = ready_plugin(*host);
    struct Case {
        std::string address, expect;
    } cases[] = {
        {"vsock://ANY:http", "port 'http' is not a decimal number"},
        {"vsock://ANY", "expected vsock://ANY:PORT"},
        {"vsock://host:80", "CID 'host' is not ANY"},
        {"unix://relative.sock", "absolute path"},
        {"unix:///" + std::string(200, 'x'), "AF_UNIX allows at most"},
        {"tcp://127.0.0.1:80", "unsupported scheme"},
    };
    for (const auto& c : cases) {
        auto r = try_listen(p, c.address);
        EXPECT_EQ(r.listener, nullptr) << c.address;
        EXPECT_EQ(r.code, VEIL_ERR_INVALID_ARGUMENT) << c.address;
        EXPECT_NE(r.message.find("'" + c.address + "'"), std::string::npos) << r.message;
        EXPECT_NE(r.message.find(c.expect), std::string::npos) << r.message;
    }
}

TEST(TransportVsock, BindFailureReportsErrnoText) {
    auto host = load_transport();
    const Plugin& p = ready_plugin(*host);
    auto r = try_listen(p, "unix:///nonexistent-veil-dir/x.sock");
    EXPECT_EQ(r.listener, nullptr);
    EXPECT_EQ(r.code, VEIL_ERR_IO);
    EXPECT_NE(r.message.find("bind failed: No such file or directory"), std::string::npos) << r.message;
}

TEST(TransportVsock, UnixListenerRefusesAPathInUseAndReplacesAStaleSocket) {
    auto host = load_transport();
    const Plugin& p = ready_plugin(*host);
    std::string path = temp_socket_path("inuse");
    auto first = try_listen(p, "unix://" + path);
    ASSERT_NE(first.listener, nullptr) << first.message;
    auto second = try_listen(p, "unix://" + path);
    EXPECT_EQ(second.listener, nullptr);
    EXPECT_NE(second.message.find("Address already in use"), std::string::npos) << second.message;
    p.transport.close(first.listener);
    EXPECT_NE(::access(path.c_str(), F_OK), 0) << "close removes the socket file";

    // A leftover socket file nobody listens on is replaced.
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    std::strcpy(sa.sun_path, path.c_str());
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)), 0);
    ::close(fd);
    auto third = try_listen(p, "unix://" + path);
    ASSERT_NE(third.listener, nullptr) << third.message;
    p.transport.close(third.listener);
}

TEST(TransportVsock, CloseWakesABlockedAccept) {
    auto host = load_transport();
    const Plugin& p = ready_plugin(*host);
    auto r = try_listen(p, "unix://" + temp_socket_path("wake"));
    ASSERT_NE(r.listener, nullptr) << r.message;
    auto accepted = std::async(std::launch::async, [&] {
        int fd = -1;
        char peer[64];
        ErrorPtr e(p.transport.accept(r.listener, &fd, peer, sizeof(peer)));
        return e ? e->code : veil_error_code{};
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto t0 = std::chrono::steady_clock::now();
    p.transport.close(r.listener);
    ASSERT_EQ(accepted.wait_for(std::chrono::seconds(2)), std::future_status::ready) << "accept stayed blocked";
    EXPECT_EQ(accepted.get(), VEIL_ERR_CLOSED);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(1));
}

TEST(TransportVsock, ShutdownWakesAcceptAndRefusesLaterOnesUntilClose) {
    auto host = load_transport();
    const Plugin& p = ready_plugin(*host);
    ASSERT_NE(p.transport.shutdown, nullptr);
    auto r = try_listen(p, "unix://" + temp_socket_path("shutdown"));
    ASSERT_NE(r.listener, nullptr) << r.message;
    auto accept_code = [&] {
        int fd = -1;
        char peer[64];
        ErrorPtr e(p.transport.accept(r.listener, &fd, peer, sizeof(peer)));
        return e ? e->code : veil_error_code{};
    };
    auto accepted = std::async(std::launch::async, accept_code);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    p.transport.shutdown(r.listener);
    ASSERT_EQ(accepted.wait_for(std::chrono::seconds(2)), std::future_status::ready) << "accept stayed blocked";
    EXPECT_EQ(accepted.get(), VEIL_ERR_CLOSED);
    // The listener is still valid: an accept that starts after shutdown returns at once, and a
    // second shutdown changes nothing.
    p.transport.shutdown(r.listener);
    auto late = std::async(std::launch::async, accept_code);
    ASSERT_EQ(late.wait_for(std::chrono::seconds(2)), std::future_status::ready) << "accept after shutdown blocked";
    EXPECT_EQ(late.get(), VEIL_ERR_CLOSED);
    p.transport.close(r.listener);
}
