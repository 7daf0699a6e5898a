// The AVX-512 grouped kernels of the K-quant types (group_kernels_k_avx512.cpp), returned as
// function pointers so group_kernels_avx512.cpp can assemble the table; nullptr while a type has
// none (the dispatcher then uses the scalar reference). Internal header.
#pragma once

#include "group_kernels.h"

namespace veil::engine::detail {

GroupDotFn avx512_group_dot_q4_k();
GroupDotFn avx512_group_dot_q6_k();

}  // namespace veil::engine::detail
