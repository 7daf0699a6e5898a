// Row groups (row_groups.h): grouping is a lossless, documented transpose of each block field.
//
// Checked against the layout as row_groups.h documents it (field offsets, unit sizes, Q8_0's
// q + 128), not against the implementation's own tables, so a change of layout fails here first.
#include <gtest/gtest.h>

#include <cstring>

#include "test_kernels_util.h"
#include "veil/engine/row_groups.h"

namespace veil::engine {
namespace {

struct Field {
    size_t offset, bytes, unit;
};

// The block fields of each grouped type, as documented in row_groups.h.
std::vector<Field> documented_fields(GgmlType type) {
    switch (type) {
        case GgmlType::Q4_0: return {{0, 2, 2}, {2, 16, 4}};
        case GgmlType::Q8_0: return {{0, 2, 2}, {2, 32, 4}};
        case GgmlType::Q4_K: return {{0, 2, 2}, {2, 2, 2}, {4, 12, 1}, {16, 128, 4}};
        case GgmlType::Q6_K: return {{0, 128, 4}, {128, 64, 4}, {192, 16, 1}, {208, 2, 2}};
        default: return {};
    }
}

const GgmlType kGroupedTypes[] = {GgmlType::Q4_0, GgmlType::Q8_0, GgmlType::Q4_K, GgmlType::Q6_K};

std::vector<uint8_t> random_matrix(GgmlType type, int64_t rows, int64_t cols, std::mt19937& rng) {
    std::vector<uint8_t> m;
    for (int64_t r = 0; r < rows; ++r) {
        const auto row = testing::random_row(type, cols, rng);
        m.insert(m.end(), row.begin(), row.end());
    }
    return m;
}

// Every byte of every whole group sits where row_groups.h says: unit u of field F (L bytes, units
// of U) of row i's block b lands at group + b * 16 * B + 16 * F + (u * 16 + i) * U.
void expect_documented_layout(GgmlType type, const std::vector<uint8_t>& plain, const uint8_t* grouped, int64_t rows,
                              int64_t cols) {
    const size_t block = testing::traits(type).block_bytes, stride = row_bytes(type, cols);
    const size_t n_blocks = stride / block;
    for (int64_t g = 0; g < rows / kRowGroup; ++g) {
        const uint8_t* group = grouped + static_cast<size_t>(g * kRowGroup) * stride;
        for (int64_t i = 0; i < kRowGroup; ++i) {
            const uint8_t* row = plain.data() + static_cast<size_t>(g * kRowGroup + i) * stride;
            for (size_t b = 0; b < n_blocks; ++b)
                for (const Field& f : documented_fields(type))
                    for (size_t m = 0; m < f.bytes; ++m) {
                        const size_t u = m / f.unit;
                        const size_t at = b * kRowGroup * block + kRowGroup * f.offset +
                                          (u * kRowGroup + static_cast<size_t>(i)) * f.unit + m % f.unit;
                        uint8_t expect = row[b * block + f.offset + m];
                        if (type == GgmlType::Q8_0 && f.offset == 2) expect ^= 0x80;  // stored q + 128
                        ASSERT_EQ(expect, group[at]) << testing::traits(type).name << " group " << g << " row " << i
                                                     << " block " << b << " field@" << f.offset << " byte " << m;
                    }
        }
    }
}

TEST(RowGroups, RoundTripIsByteExactAndLayoutIsTheDocumentedOne) {
    std::mt19937 rng(2024);
    for (GgmlType type : kGroupedTypes) {
        const int64_t cols = testing::traits(type).block_elems == 256 ? 512 : 96;
        for (int64_t rows : {16, 17, 40, 48}) {
            const auto original = random_matrix(type, rows, cols, rng);
            auto data = original;
            WeightMatrix m = plain_matrix(type, data.data(), rows, cols);
            ASSERT_TRUE(has_row_groups(type));
            group_rows(m);
            const std::string what = std::string(testing::traits(type).name) + " rows=" + std::to_string(rows);
            ASSERT_EQ(RowLayout::Grouped16, m.layout) << what;
            ASSERT_EQ(data.data(), m.data) << what;  // in place

            // The tail (rows past the last whole group) is untouched, byte for byte.
            const size_t grouped_bytes = static_cast<size_t>(rows / kRowGroup * kRowGroup) * m.row_stride;
            ASSERT_EQ(0, std::memcmp(original.data() + grouped_bytes, data.data() + grouped_bytes,
                                     original.size() - grouped_bytes))
                << what << ": tail rows changed";
            ASSERT_NE(0, std::memcmp(original.data(), data.data(), grouped_bytes)) << what << ": nothing grouped";
            expect_documented_layout(type, original, data.data(), rows, cols);

            // copy_plain_row gives back each original row, grouped or tail.
            std::vector<uint8_t> row(m.row_stride);
            for (int64_t r = 0; r < rows; ++r) {
                copy_plain_row(m, r, row.data());
                ASSERT_EQ(0, std::memcmp(row.data(), original.data() + static_cast<size_t>(r) * m.row_stride,
                                         m.row_stride))
                    << what << " row " << r;
            }

            // Grouping a grouped matrix again changes nothing.
            const auto grouped = data;
            group_rows(m);
            ASSERT_EQ(grouped, data) << what << ": second group_rows changed bytes";

            ungroup_rows(m);
            ASSERT_EQ(RowLayout::Plain, m.layout) << what;
            ASSERT_EQ(original, data) << what << ": round trip not byte-exact";
        }
    }
}

TEST(RowGroups, CopyPlainRowOfAPlainMatrixIsTheRow) {
    std::mt19937 rng(5);
    const auto original = random_matrix(GgmlType::Q4_0, 20, 64, rng);
    const WeightMatrix m = plain_matrix(GgmlType::Q4_0, original.data(), 20, 64);
    std::vector<uint8_t> row(m.row_stride);
    for (int64_t r = 0; r < m.rows; ++r) {
        copy_plain_row(m, r, row.data());
        ASSERT_EQ(0, std::memcmp(row.data(), m.row(r), m.row_stride)) << "row " << r;
    }
}

TEST(RowGroups, TypesWithoutGroupsAndShortMatricesStayPlain) {
    std::mt19937 rng(11);
    for (GgmlType type : {GgmlType::Q5_K, GgmlType::F16, GgmlType::F32, GgmlType::Q4_1, GgmlType::Q3_K}) {
        EXPECT_FALSE(has_row_groups(type)) << testing::traits(type).name;
        const auto original = random_matrix(type, 32, 256, rng);
        auto data = original;
        WeightMatrix m = plain_matrix(type, data.data(), 32, 256);
        group_rows(m);
        EXPECT_EQ(RowLayout::Plain, m.layout) << testing::traits(type).name;
        EXPECT_EQ(original, data) << testing::traits(type).name << ": bytes changed";
    }
    // Fewer rows than one group: nothing to interleave.
    for (GgmlType type : kGroupedTypes) {
        const int64_t cols = testing::traits(type).block_elems == 256 ? 256 : 64;
        const auto original = random_matrix(type, 15, cols, rng);
        auto data = original;
        WeightMatrix m = plain_matrix(type, data.data(), 15, cols);
        group_rows(m);
        EXPECT_EQ(RowLayout::Plain, m.layout) << testing::traits(type).name;
        EXPECT_EQ(original, data) << testing::traits(type).name << ": bytes changed";
    }
}

TEST(RowGroups, UngroupingAPlainMatrixChangesNothing) {
    std::mt19937 rng(3);
    const auto original = random_matrix(GgmlType::Q8_0, 32, 64, rng);
    auto data = original;
    WeightMatrix m = plain_matrix(GgmlType::Q8_0, data.data(), 32, 64);
    ungroup_rows(m);
    EXPECT_EQ(RowLayout::Plain, m.layout);
    EXPECT_EQ(original, data);
}

}  // namespace
}  // namespace veil::engine
