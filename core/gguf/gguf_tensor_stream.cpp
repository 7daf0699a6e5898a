#include "gguf/gguf_tensor_stream.h"

#include <algorithm>
#include <exception>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gguf/gguf_error.h"
#include "veil/engine/quantize.h"

namespace veil {

void stream_converted_rows(GgufWriter& writer, engine::GgmlType type, int64_t ne0, int64_t n_rows,
                           const TensorRowSource& source, const TensorStreamOptions& options) {
    const engine::TypeTraits* traits = engine::type_traits(static_cast<uint32_t>(type));
    if (traits == nullptr || !engine::can_quantize_weights(type))
        throw GgufError("cannot write tensors of type " + std::to_string(static_cast<uint32_t>(type)));
    if (ne0 <= 0 || ne0 % traits->block_elems != 0)
        throw GgufError("rows of " + std::to_string(ne0) + " elements are not whole " + traits->name + " blocks of " +
                        std::to_string(traits->block_elems));
    const size_t row_bytes = engine::row_bytes(type, ne0);
    const int64_t batch_rows =
        std::max<int64_t>(1, static_cast<int64_t>(options.batch_bytes / (static_cast<uint64_t>(ne0) * sizeof(float))));
    const int threads = std::max(1, options.threads);

    std::vector<uint8_t> out(static_cast<size_t>(std::min(batch_rows, n_rows)) * row_bytes);
    uint64_t written = 0;
    for (int64_t first = 0; first < n_rows; first += batch_rows) {
        const int64_t rows = std::min(batch_rows, n_rows - first);
        // Row r of the batch goes to worker r % threads: rows are independent, so the bytes do not
        // depend on the thread count.
        std::exception_ptr error;
        std::mutex error_mutex;
        auto work = [&](int worker) {
            try {
                std::vector<float> row(static_cast<size_t>(ne0));
                for (int64_t r = worker; r < rows; r += threads) {
                    source(first + r, row.data());
                    engine::quantize_weights_row(type, row.data(), out.data() + static_cast<size_t>(r) * row_bytes, ne0);
                }
            } catch (...) {
                std::lock_guard<std::mutex> lock(error_mutex);
                if (!error) error = std::current_exception();
            }
        };
        std::vector<std::thread> pool;
        for (int t = 1; t < threads && t < rows; ++t) pool.emplace_back(work, t);
        work(0);
        for (auto& th : pool) th.join();
        if (error) std::rethrow_exception(error);
        writer.write_tensor_data(out.data(), static_cast<size_t>(rows) * row_bytes);
        written += static_cast<uint64_t>(rows) * row_bytes;
        if (options.on_progress) options.on_progress(written);
    }
}

}  // namespace veil
