#include "bench/summary.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

namespace veil::bench {
namespace {

TEST(Summary, MeanAndSampleStandardDeviation) {
    const std::vector<double> v = {1, 2, 3, 4};
    Summary s = summarize(v);
    EXPECT_DOUBLE_EQ(s.mean, 2.5);
    EXPECT_NEAR(s.sd, 1.2909944487, 1e-9);  // sqrt(5/3)
}

TEST(Summary, OneValueHasNoSpread) {
    const std::vector<double> v = {7.5};
    Summary s = summarize(v);
    EXPECT_DOUBLE_EQ(s.mean, 7.5);
    EXPECT_DOUBLE_EQ(s.sd, 0);
}

TEST(Summary, EmptyIsAnError) { EXPECT_THROW(summarize({}), std::invalid_argument); }

}  // namespace
}  // namespace veil::bench
