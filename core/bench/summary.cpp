#include "bench/summary.h"

#include <cmath>
#include <stdexcept>

namespace veil::bench {

Summary summarize(std::span<const double> values) {
    if (values.empty()) throw std::invalid_argument("summarize: no values");
    Summary s;
    for (double v : values) s.mean += v;
    s.mean /= static_cast<double>(values.size());
    if (values.size() < 2) return s;
    double sq = 0;
    for (double v : values) sq += (v - s.mean) * (v - s.mean);
    s.sd = std::sqrt(sq / static_cast<double>(values.size() - 1));
    return s;
}

}  // namespace veil::bench
