// TDX quote verification on real quotes (v4 Sapphire Rapids, v4 GCE, v5 TDX 1.5) through the
// plugin's C ABI, plus tampering that each check must catch.
#include <gtest/gtest.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include "tee_tdx/quote.hpp"
#include "tee_tdx/simulate.hpp"
#include "tee_tdx/signatures.hpp"
#include "tee_test_util.hpp"
#include "veil/tee_common/cert_builder.hpp"
#include "veil/tee_common/ecdsa.hpp"
#include "veil/tee_common/x509_chain.hpp"

using namespace veil::test;
namespace tdx = veil::tee::tdx;

namespace {

// A fixed instant inside every PCK leaf's validity: the v5 sample's leaf starts 2026-01-27 and
// the Sapphire Rapids leaf ends 2029-09-20.
const std::string kPolicy = R"({"at":"2026-06-01T00:00:00Z"})";
const char* kQuotes[] = {"tee/tdx/quote_v4_spr_e4.bin", "tee/tdx/quote_v4_gce_cos113.bin", "tee/tdx/quote_v5_sample.bin"};

class TdxVerify : public ::testing::Test {
protected:
    void SetUp() override { plugin = std::make_unique<TeePlugin>(TEE_TDX_PLUGIN, R"({"mode":"verify"})"); }
    Poco::JSON::Object::Ptr verify_ok(const Bytes& q, const std::string& policy = kPolicy) {
        std::string claims;
        auto r = plugin->verify(q, "tdx-quote", nullptr, policy, &claims);
        EXPECT_TRUE(r.ok()) << r.message;
        if (!r.ok()) return nullptr;
        Poco::JSON::Parser p;
        return p.parse(claims).extract<Poco::JSON::Object::Ptr>();
    }
    std::unique_ptr<TeePlugin> plugin;
};

TEST_F(TdxVerify, RealQuotesVerifyEndToEnd) {
    for (const char* f : kQuotes) {
        SCOPED_TRACE(f);
        Bytes q = read_testdata(f);
        auto c = verify_ok(q, R"({"at":"2026-06-01T00:00:00Z","allow_debug":true})");
        ASSERT_TRUE(c);
        EXPECT_FALSE(c->getValue<bool>("simulated"));
        EXPECT_EQ(c->getValue<std::string>("mr_td").size(), 96u);
        EXPECT_EQ(c->getValue<std::string>("fmspc").size(), 12u);
        auto parsed = tdx::parse_quote(q);
        EXPECT_EQ(c->getValue<std::string>("report_data"), veil::tee::to_hex(parsed.td.report_data));
        EXPECT_EQ(c->getValue<int>("quote_version"), parsed.version);
    }
}

TEST_F(TdxVerify, V5CarriesTdx15Body) {
    Bytes q = read_testdata("tee/tdx/quote_v5_sample.bin");
    auto parsed = tdx::parse_quote(q);
    EXPECT_EQ(parsed.version, 5);
    EXPECT_EQ(parsed.body_type, 3);
    EXPECT_EQ(parsed.body.size(), 648u);
    auto c = verify_ok(q, R"({"at":"2026-06-01T00:00:00Z","allow_debug":true})");
    ASSERT_TRUE(c);
    EXPECT_TRUE(c->has("mr_servicetd"));
    EXPECT_EQ(c->getValue<std::string>("tdx_module"), "1.5");
}

TEST_F(TdxVerify, TrailingBytesIgnoredBySizeFields) {
    Bytes q = read_testdata("tee/tdx/quote_v4_spr_e4.bin");
    auto parsed = tdx::parse_quote(q);
    EXPECT_EQ(q.size() - parsed.total_size, 39u);
}

TEST_F(TdxVerify, DebugAttributeNeedsAllowDebug) {
    for (const char* f : kQuotes) {
        Bytes q = read_testdata(f);
        auto parsed = tdx::parse_quote(q);
        bool debug = parsed.td.td_attributes[0] & 1;
        auto r = plugin->verify(q, "tdx-quote", nullptr, kPolicy);
        if (debug) {
            EXPECT_EQ(r.code, VEIL_ERR_VERIFICATION) << f;
            EXPECT_NE(r.message.find("DEBUG"), std::string::npos) << r.message;
        } else {
            EXPECT_TRUE(r.ok()) << f << ": " << r.message;
        }
    }
}

TEST_F(TdxVerify, FlippedReportDataBreaksQuoteSignature) {
    for (const char* f : kQuotes) {
        Bytes q = read_testdata(f);
        auto parsed = tdx::parse_quote(q);
        size_t rd_off = static_cast<size_t>(parsed.td.report_data.data() - q.data());
        q[rd_off + 7] ^= 0x80;
        auto r = plugin->verify(q, "tdx-quote", nullptr, R"({"at":"2026-06-01T00:00:00Z","allow_debug":true})");
        EXPECT_EQ(r.code, VEIL_ERR_VERIFICATION) << f;
        EXPECT_EQ(r.message, "TDX quote signature does not verify with the attestation key") << f;
    }
}

TEST_F(TdxVerify, ResignedWithAnotherAttestationKeyFailsQeBinding) {
    Bytes q = read_testdata("tee/tdx/quote_v4_gce_cos113.bin");
    auto p = tdx::parse_quote(q);
    auto fresh = veil::tee::generate_ec(veil::tee::kP256);
    std::string_view pem(reinterpret_cast<const char*>(p.pck_chain_pem.data()), p.pck_chain_pem.size());
    Bytes forged = tdx::assemble_quote_v4(p.signed_part.subspan(0, tdx::kHeaderSize), p.body, fresh.get(), p.qe_report,
                                          p.qe_report_signature, p.qe_auth_data, pem);
    // Sanity: the forged quote's own signature is valid, so only the binding can catch it.
    auto fp = tdx::parse_quote(forged);
    EXPECT_NO_THROW(tdx::verify_quote_signature(fp));
    auto r = plugin->verify(forged, "tdx-quote", nullptr, R"({"at":"2026-06-01T00:00:00Z","allow_debug":true})");
    EXPECT_EQ(r.code, VEIL_ERR_VERIFICATION);
    EXPECT_EQ(r.message, "QE report data does not bind the attestation key");
}

TEST_F(TdxVerify, WrongRootRefused) {
    Bytes q = read_testdata("tee/tdx/quote_v4_spr_e4.bin");
    auto p = tdx::parse_quote(q);
    std::string pem(reinterpret_cast<const char*>(p.pck_chain_pem.data()), p.pck_chain_pem.size());
    // Replace the last certificate (Intel's root) with a look-alike self-signed root.
    size_t last = pem.rfind("-----BEGIN CERTIFICATE-----");
    auto key = veil::tee::generate_ec(veil::tee::kP256);
    veil::tee::CertSpec s;
    s.common_name = "Intel SGX Root CA";
    s.organization = "Intel Corporation";
    s.subject_key = key.get();
    s.issuer_key = key.get();
    s.ca = true;
    s.not_before = 1500000000;
    s.not_after = 2500000000;
    auto fake = veil::tee::build_cert(s);
    std::string new_pem = pem.substr(0, last) + veil::tee::x509_to_pem(fake.get());
    long delta = static_cast<long>(new_pem.size()) - static_cast<long>(pem.size());
    size_t pem_off = static_cast<size_t>(p.pck_chain_pem.data() - q.data());
    Bytes out(q.begin(), q.begin() + static_cast<long>(pem_off));
    out.insert(out.end(), new_pem.begin(), new_pem.end());
    out.insert(out.end(), q.begin() + static_cast<long>(pem_off + pem.size()), q.end());
    auto bump = [&](size_t off) { veil::tee::put_le32(out, off, static_cast<uint32_t>(static_cast<long>(veil::tee::le32(out, off)) + delta)); };
    bump(p.sig_data_len_offset);
    bump(p.outer_cert_size_offset);
    bump(p.pck_cert_size_offset);
    auto r = plugin->verify(out, "tdx-quote", nullptr, R"({"at":"2026-06-01T00:00:00Z","allow_debug":true})");
    EXPECT_EQ(r.code, VEIL_ERR_VERIFICATION);
    EXPECT_NE(r.message.find("is not the pinned Intel SGX Root CA"), std::string::npos) << r.message;
}

TEST_F(TdxVerify, ExpiredTimeRefused) {
    for (const char* f : kQuotes) {
        auto r = plugin->verify(read_testdata(f), "tdx-quote", nullptr, R"({"at":"2035-01-01T00:00:00Z","allow_debug":true})");
        EXPECT_EQ(r.code, VEIL_ERR_VERIFICATION) << f;
        EXPECT_NE(r.message.find("expired"), std::string::npos) << r.message;
    }
}

TEST_F(TdxVerify, NotYetValidTimeRefused) {
    auto r = plugin->verify(read_testdata("tee/tdx/quote_v5_sample.bin"), "tdx-quote", nullptr,
                            R"({"at":"2025-06-01T00:00:00Z","allow_debug":true})");
    EXPECT_EQ(r.code, VEIL_ERR_VERIFICATION);
    EXPECT_NE(r.message.find("not yet valid"), std::string::npos) << r.message;
}

TEST_F(TdxVerify, MrtdAndRtmrAllowlists) {
    Bytes q = read_testdata("tee/tdx/quote_v4_gce_cos113.bin");
    auto p = tdx::parse_quote(q);
    std::string mrtd = veil::tee::to_hex(p.td.mr_td), rtmr1 = veil::tee::to_hex(p.td.rtmr[1]);
    std::string base = R"({"at":"2026-06-01T00:00:00Z","allow_debug":true,)";
    auto r = plugin->verify(q, "tdx-quote", nullptr, base + R"("allowed_mrtd":[")" + mrtd + "\"]}");
    EXPECT_TRUE(r.ok()) << r.message;
    r = plugin->verify(q, "tdx-quote", nullptr, base + R"("allowed_mrtd":[")" + std::string(96, '0') + "\"]}");
    EXPECT_NE(r.message.find("MRTD"), std::string::npos) << r.message;
    r = plugin->verify(q, "tdx-quote", nullptr, base + R"("allowed_rtmr":{"rtmr1":[")" + rtmr1 + "\"]}}");
    EXPECT_TRUE(r.ok()) << r.message;
    r = plugin->verify(q, "tdx-quote", nullptr, base + R"("allowed_rtmr":{"rtmr1":[")" + std::string(96, '0') + "\"]}}");
    EXPECT_NE(r.message.find("RTMR1"), std::string::npos) << r.message;
    r = plugin->verify(q, "tdx-quote", nullptr, base + R"("min_tcb":"ffffffffffffffffffffffffffffffff"})");
    EXPECT_NE(r.message.find("tee_tcb_svn"), std::string::npos) << r.message;
}

TEST_F(TdxVerify, ExpectedReportDataChecked) {
    Bytes q = read_testdata("tee/tdx/quote_v4_gce_cos113.bin");
    auto p = tdx::parse_quote(q);
    Bytes rd(p.td.report_data.begin(), p.td.report_data.end());
    std::string pol = R"({"at":"2026-06-01T00:00:00Z","allow_debug":true})";
    EXPECT_TRUE(plugin->verify(q, "tdx-quote", rd.data(), pol).ok());
    rd[0] ^= 1;
    auto r = plugin->verify(q, "tdx-quote", rd.data(), pol);
    EXPECT_NE(r.message.find("report_data does not match"), std::string::npos) << r.message;
}

TEST_F(TdxVerify, MalformedQuotesAreInvalidNotCrashes) {
    Bytes q = read_testdata("tee/tdx/quote_v5_sample.bin");
    for (size_t n : {0ul, 10ul, 48ul, 600ul, 700ul, 1000ul, 2000ul}) {
        Bytes cut(q.begin(), q.begin() + static_cast<long>(std::min(n, q.size())));
        auto r = plugin->verify(cut, "tdx-quote", nullptr, kPolicy);
        EXPECT_EQ(r.code, VEIL_ERR_INVALID_ARGUMENT) << n << ": " << r.message;
    }
}

}  // namespace
