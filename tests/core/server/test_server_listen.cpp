// Listening on TCP: a port another server holds is an error, never a shared port.
#include <gtest/gtest.h>

#include "server_fixture.h"

using namespace veil;
using namespace veil::test;

TEST(ServerListen, APortInUseIsRefusedNotShared) {
    TestServer first;
    // Poco's convenience constructor set SO_REUSEPORT: this second listen succeeded and the kernel
    // handed each new connection to one of the two servers.
    server::Server second(quick_options());
    try {
        second.listen("tcp://127.0.0.1:" + std::to_string(first.port()));
        FAIL() << "a second server listens on port " << first.port();
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("Address already in use"), std::string::npos) << e.what();
    }
    EXPECT_EQ(first.get("/health").status, 200);
}

TEST(ServerListen, PortZeroPicksAFreePortAndSaysWhich) {
    server::Server s(quick_options());
    const std::string url = s.listen("tcp://127.0.0.1:0");
    EXPECT_EQ(url.rfind("http://127.0.0.1:", 0), 0u) << url;
    EXPECT_NE(url, "http://127.0.0.1:0");
}
