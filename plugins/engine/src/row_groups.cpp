// Packing and unpacking of 16-row groups (row_groups.h): a transpose of each block field.
#include "veil/engine/row_groups.h"

#include <cstring>
#include <stdexcept>
#include <vector>

namespace veil::engine {
namespace {

struct Field {
    size_t offset, bytes, unit;
};

struct GroupFormat {
    size_t block_bytes = 0;
    Field fields[4]{};
    int n_fields = 0;
    bool offset_quants = false;  // Q8_0: store q + 128 (xor 0x80) in field 1
};

const GroupFormat* format_of(GgmlType type) {
    static const GroupFormat q4_0{18, {{0, 2, 2}, {2, 16, 4}}, 2, false};
    static const GroupFormat q8_0{34, {{0, 2, 2}, {2, 32, 4}}, 2, true};
    static const GroupFormat q4_k{144, {{0, 2, 2}, {2, 2, 2}, {4, 12, 1}, {16, 128, 4}}, 4, false};
    static const GroupFormat q6_k{210, {{0, 128, 4}, {128, 64, 4}, {192, 16, 1}, {208, 2, 2}}, 4, false};
    switch (type) {
        case GgmlType::Q4_0: return &q4_0;
        case GgmlType::Q8_0: return &q8_0;
        case GgmlType::Q4_K: return &q4_k;
        case GgmlType::Q6_K: return &q6_k;
        default: return nullptr;
    }
}

// Field bytes of 16 rows transposed in units of U bytes, one direction or the other. U is a
// template parameter so each unit is one fixed-size load and store: with a run-time memcpy size,
// packing ran at ~1.4 GB/s, slower than backend_stream reads the weights it repacks every pass.
template <size_t U>
void units_to_group(const uint8_t* plain, size_t row_stride, size_t bytes, uint8_t* out) {
    for (size_t u = 0; u < bytes / U; ++u)
        for (int64_t i = 0; i < kRowGroup; ++i, out += U)
            std::memcpy(out, plain + static_cast<size_t>(i) * row_stride + u * U, U);
}
template <size_t U>
void units_from_group(const uint8_t* in, size_t bytes, uint8_t* plain, size_t row_stride) {
    for (size_t u = 0; u < bytes / U; ++u)
        for (int64_t i = 0; i < kRowGroup; ++i, in += U)
            std::memcpy(plain + static_cast<size_t>(i) * row_stride + u * U, in, U);
}

// One block column: 16 plain blocks (row i's at plain + i * row_stride) <-> grouped bytes.
void pack_block(const GroupFormat& f, const uint8_t* plain, size_t row_stride, uint8_t* grouped) {
    for (int k = 0; k < f.n_fields; ++k) {
        const Field& fd = f.fields[k];
        uint8_t* out = grouped + kRowGroup * fd.offset;
        const uint8_t* in = plain + fd.offset;
        switch (fd.unit) {
            case 1: units_to_group<1>(in, row_stride, fd.bytes, out); break;
            case 2: units_to_group<2>(in, row_stride, fd.bytes, out); break;
            default: units_to_group<4>(in, row_stride, fd.bytes, out); break;
        }
    }
    if (f.offset_quants) {  // 8 bytes at a time (the field is a multiple of 8 bytes per group)
        const Field& q = f.fields[1];
        uint8_t* p = grouped + kRowGroup * q.offset;
        for (size_t b = 0; b < kRowGroup * q.bytes; b += 8) {
            uint64_t v;
            std::memcpy(&v, p + b, 8);
            v ^= 0x8080808080808080ull;
            std::memcpy(p + b, &v, 8);
        }
    }
}

void unpack_block(const GroupFormat& f, const uint8_t* grouped, uint8_t* plain, size_t row_stride) {
    for (int k = 0; k < f.n_fields; ++k) {
        const Field& fd = f.fields[k];
        const uint8_t* in = grouped + kRowGroup * fd.offset;
        uint8_t* out = plain + fd.offset;
        switch (fd.unit) {
            case 1: units_from_group<1>(in, fd.bytes, out, row_stride); break;
            case 2: units_from_group<2>(in, fd.bytes, out, row_stride); break;
            default: units_from_group<4>(in, fd.bytes, out, row_stride); break;
        }
        if (f.offset_quants && k == 1)
            for (int64_t i = 0; i < kRowGroup; ++i)
                for (size_t b = 0; b < fd.bytes; ++b) out[static_cast<size_t>(i) * row_stride + b] ^= 0x80;
    }
}

// Every whole group of m, through a scratch copy of one group (16 rows), in place.
template <typename Fn>
void for_each_group(WeightMatrix& m, Fn&& fn) {
    const size_t group_bytes = static_cast<size_t>(kRowGroup) * m.row_stride;
    std::vector<uint8_t> scratch(group_bytes);
    auto* base = static_cast<uint8_t*>(const_cast<void*>(m.data));
    for (int64_t g = 0; g < m.rows / kRowGroup; ++g) {
        uint8_t* group = base + static_cast<size_t>(g) * group_bytes;
        std::memcpy(scratch.data(), group, group_bytes);
        fn(scratch.data(), group);
    }
}

}  // namespace

bool has_row_groups(GgmlType type) { return format_of(type) != nullptr; }

void group_rows(WeightMatrix& m) {
    const GroupFormat* f = format_of(m.type);
    if (f == nullptr || m.rows < kRowGroup || m.layout == RowLayout::Grouped16) return;
    const size_t n_blocks = m.row_stride / f->block_bytes;
    for_each_group(m, [&](const uint8_t* plain, uint8_t* out) {
        for (size_t b = 0; b < n_blocks; ++b)
            pack_block(*f, plain + b * f->block_bytes, m.row_stride, out + b * kRowGroup * f->block_bytes);
    });
    m.layout = RowLayout::Grouped16;
}

void ungroup_rows(WeightMatrix& m) {
    if (m.layout != RowLayout::Grouped16) return;
    const GroupFormat* f = format_of(m.type);
    if (f == nullptr) throw std::logic_error("ungroup_rows: a grouped matrix of a type without groups");
    const size_t n_blocks = m.row_stride / f->block_bytes;
    for_each_group(m, [&](const uint8_t* grouped, uint8_t* out) {
        for (size_t b = 0; b < n_blocks; ++b)
            unpack_block(*f, grouped + b * kRowGroup * f->block_bytes, out + b * f->block_bytes, m.row_stride);
    });
    m.layout = RowLayout::Plain;
}

void copy_plain_row(const WeightMatrix& m, int64_t r, void* dst) {
    if (m.layout == RowLayout::Plain || r >= m.rows / kRowGroup * kRowGroup) {
        std::memcpy(dst, m.row(r), m.row_stride);
        return;
    }
    const GroupFormat& f = *format_of(m.type);
    const int64_t g = r / kRowGroup, i = r % kRowGroup;
    const auto* group = static_cast<const uint8_t*>(m.data) + static_cast<size_t>(g * kRowGroup) * m.row_stride;
    std::vector<uint8_t> rows(static_cast<size_t>(kRowGroup) * m.row_stride);
    const size_t n_blocks = m.row_stride / f.block_bytes;
    for (size_t b = 0; b < n_blocks; ++b)
        unpack_block(f, group + b * kRowGroup * f.block_bytes, rows.data() + b * f.block_bytes, m.row_stride);
    std::memcpy(dst, rows.data() + static_cast<size_t>(i) * m.row_stride, m.row_stride);
}

}  // namespace veil::engine
