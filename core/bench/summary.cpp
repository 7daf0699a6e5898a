#include "bench/summary.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

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

double median(std::span<const double> values) {
    if (values.empty()) throw std::invalid_argument("median: no values");
    std::vector<double> v(values.begin(), values.end());
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double percentile(std::span<const double> values, double p) {
    if (values.empty()) throw std::invalid_argument("percentile: no values");
    if (!(p > 0 && p <= 100)) throw std::invalid_argument("percentile: p must be in (0, 100], not " + std::to_string(p));
    std::vector<double> v(values.begin(), values.end());
    std::sort(v.begin(), v.end());
    const auto rank = static_cast<size_t>(std::ceil(p / 100 * static_cast<double>(v.size())));
    return v[std::max<size_t>(rank, 1) - 1];
}

}  // namespace veil::bench
