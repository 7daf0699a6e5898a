#include <gtest/gtest.h>

#include "attest/canonical_json.h"

namespace veil {
namespace {

TEST(CanonicalJson, SortsKeysAndDropsWhitespace) {
    EXPECT_EQ(canonicalize_json_text(R"({ "b": 1, "a": {"z": [true, null, "x"], "y": -2} })"),
              R"({"a":{"y":-2,"z":[true,null,"x"]},"b":1})");
}

TEST(CanonicalJson, EscapesOnlyWhatJsonRequiresAndKeepsUtf8) {
    EXPECT_EQ(canonicalize_json_text(R"({"k": "a\"b\\c\n\u0001 é /"})"), "{\"k\":\"a\\\"b\\\\c\\n\\u0001 \xC3\xA9 /\"}");
}

TEST(CanonicalJson, SameDocumentDifferentOrderSameBytes) {
    EXPECT_EQ(canonicalize_json_text(R"({"nonce":"00","model":{"id":"m","sha256":"ab"}})"),
              canonicalize_json_text(R"({"model":{"sha256":"ab","id":"m"},"nonce":"00"})"));
}

TEST(CanonicalJson, RefusesFloats) { EXPECT_THROW(canonicalize_json_text(R"({"x": 0.5})"), std::invalid_argument); }

TEST(CanonicalJson, LargeUnsignedIntegersStayExact) {
    EXPECT_EQ(canonicalize_json_text(R"({"n": 18446744073709551615})"), R"({"n":18446744073709551615})");
}

}  // namespace
}  // namespace veil
