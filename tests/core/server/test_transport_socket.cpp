// TransportServerSocket against fixture transports that check the listener contract themselves
// (fixtures/transport_fixture.cpp): a 1.1 transport is closed only once no accept runs or will
// start, and a 1.0 one (no shutdown slot) is still closed through its own close.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

#include <Poco/Net/Socket.h>
#include <Poco/Timespan.h>

#include "plugin_host/plugin_host.h"
#include "server/transport_socket.h"

namespace veil::server {
namespace {

// One host for the whole binary, never destroyed: the host keeps a plugin's HostApi for the life
// of the process by design.
const Plugin& transport_fixture(const std::string& name, const std::string& path) {
    static auto* host = new PluginHost;
    if (const Plugin* p = host->find(name)) return *p;
    PluginSpec spec;
    spec.name = name;
    spec.path = path;
    spec.display_path = name;
    return host->load(spec);
}

TEST(TransportServerSocket, ClosesA1_1ListenerOnlyOnceNoAcceptRunsOrStarts) {
    const Plugin& p = transport_fixture("fixture_transport_busy", VEIL_TRANSPORT_FIXTURE_BUSY);
    ASSERT_EQ(p.status, PluginStatus::Ready) << p.message();
    ASSERT_NE(p.transport.shutdown, nullptr);
    // The fixture's accept returns a connection on every call, so each close below lands while
    // the accept thread loops between two accepts; the fixture aborts the process if the host
    // closes during an accept or calls accept after close.
    for (int i = 0; i < 300; ++i) {
        TransportServerSocket socket(p, "fixture://" + std::to_string(i));
        ASSERT_TRUE(socket.poll(Poco::Timespan(5, 0), Poco::Net::Socket::SELECT_READ))
            << "no connection came through accept";
        socket.close();
    }
}

TEST(TransportServerSocket, ClosesA1_0ListenerThroughItsCloseWhileAcceptBlocks) {
    const Plugin& p = transport_fixture("fixture_transport_v1_0", VEIL_TRANSPORT_FIXTURE_V1_0);
    ASSERT_EQ(p.status, PluginStatus::Ready) << p.message();
    EXPECT_EQ(p.abi(), "1.0");
    EXPECT_EQ(p.transport.shutdown, nullptr) << "a 1.0 vtable ends before shutdown";
    TransportServerSocket socket(p, "fixture://blocking");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the accept thread blocks
    auto closed = std::async(std::launch::async, [&] { socket.close(); });
    ASSERT_EQ(closed.wait_for(std::chrono::seconds(5)), std::future_status::ready)
        << "close did not wake the blocked accept";
    EXPECT_FALSE(socket.poll(Poco::Timespan(0, 1000), Poco::Net::Socket::SELECT_READ));
}

}  // namespace
}  // namespace veil::server
