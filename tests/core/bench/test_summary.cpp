#include "bench/summary.h"

#include <gtest/gtest.h>

#include <cmath>
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

TEST(Summary, EmptyIsAnError) {
    EXPECT_THROW(summarize({}), std::invalid_argument);
    EXPECT_THROW(median({}), std::invalid_argument);
    EXPECT_THROW(percentile({}, 50), std::invalid_argument);
}

TEST(Summary, MedianIsTheMiddleOrTheMeanOfTheTwoMiddleOnes) {
    EXPECT_DOUBLE_EQ(median(std::vector<double>{5, 1, 3}), 3);
    EXPECT_DOUBLE_EQ(median(std::vector<double>{4, 1, 3, 2}), 2.5);
    EXPECT_DOUBLE_EQ(median(std::vector<double>{7}), 7);
}

TEST(Summary, PercentileIsTheNearestRank) {
    std::vector<double> v;
    for (int i = 100; i >= 1; --i) v.push_back(i);  // 1..100, unsorted
    EXPECT_DOUBLE_EQ(percentile(v, 99), 99);
    EXPECT_DOUBLE_EQ(percentile(v, 50), 50);
    EXPECT_DOUBLE_EQ(percentile(v, 100), 100);
    EXPECT_DOUBLE_EQ(percentile(v, 0.5), 1);
    // 128 decode steps: p99 is the second slowest (rank ceil(126.72) = 127).
    std::vector<double> steps(128, 1.0);
    steps[3] = 30;
    steps[90] = 20;
    EXPECT_DOUBLE_EQ(percentile(steps, 99), 20);
    EXPECT_DOUBLE_EQ(percentile(std::vector<double>{2, 9}, 99), 9);
}

TEST(Summary, PercentileOutsideZeroToHundredIsAnError) {
    const std::vector<double> v = {1, 2};
    EXPECT_THROW(percentile(v, 0), std::invalid_argument);
    EXPECT_THROW(percentile(v, 100.5), std::invalid_argument);
    EXPECT_THROW(percentile(v, std::nan("")), std::invalid_argument);
}

}  // namespace
}  // namespace veil::bench
