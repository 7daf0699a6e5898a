// Converts a tensor row by row into a GGUF tensor type and streams the bytes into a GgufWriter,
// on several threads, holding at most one batch of rows (a few MiB) in memory at a time — how
// `veil model quantize` and `veil model synth` write multi-GiB files with bounded memory.
#pragma once

#include <cstdint>
#include <functional>

#include "gguf/gguf_writer.h"
#include "veil/engine/ggml_types.h"

namespace veil {

// Fills dst[0..ne0) with row `row` as floats. Called concurrently from worker threads for
// different rows, so it must only read shared state.
using TensorRowSource = std::function<void(int64_t row, float* dst)>;

struct TensorStreamOptions {
    int threads = 2;
    uint64_t batch_bytes = 32ull << 20;  // float rows converted per batch (bounds memory)
    std::function<void(uint64_t bytes_written)> on_progress;  // after each batch, on the caller's thread
};

// Writes rows [0, n_rows) of ne0 elements, converted to `type` with the reference weight
// quantizers, as the writer's current tensor data. Throws GgufError when `type` cannot be
// written or ne0 is not a whole number of its blocks.
void stream_converted_rows(GgufWriter& writer, engine::GgmlType type, int64_t ne0, int64_t n_rows,
                           const TensorRowSource& source, const TensorStreamOptions& options);

}  // namespace veil
