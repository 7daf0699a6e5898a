// The write half shared by `veil model quantize` and `veil model synth`: declares every tensor
// (name, output type, dims) on a GgufWriter whose metadata is already set, then streams each
// one — copied unchanged, or produced row by row and converted on `threads` threads — into a
// temporary file renamed into place, with a progress display on stderr.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gguf/gguf_tensor_stream.h"
#include "gguf/gguf_writer.h"
#include "veil/engine/ggml_types.h"

namespace veil::cli {

struct PlannedTensor {
    std::string name;
    engine::GgmlType type;        // type written
    std::vector<uint64_t> dims;   // ggml order: dims[0] is the row length
    const uint8_t* copy_from = nullptr;  // when set: the tensor's bytes, already in `type`
    TensorRowSource rows;                // otherwise: rows as floats, converted to `type`
};

struct WrittenModel {
    uint64_t tensor_bytes = 0;
    double seconds = 0;
};

WrittenModel write_model_file(GgufWriter& writer, const std::vector<PlannedTensor>& tensors, const std::string& path,
                              bool overwrite, int threads);

}  // namespace veil::cli
