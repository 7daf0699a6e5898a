// Quantized matrix product: the inference hot path.
//
// Determinism: every output element is one vec_dot over the whole row (or a tile kernel, which
// reproduces vec_dot bit for bit, see dot_tile.h), so the result is bit-identical whatever the
// thread count, the chunk schedule or the number of tokens in the call.
//
// Threads pull chunks of rows from a shared counter (cheap dynamic balancing, which matters when
// another process takes a core for a while). Within a chunk, tile kernels (dot_tile.h) take up to
// kTileW rows x kTileX tokens per call: decode (memory-bound) streams each weight row once and
// shares the activation work across rows; prefill reads each weight row from memory once per call
// and unpacks each block once per kTileX tokens instead of once per token.
//
// No allocation: the parallel regions take a pointer to a stack context (ThreadPool::run), and
// the converted activations live in the caller's MatmulScratch.
#include "veil/engine/matmul.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "dot_tile.h"
#include "veil/engine/kernels.h"

namespace veil::engine {
namespace {

constexpr int64_t kRowQuantum = 16;      // chunks are multiples of this many rows
constexpr int64_t kChunksPerThread = 8;  // enough to rebalance, few enough to keep the counter cold

struct Job {
    detail::DotTile tile;
    const uint8_t* w;
    size_t w_row;
    int64_t rows, cols;
    const uint8_t* x;
    size_t x_row;
    int64_t n_tokens;
    float* y;
    int64_t chunk_rows, n_chunks;
    alignas(64) std::atomic<int64_t> next_chunk{0};
};

// Rows r0..r1 against every token, in tiles of kTileW rows x kTileX tokens. A tile's weight rows
// stay in L1 while all tokens pass, so each weight byte comes from memory once per call.
//
// Decode hands the tile kernel its whole chunk as one run of rows, computed one row at a time:
// streaming kTileW rows side by side (interleaved streams a few hundred bytes apart) defeats the
// hardware prefetchers and halved the DRAM throughput of a 32000 x 2048 matvec in measurements;
// the shared activation work is precomputed instead (DotTile::prepare).
void rows_tiled(const Job& j, int64_t r0, int64_t r1) {
    if (j.n_tokens == 1) {
        j.tile(j.cols, j.w + static_cast<size_t>(r0) * j.w_row, j.w_row, static_cast<int>(r1 - r0), j.x, j.x_row, 1,
               j.y + r0);
        return;
    }
    float out[detail::kTileW * detail::kTileX];
    const int64_t tile_w = detail::kTileW;
    for (int64_t r = r0; r < r1; r += tile_w) {
        const int nr = static_cast<int>(std::min<int64_t>(tile_w, r1 - r));
        const uint8_t* wr = j.w + static_cast<size_t>(r) * j.w_row;
        for (int64_t t0 = 0; t0 < j.n_tokens; t0 += detail::kTileX) {
            const int nt = static_cast<int>(std::min<int64_t>(detail::kTileX, j.n_tokens - t0));
            j.tile(j.cols, wr, j.w_row, nr, j.x + static_cast<size_t>(t0) * j.x_row, j.x_row, nt, out);
            for (int a = 0; a < nr; ++a)
                for (int t = 0; t < nt; ++t) j.y[(t0 + t) * j.rows + r + a] = out[a * nt + t];
        }
    }
}

void run_chunks(void* ctx, int, int) {
    Job& j = *static_cast<Job*>(ctx);
    for (int64_t c = j.next_chunk.fetch_add(1, std::memory_order_relaxed); c < j.n_chunks;
         c = j.next_chunk.fetch_add(1, std::memory_order_relaxed)) {
        const int64_t r0 = c * j.chunk_rows;
        const int64_t r1 = std::min(r0 + j.chunk_rows, j.rows);
        rows_tiled(j, r0, r1);
    }
}

struct ConvertJob {
    const KernelTable* k;
    const detail::DotTile* tile;
    GgmlType xtype;
    const float* X;
    int64_t cols, n_tokens;
    uint8_t* dst;
    size_t x_stride, side_off;
};

void convert_rows(void* ctx, int ti, int nt) {
    const ConvertJob& c = *static_cast<const ConvertJob*>(ctx);
    for (int64_t t = ti; t < c.n_tokens; t += nt) {
        uint8_t* row = c.dst + static_cast<size_t>(t) * c.x_stride;
        c.k->quantize_row(c.xtype, c.X + t * c.cols, row, c.cols);
        if (c.tile->prepare != nullptr) c.tile->prepare(row, row + c.side_off, c.cols);
    }
}

}  // namespace

void matmul(ThreadPool& pool, GgmlType wtype, const void* W, int64_t rows, int64_t cols, const float* X,
            int64_t n_tokens, float* Y, MatmulScratch& scratch) {
    if (rows <= 0 || n_tokens <= 0) return;
    const KernelTable& k = best_kernels();
    const TypeTraits* traits = type_traits(static_cast<uint32_t>(wtype));
    if (traits == nullptr || cols % traits->block_elems != 0) {
        // Loaders validate types and shapes; reaching this is a programming error, not bad input.
        throw std::invalid_argument("matmul: unsupported weight type " + std::to_string(static_cast<uint32_t>(wtype)) +
                                    " or cols not a multiple of its block");
    }
    const GgmlType xtype = traits->vec_dot_type;
    const detail::DotTile tile = detail::dot_tile_for(wtype);

    // 1. Activations to the weights' vec_dot_type plus the tile kernel's side data, once per call
    //    (F32 needs no conversion). Rows are 64-byte aligned for the side data's aligned loads.
    const uint8_t* xc;
    size_t x_row;
    if (xtype == GgmlType::F32) {
        xc = reinterpret_cast<const uint8_t*>(X);
        x_row = row_bytes(xtype, cols);
    } else {
        const size_t side_off = detail::side_offset(xtype, cols);
        x_row = tile.side_bytes != nullptr ? (side_off + tile.side_bytes(cols) + 63) / 64 * 64 : row_bytes(xtype, cols);
        const size_t need = x_row * static_cast<size_t>(n_tokens) + 64;
        if (scratch.x_converted.size() < need) scratch.x_converted.resize(need);
        uint8_t* base = scratch.x_converted.data();
        base += (64 - reinterpret_cast<uintptr_t>(base) % 64) % 64;
        ConvertJob c{&k, &tile, xtype, X, cols, n_tokens, base, x_row, side_off};
        if (n_tokens == 1) convert_rows(&c, 0, 1);  // one row: not worth a parallel region
        else pool.run(convert_rows, &c);
        xc = base;
    }

    // 2. Rows in chunks handed out dynamically.
    const int64_t per_thread = (rows + pool.size() - 1) / pool.size();
    int64_t chunk = (per_thread + kChunksPerThread - 1) / kChunksPerThread;
    chunk = std::max(kRowQuantum, (chunk + kRowQuantum - 1) / kRowQuantum * kRowQuantum);
    Job j{tile, static_cast<const uint8_t*>(W), row_bytes(wtype, cols), rows, cols, xc, x_row,
          n_tokens, Y, chunk, (rows + chunk - 1) / chunk};
    if (j.n_chunks == 1) run_chunks(&j, 0, 1);
    else pool.run(run_chunks, &j);
}

}  // namespace veil::engine
