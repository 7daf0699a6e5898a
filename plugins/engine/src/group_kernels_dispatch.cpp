// Chooses the grouped kernel for the active kernel table (group_kernels.h).
#include "group_kernels.h"
#include "veil/engine/kernels.h"
#include "veil/engine/row_groups.h"

namespace veil::engine {

namespace detail {

GroupKernel group_kernel_for(GgmlType type) {
    if (best_kernels().isa == Isa::Avx512) {
        const GroupKernel k = avx512_group_kernel(type);
        if (k.dot != nullptr) return k;
    }
    return scalar_group_kernel(type);
}

}  // namespace detail

bool row_groups_pay_off(GgmlType type) {
    return best_kernels().isa == Isa::Avx512 && detail::avx512_group_kernel(type).dot != nullptr;
}

}  // namespace veil::engine
