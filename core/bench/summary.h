// Statistics of repeated measurements: mean and sample standard deviation, as llama-bench reports
// them, and the median and percentiles that latency reports (vLLM's inter-token latency) use.
#pragma once

#include <span>

namespace veil::bench {

struct Summary {
    double mean = 0;
    double sd = 0;  // sample (n - 1) standard deviation; 0 for a single value
};

// Throws std::invalid_argument for an empty sample.
Summary summarize(std::span<const double> values);

// The middle value of `values` (the mean of the two middle ones for an even count). Throws
// std::invalid_argument for an empty sample.
double median(std::span<const double> values);

// The nearest-rank p-th percentile, 0 < p <= 100: the smallest value that at least p% of `values`
// are at or below (p = 100: the largest). Throws std::invalid_argument for an empty sample or p
// outside (0, 100].
double percentile(std::span<const double> values, double p);

}  // namespace veil::bench
