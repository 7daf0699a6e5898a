// Quantized matrix product: the inference hot path.
//
// Determinism: every output element of a plain row is one vec_dot over the whole row (or a tile
// kernel, which reproduces vec_dot bit for bit, see dot_tile.h), and every output element of a
// grouped row (RowLayout::Grouped16) is its group kernel's fixed sequence (group_kernels.h), so the
// result is bit-identical whatever the thread count, whichever thread took which rows, the number
// of tokens or the other products computed in the same region.
//
// Each thread walks its own contiguous range of the region's rows and, once done, takes the back
// half of the fullest remaining range (run_ranges): one sequential weight stream per thread, with
// dynamic balancing for when another process takes a core for a while. Grouped rows go 16 at a
// time to the group kernels; plain rows go to the tile kernels (dot_tile.h).
// Several products of the same activations (Q, K, V; gate, up) share one parallel region: one
// wake-up and one barrier instead of one per matrix, which decode pays ~150 times per token.
//
// Decode (one token) runs the input step (InputStep) and the activation conversion on thread 0
// inside the region, while the other threads prefetch the first weights of their ranges: the
// serial steps between two products no longer leave the memory bus idle, and waking the workers
// overlaps them too.
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

constexpr int64_t kUnitRows = kRowGroup;  // rows are handed out in whole row groups

// Threads that get a range of their own; any further ones only steal.
constexpr int kMaxRanges = 64;

// Decode regions: how far ahead of thread 0's input step the other threads prefetch their first
// weights (a few microseconds of the step's time at one core's share of the bandwidth, well inside L2).
constexpr size_t kHeadPrefetchBytes = 256 * 1024;

enum InputState { kInputPending, kInputReady, kInputFailed };

size_t align64(size_t n) { return (n + 63) / 64 * 64; }

// How one product's activations are converted: to the weights' vec_dot_type, then each row
// followed by the tile kernel's side data (when there are plain rows) and the group kernel's (when
// there are grouped rows), each part 64-byte aligned for the side data's aligned loads.
struct Conversion {
    GgmlType xtype = GgmlType::F32;
    detail::PrepareFn tile_prepare = nullptr;        // nullptr: no plain rows or no side data
    detail::GroupPrepareFn group_prepare = nullptr;  // nullptr: no grouped rows
    size_t side_off = 0, group_side_off = 0, x_row = 0;

    bool same_as(const Conversion& o) const {
        return xtype == o.xtype && tile_prepare == o.tile_prepare && group_prepare == o.group_prepare &&
               x_row == o.x_row && side_off == o.side_off && group_side_off == o.group_side_off;
    }
};

// One conversion of X for the products that share it.
struct ConvertJob {
    const KernelTable* k;
    const Conversion* conv;
    const float* X;
    int64_t cols, n_tokens;
    uint8_t* dst;
};

// One matrix of a region.
struct Product {
    detail::DotTile tile;
    detail::GroupKernel group;
    int64_t grouped_rows = 0;  // rows [0, grouped_rows) are 16-row groups
    Conversion conv;
    const uint8_t* w = nullptr;
    size_t w_row = 0;
    int64_t rows = 0, cols = 0;
    const uint8_t* x = nullptr;  // converted activations (conv.x_row bytes per token)
    float* y = nullptr;
};

// A thread's share of a region's units: [begin, end), packed in one word so that the owner taking
// units from the front and a thief taking the back half change it with one compare-and-swap.
struct alignas(64) UnitRange {
    std::atomic<uint64_t> span{0};

    static uint64_t pack(uint32_t begin, uint32_t end) { return uint64_t{begin} << 32 | end; }
    static uint32_t begin_of(uint64_t s) { return static_cast<uint32_t>(s >> 32); }
    static uint32_t end_of(uint64_t s) { return static_cast<uint32_t>(s); }
};

struct Region {
    Product p[kMaxMatmulProducts];
    int n = 0;
    int64_t n_tokens = 0;
    // Units are the region's rows in kUnitRows steps, product after product: product i has units
    // [first_unit[i], first_unit[i + 1]), the last one short when its rows are not a multiple.
    // With `done`, the products have the same rows and unit u stands for those rows of all of them
    // (first_unit[i] = 0 for every i).
    uint32_t first_unit[kMaxMatmulProducts + 1] = {};
    uint32_t n_units = 0;
    RowsDone done;
    int n_ranges = 0;
    UnitRange ranges[kMaxRanges];
    // Decode regions (run_decode): thread 0 runs `input` and converts X into the products' x
    // (conversions[0, n_conversions)), then sets input_state; the other threads prefetch meanwhile.
    InputStep input;
    ConvertJob conversions[kMaxMatmulProducts];
    int n_conversions = 0;
    std::atomic<int> input_state{kInputPending};
};

uint32_t units_of(int64_t rows) { return static_cast<uint32_t>((rows + kUnitRows - 1) / kUnitRows); }

void number_units(Region& g) {
    if (g.done.fn != nullptr) {
        for (int i = 0; i < g.n; ++i)
            if (g.p[i].rows != g.p[0].rows) throw std::invalid_argument("matmul_many: rows_done needs matrices of equal rows");
        for (int i = 0; i <= g.n; ++i) g.first_unit[i] = 0;
        g.n_units = units_of(g.p[0].rows);
        return;
    }
    for (int i = 0; i < g.n; ++i) g.first_unit[i + 1] = g.first_unit[i] + units_of(g.p[i].rows);
    g.n_units = g.first_unit[g.n];
}

// Contiguous, equal shares of the units, one per thread (up to kMaxRanges).
void split_units(Region& g, int threads) {
    const uint64_t units = g.n_units;
    g.n_ranges = std::min(threads, kMaxRanges);
    for (int t = 0; t < g.n_ranges; ++t)
        g.ranges[t].span.store(UnitRange::pack(static_cast<uint32_t>(units * t / g.n_ranges),
                                               static_cast<uint32_t>(units * (t + 1) / g.n_ranges)),
                               std::memory_order_relaxed);
}

Product plan_product(const WeightMatrix& W, float* Y) {
    Product p;
    const TypeTraits* traits = type_traits(static_cast<uint32_t>(W.type));
    if (traits == nullptr || W.cols % traits->block_elems != 0) {
        // Loaders validate types and shapes; reaching this is a programming error, not bad input.
        throw std::invalid_argument("matmul: unsupported weight type " + std::to_string(static_cast<uint32_t>(W.type)) +
                                    " or cols not a multiple of its block");
    }
    p.tile = detail::dot_tile_for(W.type);
    p.grouped_rows = W.layout == RowLayout::Grouped16 ? W.rows / kRowGroup * kRowGroup : 0;
    Conversion& c = p.conv;
    c.xtype = traits->vec_dot_type;
    if (p.grouped_rows > 0) {
        p.group = detail::group_kernel_for(W.type);
        if (p.group.dot == nullptr || c.xtype == GgmlType::F32)
            throw std::invalid_argument("matmul: grouped rows of a type without a grouped kernel");
    }
    if (c.xtype == GgmlType::F32) {
        c.x_row = row_bytes(c.xtype, W.cols);
    } else {
        c.side_off = detail::side_offset(c.xtype, W.cols);
        const bool tile_side = p.grouped_rows < W.rows && p.tile.side_bytes != nullptr;
        c.tile_prepare = tile_side ? p.tile.prepare : nullptr;
        c.group_side_off = c.side_off + (tile_side ? align64(p.tile.side_bytes(W.cols)) : 0);
        c.group_prepare = p.grouped_rows > 0 ? p.group.prepare : nullptr;
        c.x_row = p.grouped_rows > 0 ? align64(c.group_side_off + p.group.side_bytes(W.cols))
                  : tile_side        ? c.group_side_off
                                     : row_bytes(c.xtype, W.cols);
    }
    p.w = static_cast<const uint8_t*>(W.data);
    p.w_row = W.row_stride;
    p.rows = W.rows;
    p.cols = W.cols;
    p.y = Y;
    return p;
}

// Rows r0..r1 of one product against every token. Whole groups first (chunks start on group
// boundaries), then plain tail rows in tiles of kTileW rows x kTileX tokens, whose weight rows
// stay in L1 while all tokens pass.
//
// Plain decode hands the tile kernel its whole chunk as one run of rows, computed one row at a
// time: streaming kTileW plain rows side by side defeats the hardware prefetchers (halved DRAM
// throughput in measurements) — the reason grouped rows exist.
void rows_of(const Product& j, int64_t n_tokens, int64_t r0, int64_t r1) {
    for (; r0 < r1 && r0 < j.grouped_rows; r0 += kRowGroup)
        j.group.dot(j.cols, j.w + static_cast<size_t>(r0) * j.w_row, j.x, j.conv.x_row, j.conv.group_side_off,
                    static_cast<int>(n_tokens), j.y + r0, static_cast<size_t>(j.rows));
    if (r0 >= r1) return;
    if (n_tokens == 1) {
        j.tile(j.cols, j.w + static_cast<size_t>(r0) * j.w_row, j.w_row, static_cast<int>(r1 - r0), j.x, j.conv.x_row,
               1, j.y + r0);
        return;
    }
    float out[detail::kTileW * detail::kTileX];
    const int64_t tile_w = detail::kTileW;
    for (int64_t r = r0; r < r1; r += tile_w) {
        const int nr = static_cast<int>(std::min<int64_t>(tile_w, r1 - r));
        const uint8_t* wr = j.w + static_cast<size_t>(r) * j.w_row;
        for (int64_t t0 = 0; t0 < n_tokens; t0 += detail::kTileX) {
            const int nt = static_cast<int>(std::min<int64_t>(detail::kTileX, n_tokens - t0));
            j.tile(j.cols, wr, j.w_row, nr, j.x + static_cast<size_t>(t0) * j.conv.x_row, j.conv.x_row, nt, out);
            for (int a = 0; a < nr; ++a)
                for (int t = 0; t < nt; ++t) j.y[(t0 + t) * j.rows + r + a] = out[a * nt + t];
        }
    }
}

// Units [u0, u1), product by product; with `done`, the same rows of each product, then done.
void run_units(const Region& g, uint32_t u0, uint32_t u1) {
    if (u0 >= u1) return;
    if (g.done.fn != nullptr) {
        const int64_t r0 = int64_t{u0} * kUnitRows, r1 = std::min<int64_t>(g.p[0].rows, int64_t{u1} * kUnitRows);
        for (int i = 0; i < g.n; ++i) rows_of(g.p[i], g.n_tokens, r0, r1);
        g.done.fn(g.done.ctx, r0, r1);
        return;
    }
    for (int i = 0; i < g.n && u0 < u1; ++i) {
        if (u0 >= g.first_unit[i + 1]) continue;
        const uint32_t end = std::min(u1, g.first_unit[i + 1]);
        const Product& p = g.p[i];
        rows_of(p, g.n_tokens, (u0 - g.first_unit[i]) * kUnitRows, std::min<int64_t>(p.rows, (end - g.first_unit[i]) * kUnitRows));
        u0 = end;
    }
}

// Takes the next units from the front of the caller's own range: half of what is left, the last
// one singly, so that a thief still finds the back half of any range and work up to the end.
// Every claim ends a chunk, and a chunk's end is not free: the RowsDone step writes rows that
// other threads' caches hold, and a region of several products (gate, up) switches weight streams
// there. With the vCPUs on different dies (cross-core latency ~170 ns, measured), claiming an
// eighth at a time (~30 chunks per range) made decode 4.4% (Q4_0), 3.6% (Q8_0) and 0.7% (Q4_K_M)
// slower per token than halves (~8 chunks); with both vCPUs on one die, 0.2-0.9% slower.
bool claim_front(UnitRange& r, uint32_t& u0, uint32_t& u1) {
    uint64_t s = r.span.load(std::memory_order_relaxed);
    for (;;) {
        const uint32_t b = UnitRange::begin_of(s), e = UnitRange::end_of(s);
        if (b >= e) return false;
        const uint32_t take = std::max<uint32_t>(1, (e - b) / 2);
        if (r.span.compare_exchange_weak(s, UnitRange::pack(b + take, e), std::memory_order_relaxed)) {
            u0 = b;
            u1 = b + take;
            return true;
        }
    }
}

// Moves the back half of the fullest other range (at least one unit) into `mine`. False when no
// range has units left.
bool steal_half(Region& g, UnitRange& mine) {
    for (;;) {
        int victim = -1;
        uint32_t most = 0;
        for (int t = 0; t < g.n_ranges; ++t) {
            const uint64_t s = g.ranges[t].span.load(std::memory_order_relaxed);
            const uint32_t left = UnitRange::end_of(s) - std::min(UnitRange::begin_of(s), UnitRange::end_of(s));
            if (left > most) most = left, victim = t;
        }
        if (victim < 0) return false;
        UnitRange& v = g.ranges[victim];
        uint64_t s = v.span.load(std::memory_order_relaxed);
        const uint32_t b = UnitRange::begin_of(s), e = UnitRange::end_of(s);
        if (b >= e) continue;
        const uint32_t mid = e - (e - b + 1) / 2;
        if (v.span.compare_exchange_strong(s, UnitRange::pack(b, mid), std::memory_order_relaxed)) {
            mine.span.store(UnitRange::pack(mid, e), std::memory_order_relaxed);
            return true;
        }
    }
}

// Each thread walks its own contiguous range of units front to back: one sequential stream of
// weights per thread for the whole region, which the kernels' prefetches keep ahead of, where
// chunks handed out from a shared counter started a new stream (and a cold prefetch) per chunk —
// measured at 4-12 us per region in this VM's fast memory state. A thread that runs out takes
// the back half of the fullest range and walks that, so the region still ends within about one
// unit of work when threads run at different speeds (another process, a slow core).
void run_ranges(void* ctx, int ti, int) {
    Region& g = *static_cast<Region*>(ctx);
    UnitRange spare;  // threads beyond kMaxRanges only steal
    UnitRange& mine = ti < g.n_ranges ? g.ranges[ti] : spare;
    for (;;) {
        uint32_t u0 = 0, u1 = 0;
        while (claim_front(mine, u0, u1)) run_units(g, u0, u1);
        if (!steal_half(g, mine)) return;
    }
}

void convert_rows(void* ctx, int ti, int nt) {
    const ConvertJob& c = *static_cast<const ConvertJob*>(ctx);
    const Conversion& v = *c.conv;
    for (int64_t t = ti; t < c.n_tokens; t += nt) {
        uint8_t* row = c.dst + static_cast<size_t>(t) * v.x_row;
        c.k->quantize_row(v.xtype, c.X + t * c.cols, row, c.cols);
        if (v.tile_prepare != nullptr) v.tile_prepare(row, row + v.side_off, c.cols);
        if (v.group_prepare != nullptr) v.group_prepare(row, row + v.group_side_off, c.cols);
    }
}

// Prefetches the weights a decode thread starts with, from the head of its range (up to
// kHeadPrefetchBytes, within the range's first product), until thread 0 has the input ready.
// False when thread 0 failed (the region is abandoned).
bool prefetch_until_input(const Region& g, int ti) {
    const uint8_t* head = nullptr;
    size_t bytes = 0;
    if (ti < g.n_ranges) {
        const uint64_t span = g.ranges[ti].span.load(std::memory_order_relaxed);
        const uint32_t b = UnitRange::begin_of(span), e = UnitRange::end_of(span);
        int i = 0;
        if (g.done.fn == nullptr)
            while (i + 1 < g.n && b >= g.first_unit[i + 1]) ++i;
        const Product& p = g.p[i];
        const uint32_t end = g.done.fn == nullptr ? std::min(e, g.first_unit[i + 1]) : e;
        const int64_t r0 = int64_t{b - g.first_unit[i]} * kUnitRows;
        const int64_t r1 = std::min<int64_t>(p.rows, int64_t{end - g.first_unit[i]} * kUnitRows);
        if (r1 > r0) {
            head = p.w + static_cast<size_t>(r0) * p.w_row;
            bytes = std::min(kHeadPrefetchBytes, static_cast<size_t>(r1 - r0) * p.w_row);
        }
    }
    size_t at = 0;
    for (;;) {
        const int state = g.input_state.load(std::memory_order_acquire);
        if (state != kInputPending) return state == kInputReady;
        if (at < bytes) {
            for (int line = 0; line < 4; ++line) __builtin_prefetch(head + at + 64 * line, 0, 3);
            at += 256;
        } else {
            __builtin_ia32_pause();
        }
    }
}

// A decode region (one token): thread 0 makes the input and converts it while the others,
// already awake, prefetch the start of their ranges; then everyone walks its range.
void run_decode(void* ctx, int ti, int nt) {
    Region& g = *static_cast<Region*>(ctx);
    if (ti == 0) {
        try {
            if (g.input.fn != nullptr) g.input.fn(g.input.ctx);
            for (int c = 0; c < g.n_conversions; ++c) convert_rows(&g.conversions[c], 0, 1);
        } catch (...) {
            g.input_state.store(kInputFailed, std::memory_order_release);
            throw;
        }
        g.input_state.store(kInputReady, std::memory_order_release);
    } else if (!prefetch_until_input(g, ti)) {
        return;
    }
    run_ranges(ctx, ti, nt);
}

}  // namespace

void matmul_many(ThreadPool& pool, std::span<const WeightMatrix* const> W, const float* X, int64_t n_tokens,
                 std::span<float* const> Y, MatmulScratch& scratch, RowsDone done, InputStep input) {
    if (W.size() != Y.size() || W.size() > static_cast<size_t>(kMaxMatmulProducts))
        throw std::invalid_argument("matmul_many: " + std::to_string(W.size()) + " matrices, " +
                                    std::to_string(Y.size()) + " outputs (at most " +
                                    std::to_string(kMaxMatmulProducts) + ")");
    auto input_only = [&input] {
        if (input.fn != nullptr) input.fn(input.ctx);
    };
    if (n_tokens <= 0 || W.empty()) return input_only();
    Region g;
    g.n_tokens = n_tokens;
    g.done = done;
    for (size_t i = 0; i < W.size(); ++i) {
        if (W[i]->cols != W[0]->cols) throw std::invalid_argument("matmul_many: matrices of different widths");
        if (W[i]->rows > 0) g.p[g.n++] = plan_product(*W[i], Y[i]);
    }
    if (g.n == 0) return input_only();
    number_units(g);
    const int64_t cols = g.p[0].cols;

    // 1. Activations converted once per distinct conversion (F32 needs none), into one scratch
    //    buffer laid out before any pointer into it is taken.
    int source[kMaxMatmulProducts];  // product whose conversion product i reuses (itself: its own)
    size_t offset[kMaxMatmulProducts], need = 64;
    for (int i = 0; i < g.n; ++i) {
        source[i] = i;
        for (int s = 0; s < i; ++s)
            if (source[s] == s && g.p[s].conv.same_as(g.p[i].conv)) source[i] = s;
        offset[i] = need - 64;
        if (source[i] == i && g.p[i].conv.xtype != GgmlType::F32) need += g.p[i].conv.x_row * static_cast<size_t>(n_tokens);
    }
    if (scratch.x_converted.size() < need) scratch.x_converted.resize(need);
    uint8_t* base = scratch.x_converted.data();
    base += (64 - reinterpret_cast<uintptr_t>(base) % 64) % 64;
    const KernelTable& k = best_kernels();
    for (int i = 0; i < g.n; ++i) {
        Product& p = g.p[i];
        if (p.conv.xtype == GgmlType::F32) {
            p.x = reinterpret_cast<const uint8_t*>(X);
        } else if (source[i] != i) {
            p.x = g.p[source[i]].x;
        } else {
            g.conversions[g.n_conversions++] = ConvertJob{&k, &p.conv, X, cols, n_tokens, base + offset[i]};
            p.x = base + offset[i];
        }
    }
    const bool parallel = pool.size() > 1 && g.n_units > 1;
    if (parallel && n_tokens == 1) {
        // 2a. Decode: input step and conversion inside the region (run_decode).
        g.input = input;
        split_units(g, pool.size());
        pool.run(run_decode, &g);
        return;
    }
    input_only();
    for (int c = 0; c < g.n_conversions; ++c) {
        // One row is not worth a parallel region.
        if (n_tokens == 1) convert_rows(&g.conversions[c], 0, 1);
        else pool.run(convert_rows, &g.conversions[c]);
    }

    // 2b. Rows of every product, in ranges of units (whole groups) walked by one thread each.
    if (!parallel) {
        run_units(g, 0, g.n_units);
        return;
    }
    split_units(g, pool.size());
    pool.run(run_ranges, &g);
}

void matmul(ThreadPool& pool, const WeightMatrix& W, const float* X, int64_t n_tokens, float* Y,
            MatmulScratch& scratch, RowsDone done, InputStep input) {
    const WeightMatrix* w[] = {&W};
    float* y[] = {Y};
    matmul_many(pool, w, X, n_tokens, y, scratch, done, input);
}

}  // namespace veil::engine
