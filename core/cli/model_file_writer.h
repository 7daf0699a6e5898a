// The write half shared by `veil model quantize` and `veil model synth`: declares every tensor
// (name, output type, dims) on a GgufWriter whose metadata is already set, then streams each
// one — copied unchanged, or produced row by row and converted on `threads` threads — into a
// temporary file renamed into place, with a progress display on stderr.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "gguf/gguf_tensor_stream.h"
#include "gguf/gguf_writer.h"
#include "veil/engine/ggml_types.h"

namespace veil::cli {

// Fills dst with row `row` as floats, from the tensor's input bytes (nullptr when it has none).
// Called concurrently for different rows.
using PlannedRowSource = std::function<void(const uint8_t* input, int64_t row, float* dst)>;

struct PlannedTensor {
    std::string name;
    engine::GgmlType type;        // type written
    std::vector<uint64_t> dims;   // ggml order: dims[0] is the row length
    // The tensor's bytes in the input file, when there is one: called once, on the writing
    // thread, just before the tensor is written; valid until the next tensor's call (so a sealed
    // input needs only one tensor in plaintext at a time).
    std::function<const uint8_t*()> input;
    bool copy = false;        // write input() unchanged (it is already `type`)
    PlannedRowSource rows;    // otherwise: rows as floats, converted to `type`
};

struct WrittenModel {
    uint64_t tensor_bytes = 0;
    double seconds = 0;
};

WrittenModel write_model_file(GgufWriter& writer, const std::vector<PlannedTensor>& tensors, const std::string& path,
                              bool overwrite, int threads);

}  // namespace veil::cli
