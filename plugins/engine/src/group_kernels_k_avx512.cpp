// AVX-512 VNNI grouped kernels for Q4_K and Q6_K (group_kernels.h). Not written yet: nullptr
// sends these types to the scalar reference and keeps them Plain (row_groups_pay_off).
#include "group_kernels_avx512.h"

namespace veil::engine::detail {

GroupDotFn avx512_group_dot_q4_k() { return nullptr; }
GroupDotFn avx512_group_dot_q6_k() { return nullptr; }

}  // namespace veil::engine::detail
