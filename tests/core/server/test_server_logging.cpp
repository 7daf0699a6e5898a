// Prompts and completions stay out of the logs unless logging.log_content is on.
#include <gtest/gtest.h>

#include "../util/log_capture.h"
#include "server_fixture.h"

using namespace veil;
using namespace veil::test;

namespace {

std::string logs_for_one_request(bool log_content) {
    LogCapture capture;
    auto o = quick_options();
    o.log_content = log_content;
    {
        TestServer s(o);
        EXPECT_EQ(s.post("/v1/chat/completions", R"({"messages":[{"role":"user","content":"SECRET42"}]})").status,
                  200);
        EXPECT_EQ(s.post("/v1/completions", R"({"prompt":"OTHER-SECRET","stream":true})").status, 200);
    }
    return capture.text();
}

}  // namespace

TEST(ServerLogging, ContentIsNotLoggedByDefault) {
    std::string logs = logs_for_one_request(false);
    EXPECT_NE(logs.find("POST /v1/chat/completions 200"), std::string::npos) << logs;
    EXPECT_EQ(logs.find("SECRET42"), std::string::npos) << logs;
    EXPECT_EQ(logs.find("OTHER-SECRET"), std::string::npos) << logs;
    EXPECT_EQ(logs.find("Hello world"), std::string::npos) << logs;  // the completion
}

TEST(ServerLogging, ContentIsLoggedWhenEnabled) {
    std::string logs = logs_for_one_request(true);
    EXPECT_NE(logs.find("SECRET42"), std::string::npos) << logs;
    EXPECT_NE(logs.find("Hello world"), std::string::npos) << logs;
}
