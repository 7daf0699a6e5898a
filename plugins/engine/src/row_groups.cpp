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

// One block column: 16 plain blocks (row i's at plain + i * row_stride) <-> grouped bytes.
void pack_block(const GroupFormat& f, const uint8_t* plain, size_t row_stride, uint8_t* grouped) {
    for (int k = 0; k < f.n_fields; ++k) {
        const Field& fd = f.fields[k];
        uint8_t* out = grouped + kRowGroup * fd.offset;
        for (size_t u = 0; u < fd.bytes / fd.unit; ++u)
            for (int64_t i = 0; i < kRowGroup; ++i, out += fd.unit)
                std::memcpy(out, plain + static_cast<size_t>(i) * row_stride + fd.offset + u * fd.unit, fd.unit);
    }
    if (f.offset_quants) {
        const Field& q = f.fields[1];
        uint8_t* p = grouped + kRowGroup * q.offset;
        for (size_t b = 0; b < kRowGroup * q.bytes; ++b) p[b] ^= 0x80;
    }
}

void unpack_block(const GroupFormat& f, const uint8_t* grouped, uint8_t* plain, size_t row_stride) {
    for (int k = 0; k < f.n_fields; ++k) {
        const Field& fd = f.fields[k];
        const uint8_t* in = grouped + kRowGroup * fd.offset;
        for (size_t u = 0; u < fd.bytes / fd.unit; ++u)
            for (int64_t i = 0; i < kRowGroup; ++i, in += fd.unit) {
                uint8_t* dst = plain + static_cast<size_t>(i) * row_stride + fd.offset + u * fd.unit;
                std::memcpy(dst, in, fd.unit);
                if (f.offset_quants && k == 1)
                    for (size_t b = 0; b < fd.unit; ++b) dst[b] ^= 0x80;
            }
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
