#include "cli/model_file_writer.h"

#include <algorithm>
#include <chrono>

#include "cli/model_write_progress.h"

namespace veil::cli {

WrittenModel write_model_file(GgufWriter& writer, const std::vector<PlannedTensor>& tensors, const std::string& path,
                              bool overwrite, int threads) {
    const auto start = std::chrono::steady_clock::now();
    WrittenModel result;
    for (const auto& t : tensors)
        result.tensor_bytes += writer.add_tensor(t.name, static_cast<uint32_t>(t.type), t.dims);
    writer.begin(path, overwrite);
    WriteProgress progress(path, result.tensor_bytes);
    uint64_t done = 0;
    for (size_t i = 0; i < tensors.size(); ++i) {
        const PlannedTensor& t = tensors[i];
        const uint64_t n_bytes = writer.tensor_bytes(i);
        const uint8_t* input = t.input ? t.input() : nullptr;
        if (t.copy) {
            // Pieces of at most 64 MiB keep the progress display moving on large tensors.
            constexpr uint64_t kPiece = 64ull << 20;
            for (uint64_t off = 0; off < n_bytes; off += kPiece) {
                const uint64_t n = std::min(kPiece, n_bytes - off);
                writer.write_tensor_data(input + off, static_cast<size_t>(n));
                progress.update(done + off + n, t.name);
            }
        } else {
            uint64_t rows = 1;
            for (size_t d = 1; d < t.dims.size(); ++d) rows *= t.dims[d];
            TensorStreamOptions options;
            options.threads = threads;
            options.on_progress = [&](uint64_t written) { progress.update(done + written, t.name); };
            const PlannedRowSource& source = t.rows;
            stream_converted_rows(writer, t.type, static_cast<int64_t>(t.dims[0]), static_cast<int64_t>(rows),
                                  [&source, input](int64_t row, float* dst) { source(input, row, dst); }, options);
        }
        done += n_bytes;
    }
    progress.update(done, "");
    writer.finish();
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

}  // namespace veil::cli
