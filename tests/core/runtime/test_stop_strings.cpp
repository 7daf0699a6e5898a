#include <gtest/gtest.h>

#include "runtime/stop_strings.h"

namespace veil {
namespace {

TEST(StopStrings, HoldsBackAPossibleStartAndReleasesItWhenItIsNot) {
    StopStringFilter f({"END"});
    EXPECT_EQ(f.push("hello E"), "hello ");
    EXPECT_EQ(f.push("N"), "");
    EXPECT_EQ(f.push("x"), "ENx");
    EXPECT_FALSE(f.stopped());
    EXPECT_EQ(f.flush(), "");
}

TEST(StopStrings, CutsRightBeforeAStopStringSpanningPieces) {
    StopStringFilter f({"\n\n", "END"});
    EXPECT_EQ(f.push("one\n"), "one");
    EXPECT_EQ(f.push("\ntwo"), "");
    EXPECT_TRUE(f.stopped());
    EXPECT_EQ(f.push("more"), "");
    EXPECT_EQ(f.flush(), "");
}

TEST(StopStrings, EarliestStopWins) {
    StopStringFilter f({"b", "abc"});
    EXPECT_EQ(f.push("xxabc"), "xx");  // "abc" starts before "b"
    EXPECT_TRUE(f.stopped());
}

TEST(StopStrings, FlushReturnsTheHeldBackTailAtTheEnd) {
    StopStringFilter f({"STOP"});
    EXPECT_EQ(f.push("abcST"), "abc");
    EXPECT_EQ(f.flush(), "ST");
}

TEST(StopStrings, NoStopsPassesEverything) {
    StopStringFilter f({});
    EXPECT_EQ(f.push("abc"), "abc");
    EXPECT_EQ(f.flush(), "");
}

}  // namespace
}  // namespace veil
