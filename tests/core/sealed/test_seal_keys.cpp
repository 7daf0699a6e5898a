// Key files: 32 raw bytes or 64 hex characters (optional newline) are accepted; everything else
// is refused with a message saying what was found.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cstdlib>

#include "sealed/seal_error.h"
#include "sealed_test_util.h"

namespace veil {
namespace {

std::vector<uint8_t> bytes_of(const std::string& s) { return {s.begin(), s.end()}; }

// Key files as users should keep them (mode 0600), so the group/other warning stays quiet.
struct KeyDir : test::TempDir {
    std::string write(const std::string& name, const std::vector<uint8_t>& bytes) const {
        std::string p = test::TempDir::write(name, bytes);
        ::chmod(p.c_str(), 0600);
        return p;
    }
};

std::string load_error(const std::string& path) {
    try {
        SealKey::from_file(path);
        return "";
    } catch (const SealError& e) {
        return e.what();
    }
}

TEST(SealKey, RawAndHexFormsGiveTheSameKey) {
    KeyDir dir;
    std::vector<uint8_t> raw(32);
    for (int i = 0; i < 32; ++i) raw[i] = static_cast<uint8_t>(i);
    SealKey expected = test::test_key();
    for (const auto& [name, content] : std::vector<std::pair<std::string, std::vector<uint8_t>>>{
             {"raw", raw},
             {"hex", bytes_of(test::kKeyHex)},
             {"hex_nl", bytes_of(std::string(test::kKeyHex) + "\n")},
             {"hex_crlf", bytes_of(std::string(test::kKeyHex) + "\r\n")},
             {"hex_upper", bytes_of("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F")}}) {
        SealKey k = SealKey::from_file(dir.write(name, content));
        EXPECT_EQ(0, std::memcmp(k.bytes(), expected.bytes(), 32)) << name;
        EXPECT_EQ(k.id_hex(), expected.id_hex()) << name;
    }
}

TEST(SealKey, RawKeyEndingInNewlineByteIsStillRaw) {
    KeyDir dir;
    std::vector<uint8_t> raw(32, 0x01);
    raw[31] = '\n';
    SealKey k = SealKey::from_file(dir.write("k", raw));
    EXPECT_EQ(k.bytes()[31], '\n');
}

TEST(SealKey, WrongLengthsAreRefusedClearly) {
    KeyDir dir;
    EXPECT_NE(load_error(dir.write("k31", std::vector<uint8_t>(31, 0xC3))).find("expected 32 raw bytes or 64 hex characters"),
              std::string::npos);
    EXPECT_NE(load_error(dir.write("k33", std::vector<uint8_t>(33, 0xC3))).find("holds 33 bytes"), std::string::npos);
    EXPECT_NE(load_error(dir.write("k0", {})).find("holds 0 bytes"), std::string::npos);
    EXPECT_NE(load_error(dir.write("hex63", bytes_of(std::string(test::kKeyHex).substr(1)))).find("holds 63 bytes"),
              std::string::npos);
    EXPECT_NE(load_error(dir.write("hex65", bytes_of(std::string(test::kKeyHex) + "0"))).find("holds 65 bytes"),
              std::string::npos);
    EXPECT_NE(load_error(dir.write("big", std::vector<uint8_t>(4096, 'a'))).find("more than 66"), std::string::npos);
    std::string e = load_error(dir.write("hex32", bytes_of(std::string(test::kKeyHex).substr(0, 32))));
    EXPECT_NE(e.find("128-bit"), std::string::npos) << e;
    e = load_error(dir.write("nothex", bytes_of(std::string(test::kKeyHex).substr(0, 63) + "g")));
    EXPECT_NE(e.find("character 64 is not a hex digit"), std::string::npos) << e;
    EXPECT_NE(load_error(dir.file("missing")).find("cannot open"), std::string::npos);
}

TEST(SealKey, FromEnvironment) {
    ::setenv("VEIL_TEST_SEAL_KEY", test::kKeyHex, 1);
    EXPECT_EQ(SealKey::from_env("VEIL_TEST_SEAL_KEY").id_hex(), test::test_key().id_hex());
    ::setenv("VEIL_TEST_SEAL_KEY", (std::string(test::kKeyHex) + "\n").c_str(), 1);
    EXPECT_EQ(SealKey::from_env("VEIL_TEST_SEAL_KEY").id_hex(), test::test_key().id_hex());
    ::setenv("VEIL_TEST_SEAL_KEY", "abcd", 1);
    try {
        SealKey::from_env("VEIL_TEST_SEAL_KEY");
        FAIL();
    } catch (const SealError& e) {
        EXPECT_NE(std::string(e.what()).find("environment variable VEIL_TEST_SEAL_KEY: expected 64 hex characters"),
                  std::string::npos);
    }
    ::unsetenv("VEIL_TEST_SEAL_KEY");
    EXPECT_THROW(SealKey::from_env("VEIL_TEST_SEAL_KEY"), SealError);
}

TEST(SealKey, GeneratedKeysDifferAndIdsAreStable) {
    SealKey a = SealKey::generate(), b = SealKey::generate();
    EXPECT_NE(0, std::memcmp(a.bytes(), b.bytes(), 32));
    EXPECT_NE(a.id_hex(), b.id_hex());
    EXPECT_EQ(a.id_hex(), SealKey::from_hex(a.to_hex(), "x").id_hex());
    EXPECT_EQ(a.id_hex().size(), 32u);
    // The id is not a prefix of the key or of its plain SHA-256.
    EXPECT_EQ(a.to_hex().find(a.id_hex().substr(0, 8)), std::string::npos);
}

TEST(SealKey, FromBytesRequires32) {
    uint8_t b[33] = {};
    EXPECT_THROW(SealKey::from_bytes(b, 31), SealError);
    EXPECT_THROW(SealKey::from_bytes(b, 33), SealError);
    EXPECT_NO_THROW(SealKey::from_bytes(b, 32));
}

}  // namespace
}  // namespace veil
