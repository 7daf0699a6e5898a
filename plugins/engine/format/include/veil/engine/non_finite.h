// Finds a NaN or an infinity in a tensor's data, as stored in a GGUF file. Such a value is never a
// legitimate weight: one in a block's scale turns its whole block (and every activation that
// meets it) into NaN, so the model would answer with garbage rather than fail. Backends check
// the weights they read with this and refuse the model instead, naming the place.
//
// What is checked is what can hold a non-finite value: every element of F32, F16 and BF16
// tensors, and the floating-point fields of each block of the quantized types (d, and dmin, m or
// s where the type has them). The integer quants of a block are finite by construction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "veil/engine/ggml_types.h"

namespace veil::engine {

struct NonFinite {
    int64_t row = 0;            // row of the data passed in (0-based)
    int64_t element = 0;        // its first element the value covers: the element (plain types), the block's first (block types)
    const char* field = "";     // "" for a plain element, else the block field: "d", "dmin", "m" or "s"
    bool nan = false;           // NaN, else +-infinity
};

// The first non-finite value in `rows` rows of `cols` elements of `type` at `data` (rows stored
// back to back, row_bytes(type, cols) apart), or nothing. `cols` must be a multiple of the type's
// block size and `type` supported (type_traits); callers check both, other types find nothing.
std::optional<NonFinite> find_non_finite(GgmlType type, const void* data, int64_t rows, int64_t cols);

// "row 3, block 5 (elements 160..191): its scale d is NaN" / "row 0, element 17 is Inf" (either sign).
std::string describe(const NonFinite& where, GgmlType type);

}  // namespace veil::engine
