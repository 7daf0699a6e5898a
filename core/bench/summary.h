// Mean and sample standard deviation of repeated measurements, as llama-bench reports them.
#pragma once

#include <span>

namespace veil::bench {

struct Summary {
    double mean = 0;
    double sd = 0;  // sample (n - 1) standard deviation; 0 for a single value
};

// Throws std::invalid_argument for an empty sample.
Summary summarize(std::span<const double> values);

}  // namespace veil::bench
