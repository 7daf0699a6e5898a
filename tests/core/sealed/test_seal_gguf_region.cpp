// GgufFile::parse_header_region: a GGUF header whose data section is not in memory (what a
// sealed file stores in clear) is validated against the declared file size.
#include <gtest/gtest.h>

#include "gguf/gguf_file.h"
#include "sealed_test_util.h"

namespace veil {
namespace {

TEST(SealGgufRegion, MatchesTheFullParse) {
    auto full = GgufFile::open(test::testdata("models/synth-d256-Q4_K_M.gguf"));
    auto bytes = test::read_all(full->path());
    std::vector<uint8_t> region(bytes.begin(), bytes.begin() + static_cast<long>(full->data_offset()));
    auto head = GgufFile::parse_header_region(region.data(), region.size(), bytes.size(), "region");
    EXPECT_EQ(head->data_offset(), full->data_offset());
    ASSERT_EQ(head->tensors().size(), full->tensors().size());
    for (size_t k = 0; k < head->tensors().size(); ++k) {
        EXPECT_EQ(head->tensors()[k].name, full->tensors()[k].name);
        EXPECT_EQ(head->tensors()[k].offset, full->tensors()[k].offset);
        EXPECT_EQ(head->tensors()[k].n_bytes, full->tensors()[k].n_bytes);
    }
    EXPECT_EQ(head->get_string("general.architecture"), "llama");
}

TEST(SealGgufRegion, TensorsBeyondTheDeclaredSizeAreRefused) {
    auto full = GgufFile::open(test::testdata("models/stories260K.gguf"));
    auto bytes = test::read_all(full->path());
    std::vector<uint8_t> region(bytes.begin(), bytes.begin() + static_cast<long>(full->data_offset()));
    EXPECT_THROW(GgufFile::parse_header_region(region.data(), region.size(), bytes.size() - 1, "region"), GgufError);
    EXPECT_THROW(GgufFile::parse_header_region(region.data(), region.size(), region.size() - 1, "region"), GgufError);
    // A region cut inside the tensor directory fails as truncated, without reading past it.
    EXPECT_THROW(GgufFile::parse_header_region(region.data(), region.size() - 40, bytes.size(), "region"), GgufError);
}

}  // namespace
}  // namespace veil
