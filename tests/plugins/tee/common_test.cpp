// Unit tests of shared helpers and SNP parsing pieces that the end-to-end tests reach only
// indirectly.
#include <gtest/gtest.h>

#include "tee_snp/cert_table.hpp"
#include "tee_snp/tcb.hpp"
#include "tee_test_util.hpp"
#include "veil/tee_common/der.hpp"
#include "veil/tee_common/ossl.hpp"
#include "veil/tee_common/policy.hpp"
#include "veil/tee_common/x509_chain.hpp"

using namespace veil::test;
namespace tee = veil::tee;

TEST(Rfc3339, ParsesZoneForms) {
    EXPECT_EQ(tee::parse_rfc3339("2025-06-01T00:00:00Z"), 1748736000);
    EXPECT_EQ(tee::parse_rfc3339("2025-06-01T02:00:00+02:00"), 1748736000);
    EXPECT_EQ(tee::parse_rfc3339("2025-06-01T00:00:00.123Z"), 1748736000);
    EXPECT_THROW(tee::parse_rfc3339("2025-06-01"), veil::sdk::Error);
    EXPECT_THROW(tee::parse_rfc3339("2025-06-01T00:00:00"), veil::sdk::Error);
}

TEST(Policy, KeysAndTypes) {
    auto p = tee::parse_policy(R"({"allow_debug":true,"vmpl":0,"min_tcb":{"snp":3},"allowed_rtmr":{"rtmr2":[]}})");
    EXPECT_TRUE(p.allow_debug);
    EXPECT_FALSE(p.allow_simulated);
    EXPECT_EQ(p.vmpl, 0u);
    EXPECT_THROW(tee::parse_policy(R"({"allow_debug":"yes"})"), veil::sdk::Error);
    EXPECT_THROW(tee::parse_policy(R"({"allowed_mrtd":["00"]})"), veil::sdk::Error);
    EXPECT_THROW(tee::parse_policy(R"({"allowed_rtmr":{"rtmr4":[]}})"), veil::sdk::Error);
    EXPECT_THROW(tee::parse_policy("not json"), veil::sdk::Error);
}

TEST(Der, IntegerAndOidRoundTrip) {
    auto i = tee::der::integer(0x80);
    EXPECT_EQ(tee::to_hex(i), "02020080");
    auto t = tee::der::read(i);
    ASSERT_TRUE(t);
    EXPECT_EQ(tee::der::integer(*t), 0x80u);
    auto o = tee::der::oid("1.2.840.113741.1.13.1.4");
    auto ot = tee::der::read(o);
    ASSERT_TRUE(ot);
    EXPECT_EQ(tee::der::oid_text(ot->value), "1.2.840.113741.1.13.1.4");
    EXPECT_FALSE(tee::der::read(tee::ByteView(i).subspan(0, 3)));
}

TEST(CertTable, RoundTripAndMixedEndianGuids) {
    Bytes a = {1, 2, 3}, b = {4, 5};
    Bytes t = tee::snp::build_cert_table({{tee::snp::kGuidVcek, a}, {tee::snp::kGuidArk, b}});
    auto m = tee::snp::parse_cert_table(t);
    EXPECT_EQ(m.at(tee::snp::kGuidVcek), a);
    EXPECT_EQ(m.at(tee::snp::kGuidArk), b);
    // Same table with the first three GUID fields byte-swapped (mixed-endian writers).
    Bytes swapped = t;
    for (size_t e = 0; e < 2; ++e) {
        uint8_t* g = swapped.data() + e * 24;
        std::swap(g[0], g[3]);
        std::swap(g[1], g[2]);
        std::swap(g[4], g[5]);
        std::swap(g[6], g[7]);
    }
    auto m2 = tee::snp::parse_cert_table(swapped);
    EXPECT_EQ(m2.at(tee::snp::kGuidVcek), a);
    Bytes bad = t;
    tee::put_le32(bad, 20, 0xFFFF);  // first length past the end
    EXPECT_THROW(tee::snp::parse_cert_table(bad), veil::sdk::Error);
}

TEST(SnpTcb, VcekExtensionsMustMatchReportedTcb) {
    auto vcek = tee::x509_from_der(read_testdata("tee/snp/vcek.der"), "vcek");
    Bytes report = read_testdata("tee/snp/attestation.bin");
    uint64_t tcb = tee::le64(report, 0x180);
    tee::ByteView chip(report.data() + 0x1A0, 64);
    EXPECT_EQ(tee::snp::vcek_product_name(vcek.get()), "Milan-B0");
    EXPECT_NO_THROW(tee::snp::check_vcek_tcb(vcek.get(), tcb, chip, tee::snp::Product::Milan, true));
    uint64_t other = tcb + (uint64_t{1} << 48);  // snp SPL 5 -> 6
    try {
        tee::snp::check_vcek_tcb(vcek.get(), other, chip, tee::snp::Product::Milan, true);
        FAIL();
    } catch (const veil::sdk::Error& e) {
        EXPECT_STREQ(e.what(), "VCEK TCB extension snpSPL=5 does not match reported_tcb snp=6");
    }
    Bytes chip2(chip.begin(), chip.end());
    chip2[0] ^= 1;
    EXPECT_THROW(tee::snp::check_vcek_tcb(vcek.get(), tcb, chip2, tee::snp::Product::Milan, true), veil::sdk::Error);
}

TEST(SnpTcb, TurinLayout) {
    tee::snp::Tcb t{1, 2, 3, 4, 5};
    uint64_t raw = tee::snp::encode_tcb(t, tee::snp::Product::Turin);
    EXPECT_EQ(raw, 0x0400000003020105ull);
    auto d = tee::snp::decode_tcb(raw, tee::snp::Product::Turin);
    EXPECT_EQ(d.fmc, 5);
    EXPECT_EQ(d.snp, 3);
}

namespace {

// The message of the error x509_chain_from_pem throws for `pem`, or "" when it parses.
std::string pem_chain_error(const std::string& pem) {
    try {
        tee::x509_chain_from_pem(pem, "test chain");
    } catch (const std::exception& e) {
        return e.what();
    }
    return "";
}

// `pem` with one base64 character of its `n`th certificate (1-based) replaced by '*'.
std::string corrupt_certificate(std::string pem, int n) {
    size_t at = 0;
    for (int i = 0; i < n; ++i) at = pem.find("-----BEGIN CERTIFICATE-----", at) + 1;
    at = pem.find('\n', at) + 40;
    pem[at] = '*';
    return pem;
}

}  // namespace

TEST(X509Chain, ReadsEveryCertificateAndIgnoresTextAround) {
    std::string pem = read_testdata_text("tee/snp/ask_ark_milan.pem");
    EXPECT_EQ(tee::x509_chain_from_pem(pem, "test").size(), 2u);
    // TDX quotes end their PEM data with a NUL byte; comments before a block are PEM's too.
    EXPECT_EQ(tee::x509_chain_from_pem("a comment\n" + pem + std::string(1, '\0'), "test").size(), 2u);
}

TEST(X509Chain, MalformedCertificateIsNamedNotDropped) {
    std::string pem = read_testdata_text("tee/snp/ask_ark_milan.pem");
    EXPECT_NE(pem_chain_error(corrupt_certificate(pem, 1)).find("test chain: PEM certificate #1 is malformed"),
              std::string::npos)
        << pem_chain_error(corrupt_certificate(pem, 1));
    // Before, the chain silently ended after the first certificate.
    EXPECT_NE(pem_chain_error(corrupt_certificate(pem, 2)).find("test chain: PEM certificate #2 is malformed"),
              std::string::npos)
        << pem_chain_error(corrupt_certificate(pem, 2));
    EXPECT_NE(pem_chain_error("no certificate here").find("test chain holds no PEM certificate"), std::string::npos);
}
