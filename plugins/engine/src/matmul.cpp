// Quantized matrix product: the inference hot path.
//
// Determinism: every output element of a plain row is one vec_dot over the whole row (or a tile
// kernel, which reproduces vec_dot bit for bit, see dot_tile.h), and every output element of a
// grouped row (RowLayout::Grouped16) is its group kernel's fixed sequence (group_kernels.h), so the
// result is bit-identical whatever the thread count, the chunk schedule or the number of tokens.
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
#include "group_kernels.h"
#include "veil/engine/kernels.h"
#include "veil/engine/row_groups.h"

namespace veil::engine {
namespace {

constexpr int64_t kRowQuantum = kRowGroup;  // chunks are whole row groups
constexpr int64_t kChunksPerThread = 8;  // enough to rebalance, few enough to keep the counter cold

struct Job {
    detail::DotTile tile;
    detail::GroupKernel group;
    int64_t grouped_rows;  // rows [0, grouped_rows) are 16-row groups
    size_t group_side_off;
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
    // Whole groups first (chunks start on group boundaries), then plain tail rows.
    for (; r0 < r1 && r0 < j.grouped_rows; r0 += kRowGroup)
        j.group.dot(j.cols, j.w + static_cast<size_t>(r0) * j.w_row, j.x, j.x_row, j.group_side_off,
                    static_cast<int>(j.n_tokens), j.y + r0, static_cast<size_t>(j.rows));
    if (r0 >= r1) return;
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
    detail::PrepareFn tile_prepare;              // nullptr: no plain rows or no side data
    detail::GroupPrepareFn group_prepare;        // nullptr: no grouped rows
    GgmlType xtype;
    const float* X;
    int64_t cols, n_tokens;
    uint8_t* dst;
    size_t x_stride, side_off, group_side_off;
};

void convert_rows(void* ctx, int ti, int nt) {
    const ConvertJob& c = *static_cast<const ConvertJob*>(ctx);
    for (int64_t t = ti; t < c.n_tokens; t += nt) {
        uint8_t* row = c.dst + static_cast<size_t>(t) * c.x_stride;
        c.k->quantize_row(c.xtype, c.X + t * c.cols, row, c.cols);
        if (c.tile_prepare != nullptr) c.tile_prepare(row, row + c.side_off, c.cols);
        if (c.group_prepare != nullptr) c.group_prepare(row, row + c.group_side_off, c.cols);
    }
}

size_t align64(size_t n) { return (n + 63) / 64 * 64; }

}  // namespace

void matmul(ThreadPool& pool, const WeightMatrix& W, const float* X, int64_t n_tokens, float* Y,
            MatmulScratch& scratch) {
    const int64_t rows = W.rows, cols = W.cols;
    if (rows <= 0 || n_tokens <= 0) return;
    const KernelTable& k = best_kernels();
    const TypeTraits* traits = type_traits(static_cast<uint32_t>(W.type));
    if (traits == nullptr || cols % traits->block_elems != 0) {
        // Loaders validate types and shapes; reaching this is a programming error, not bad input.
        throw std::invalid_argument("matmul: unsupported weight type " + std::to_string(static_cast<uint32_t>(W.type)) +
                                    " or cols not a multiple of its block");
    }
    const GgmlType xtype = traits->vec_dot_type;
    const detail::DotTile tile = detail::dot_tile_for(W.type);
    const int64_t grouped_rows = W.layout == RowLayout::Grouped16 ? rows / kRowGroup * kRowGroup : 0;
    const detail::GroupKernel group = grouped_rows > 0 ? detail::group_kernel_for(W.type) : detail::GroupKernel{};
    if (grouped_rows > 0 && (group.dot == nullptr || xtype == GgmlType::F32))
        throw std::invalid_argument("matmul: grouped rows of a type without a grouped kernel");
    const bool plain_rows = grouped_rows < rows;

    // 1. Activations to the weights' vec_dot_type plus the kernels' side data, once per call
    //    (F32 needs no conversion). Row layout: [converted row][tile side data][group side data],
    //    each part 64-byte aligned for the side data's aligned loads.
    const uint8_t* xc;
    size_t x_row, group_side_off = 0;
    if (xtype == GgmlType::F32) {
        xc = reinterpret_cast<const uint8_t*>(X);
        x_row = row_bytes(xtype, cols);
    } else {
        const size_t side_off = detail::side_offset(xtype, cols);
        const bool tile_side = plain_rows && tile.side_bytes != nullptr;
        group_side_off = side_off + (tile_side ? align64(tile.side_bytes(cols)) : 0);
        x_row = grouped_rows > 0 ? align64(group_side_off + group.side_bytes(cols))
                : tile_side      ? group_side_off
                                 : row_bytes(xtype, cols);
        const size_t need = x_row * static_cast<size_t>(n_tokens) + 64;
        if (scratch.x_converted.size() < need) scratch.x_converted.resize(need);
        uint8_t* base = scratch.x_converted.data();
        base += (64 - reinterpret_cast<uintptr_t>(base) % 64) % 64;
        ConvertJob c{&k,     tile_side ? tile.prepare : nullptr, grouped_rows > 0 ? group.prepare : nullptr,
                     xtype,  X,     cols,  n_tokens, base, x_row, side_off, group_side_off};
        if (n_tokens == 1) convert_rows(&c, 0, 1);  // one row: not worth a parallel region
        else pool.run(convert_rows, &c);
        xc = base;
    }

    // 2. Rows in chunks (whole groups) handed out dynamically.
    const int64_t per_thread = (rows + pool.size() - 1) / pool.size();
    int64_t chunk = (per_thread + kChunksPerThread - 1) / kChunksPerThread;
    chunk = std::max(kRowQuantum, (chunk + kRowQuantum - 1) / kRowQuantum * kRowQuantum);
    Job j{tile, group, grouped_rows, group_side_off, static_cast<const uint8_t*>(W.data), W.row_stride, rows, cols,
          xc, x_row, n_tokens, Y, chunk, (rows + chunk - 1) / chunk};
    if (j.n_chunks == 1) run_chunks(&j, 0, 1);
    else pool.run(run_chunks, &j);
}

}  // namespace veil::engine
