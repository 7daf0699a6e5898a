// One log record is one line in either format, whatever a client put in the message.
#include <gtest/gtest.h>

#include <algorithm>

#include <spdlog/spdlog.h>

#include "util/logging.h"

namespace {

// The stderr output of one record logged with `format`; restores the previous logger.
std::string logged(const std::string& format, const std::string& message) {
    auto previous = spdlog::default_logger();
    veil::setup_logging(format, "info");
    testing::internal::CaptureStderr();
    spdlog::info("{}", message);
    spdlog::default_logger()->flush();
    std::string out = testing::internal::GetCapturedStderr();
    spdlog::set_default_logger(previous);
    return out;
}

}  // namespace

TEST(Logging, TextEscapesLineBreaksAndTerminalControls) {
    std::string out = logged("text", "GET /v1/\x1b[31mred\r\n2026-01-01 00:00:00.000 info  forged\x7f\ttab");
    EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
    EXPECT_NE(out.find(R"(GET /v1/\x1b[31mred\r\n2026-01-01 00:00:00.000 info  forged\x7f)" "\ttab\n"),
              std::string::npos)
        << out;
    EXPECT_EQ(out.find('\x1b'), std::string::npos);
}

TEST(Logging, TextKeepsUtf8AsItIs) {
    std::string out = logged("text", "prompt: Grüße, 世界");
    EXPECT_NE(out.find("prompt: Grüße, 世界\n"), std::string::npos) << out;
}

TEST(Logging, JsonRecordIsOneObjectWithTheMessageEscaped) {
    std::string out = logged("json", "say \"hi\"\\\n\x1b");
    EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
    EXPECT_NE(out.find(R"("msg":"say \"hi\"\\\n\u001b"})"), std::string::npos) << out;
}

TEST(Logging, UnknownFormatOrLevelIsRefused) {
    EXPECT_THROW(veil::setup_logging("xml", "info"), std::invalid_argument);
    EXPECT_THROW(veil::setup_logging("text", "loud"), std::invalid_argument);
}
