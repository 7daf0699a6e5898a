// Picks the kernel table once, from CPUID. Compiled for baseline x86-64: it must not execute any
// instruction the CPU might lack, so it only compares feature bits and returns table addresses.
//
// VEIL_ISA=scalar|avx2|avx512 caps the choice (for A/B checks and benchmarking); an ISA the CPU
// lacks falls back to the best supported one below it.
#include <cpuid.h>

#include <cstdlib>
#include <cstring>

#include "kernels_internal.h"

namespace veil::engine {
namespace {

// GCC 12's __builtin_cpu_supports("f16c") reports 0 even on CPUs that have it, so read the bit
// (CPUID leaf 1, ECX bit 29) directly.
bool cpu_has_f16c() {
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    if (__get_cpuid(1, &eax, &ebx, &ecx, &edx) == 0) return false;
    return (ecx & (1u << 29)) != 0;
}

bool cpu_has_avx2() {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && cpu_has_f16c();
}

bool cpu_has_avx512() {
    __builtin_cpu_init();
    // The AVX-512 table also calls AVX2 kernels for the types it does not specialise.
    return cpu_has_avx2() && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
           __builtin_cpu_supports("avx512vnni");
}

const KernelTable& choose() {
    Isa cap = Isa::Avx512;
    if (const char* env = std::getenv("VEIL_ISA")) {
        if (std::strcmp(env, "scalar") == 0) cap = Isa::Scalar;
        else if (std::strcmp(env, "avx2") == 0) cap = Isa::Avx2;
    }
    if (cap == Isa::Avx512 && cpu_has_avx512()) return detail::kAvx512Kernels;
    if (cap != Isa::Scalar && cpu_has_avx2()) return detail::kAvx2Kernels;
    return detail::kScalarKernels;
}

}  // namespace

const KernelTable& best_kernels() {
    static const KernelTable& table = choose();  // thread-safe static init
    return table;
}

const KernelTable* kernels_for(Isa isa) {
    switch (isa) {
        case Isa::Scalar: return &detail::kScalarKernels;
        case Isa::Avx2: return cpu_has_avx2() ? &detail::kAvx2Kernels : nullptr;
        case Isa::Avx512: return cpu_has_avx512() ? &detail::kAvx512Kernels : nullptr;
    }
    return nullptr;
}

const char* isa_name(Isa isa) {
    switch (isa) {
        case Isa::Scalar: return "scalar";
        case Isa::Avx2: return "avx2";
        case Isa::Avx512: return "avx512";
    }
    return "unknown";
}

}  // namespace veil::engine
