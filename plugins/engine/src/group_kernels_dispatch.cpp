// Chooses the grouped kernel for the active kernel table (group_kernels.h).
#include "group_kernels.h"
#include "veil/engine/kernels.h"
#include "veil/engine/row_groups.h"

namespace veil::engine {

namespace detail {
namespace {

// The active table's own SIMD grouped kernel for `type` ({} when it has none).
GroupKernel simd_group_kernel(GgmlType type) {
    switch (best_kernels().isa) {
        case Isa::Avx512: return avx512_group_kernel(type);
        case Isa::Avx2: return avx2_group_kernel(type);
        case Isa::Scalar: break;
    }
    return {};
}

}  // namespace

GroupKernel group_kernel_for(GgmlType type) {
    const GroupKernel k = simd_group_kernel(type);
    return k.dot != nullptr ? k : scalar_group_kernel(type);
}

}  // namespace detail

RowLayout matmul_layout(GgmlType type, int64_t rows) {
    return row_groups_pay_off(type) && has_row_groups(type) && rows >= kRowGroup ? RowLayout::Grouped16
                                                                                  : RowLayout::Plain;
}

bool row_groups_pay_off(GgmlType type) { return detail::simd_group_kernel(type).dot != nullptr; }

}  // namespace veil::engine
