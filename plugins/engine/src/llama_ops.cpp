#include "veil/engine/llama_ops.h"

#include <cmath>

#include "ops_kernels.h"
#include "veil/engine/kernels.h"

namespace veil::engine {

void rms_norm(const float* x, const float* w, int64_t n, float eps, float* out) {
    // Sum in double: the mean of squares over thousands of elements is where float loses digits.
    // Eight partial sums in a fixed order: one running sum is a chain of dependent additions (~3 us
    // for 2048 elements, paid twice per layer and token), while independent lanes vectorize.
    static const bool simd = best_kernels().isa == Isa::Avx512;
    constexpr int kLanes = 8;
    double part[kLanes] = {};
    const int64_t whole = n / kLanes * kLanes;
    if (simd) {
        detail::avx512_add_squares(x, whole, part);
    } else {
        for (int64_t i = 0; i < whole; i += kLanes)
            for (int j = 0; j < kLanes; ++j) part[j] += static_cast<double>(x[i + j]) * x[i + j];
    }
    for (int64_t i = whole, j = 0; i < n; ++i, ++j) part[j] += static_cast<double>(x[i]) * x[i];
    const double ss = ((part[0] + part[1]) + (part[2] + part[3])) + ((part[4] + part[5]) + (part[6] + part[7]));
    const float scale = static_cast<float>(1.0 / std::sqrt(ss / static_cast<double>(n) + eps));
    if (simd) return detail::avx512_scale_mul(x, scale, w, n, out);
    for (int64_t i = 0; i < n; ++i) out[i] = x[i] * scale * w[i];
}

Rope::Rope(uint32_t head_dim, uint32_t n_rot, float freq_base, uint32_t max_tokens)
    : head_dim_(head_dim),
      n_rot_(n_rot),
      half_(n_rot / 2),
      inv_freq_(half_),
      cos_(static_cast<size_t>(max_tokens) * half_),
      sin_(static_cast<size_t>(max_tokens) * half_) {
    for (uint32_t i = 0; i < half_; ++i)
        inv_freq_[i] = std::pow(static_cast<double>(freq_base), -2.0 * i / static_cast<double>(n_rot));
}

void Rope::prepare(uint32_t pos0, uint32_t n_tokens) {
    // Angles in double: pos * freq reaches ~1e5 rad at long contexts, where float's absolute
    // error would already be visible in cos/sin.
    for (uint32_t t = 0; t < n_tokens; ++t)
        for (uint32_t i = 0; i < half_; ++i) {
            const double theta = static_cast<double>(pos0 + t) * inv_freq_[i];
            cos_[static_cast<size_t>(t) * half_ + i] = static_cast<float>(std::cos(theta));
            sin_[static_cast<size_t>(t) * half_ + i] = static_cast<float>(std::sin(theta));
        }
}

void Rope::apply(float* x, uint32_t n_heads, uint32_t t) const {
    const float* c = cos_.data() + static_cast<size_t>(t) * half_;
    const float* s = sin_.data() + static_cast<size_t>(t) * half_;
    for (uint32_t h = 0; h < n_heads; ++h) {
        float* v = x + static_cast<size_t>(h) * head_dim_;
        for (uint32_t i = 0; i < half_; ++i) {
            const float x0 = v[2 * i], x1 = v[2 * i + 1];
            v[2 * i] = x0 * c[i] - x1 * s[i];
            v[2 * i + 1] = x0 * s[i] + x1 * c[i];
        }
    }
}

void swiglu(float* g, const float* u, int64_t n) {
    static const bool simd = best_kernels().isa == Isa::Avx512;
    if (simd) return detail::avx512_swiglu(g, u, n);
    for (int64_t i = 0; i < n; ++i) g[i] = g[i] / (1.0f + std::exp(-g[i])) * u[i];
}

void add_inplace(float* y, const float* x, int64_t n) {
    for (int64_t i = 0; i < n; ++i) y[i] += x[i];
}

}  // namespace veil::engine
