// util::valid_utf8: valid text passes unchanged, every invalid byte becomes U+FFFD.
#include "util/valid_utf8.h"

#include <gtest/gtest.h>

#include <string>

using namespace veil;

namespace {

const std::string kFffd = "\xEF\xBF\xBD";

TEST(ValidUtf8, KeepsValidTextUnchanged) {
    for (std::string s : {std::string(""), std::string("plain"), std::string("caf\xC3\xA9 \xE2\x96\x81 \xF0\x9F\x98\x80")})
        EXPECT_EQ(util::valid_utf8(s), s);
}

TEST(ValidUtf8, ReplacesEachInvalidByte) {
    EXPECT_EQ(util::valid_utf8("a\x95" "b"), "a" + kFffd + "b");                 // stray continuation
    EXPECT_EQ(util::valid_utf8("\xE2\x96"), kFffd + kFffd);                      // truncated
    EXPECT_EQ(util::valid_utf8("\xC0\xAF"), kFffd + kFffd);                      // overlong '/'
    EXPECT_EQ(util::valid_utf8("\xED\xA0\x80"), kFffd + kFffd + kFffd);          // surrogate
    EXPECT_EQ(util::valid_utf8("\xF4\x90\x80\x80"), kFffd + kFffd + kFffd + kFffd);  // > U+10FFFF
    EXPECT_EQ(util::valid_utf8("\xFF" "\xC3\xA9"), kFffd + "\xC3\xA9");
}

}  // namespace
