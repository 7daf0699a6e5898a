// SEV-SNP verification on the real Milan report, through the plugin's C ABI.
#include <gtest/gtest.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include "tee_snp/cert_table.hpp"
#include "tee_test_util.hpp"
#include "veil/tee_common/x509_chain.hpp"

using namespace veil::test;

namespace {

constexpr const char* kAt = "\"at\":\"2025-06-01T00:00:00Z\"";

class SnpVerify : public ::testing::Test {
protected:
    void SetUp() override {
        plugin = std::make_unique<TeePlugin>(TEE_SNP_PLUGIN, R"({"mode":"verify"})");
        report = read_testdata("tee/snp/attestation.bin");
        vcek = read_testdata("tee/snp/vcek.der");
        expected.fill(0);
        for (uint8_t i = 0; i < 5; ++i) expected[i] = static_cast<uint8_t>(i + 1);
    }
    std::string policy(const std::string& product, bool allow_debug, const std::string& at = kAt) {
        Poco::JSON::Object o;
        o.set("allow_debug", allow_debug);
        o.set("vcek_der", base64(vcek));
        o.set("ca_pem", read_testdata_text("tee/snp/ask_ark_" + product + ".pem"));
        std::ostringstream os;
        o.stringify(os);
        std::string s = os.str();
        return s.substr(0, s.size() - 1) + "," + at + "}";
    }
    // report || GHCB cert table with VCEK, ASK, ARK (the hardware evidence format).
    Bytes with_certs(const std::string& product) {
        auto chain = veil::tee::x509_chain_from_pem(read_testdata_text("tee/snp/ask_ark_" + product + ".pem"), "test");
        Bytes table = veil::tee::snp::build_cert_table({{veil::tee::snp::kGuidVcek, vcek},
                                                        {veil::tee::snp::kGuidAsk, veil::tee::x509_to_der(chain[0].get())},
                                                        {veil::tee::snp::kGuidArk, veil::tee::x509_to_der(chain[1].get())}});
        Bytes ev = report;
        ev.insert(ev.end(), table.begin(), table.end());
        return ev;
    }

    std::unique_ptr<TeePlugin> plugin;
    Bytes report, vcek;
    std::array<uint8_t, 64> expected{};
};

TEST_F(SnpVerify, MilanReportVerifiesWithAllowDebug) {
    std::string claims;
    auto r = plugin->verify(report, "sev-snp-report", expected.data(), policy("milan", true), &claims);
    ASSERT_TRUE(r.ok()) << r.message;
    Poco::JSON::Parser p;
    auto c = p.parse(claims).extract<Poco::JSON::Object::Ptr>();
    EXPECT_EQ(c->getValue<int>("version"), 2);
    EXPECT_EQ(c->getValue<std::string>("product"), "Milan");
    EXPECT_EQ(c->getValue<std::string>("format"), "sev-snp-report");
    EXPECT_FALSE(c->getValue<bool>("simulated"));
    EXPECT_TRUE(c->getObject("policy")->getValue<bool>("debug"));
    EXPECT_EQ(c->getValue<std::string>("report_data").substr(0, 12), "010203040500");
    EXPECT_EQ(c->getValue<std::string>("measurement").substr(0, 8), "b07af962");
    auto tcb = c->getObject("reported_tcb");
    EXPECT_EQ(tcb->getValue<int>("bootloader"), 2);
    EXPECT_EQ(tcb->getValue<int>("snp"), 5);
    EXPECT_EQ(tcb->getValue<int>("microcode"), 0x44);
    EXPECT_EQ(c->getValue<std::string>("chip_id").substr(0, 8), "3ac3fe21");
}

TEST_F(SnpVerify, EvidenceWithCertTableVerifiesWithoutPolicyCerts) {
    auto r = plugin->verify(with_certs("milan"), "sev-snp-report+certs/v1", expected.data(),
                            std::string("{\"allow_debug\":true,") + kAt + "}");
    EXPECT_TRUE(r.ok()) << r.message;
}

TEST_F(SnpVerify, RefusedWithoutAllowDebug) {
    auto r = plugin->verify(report, "sev-snp-report", expected.data(), policy("milan", false));
    EXPECT_EQ(r.code, VEIL_ERR_VERIFICATION);
    EXPECT_NE(r.message.find("DEBUG"), std::string::npos) << r.message;
}

TEST_F(SnpVerify, RefusedWithGenoaChain) {
    auto r = plugin->verify(report, "sev-snp-report", expected.data(), policy("genoa", true));
    EXPECT_EQ(r.code, VEIL_ERR_VERIFICATION);
    EXPECT_NE(r.message.find("is not AMD's pinned ARK-Milan"), std::string::npos) << r.message;
    // Also in the certificate table: the pin applies whatever carries the chain.
    r = plugin->verify(with_certs("genoa"), "sev-snp-report+certs/v1", expected.data(),
                       std::string("{\"allow_debug\":true,") + kAt + "}");
    EXPECT_EQ(r.code, VEIL_ERR_VERIFICATION);
    EXPECT_NE(r.message.find("pinned ARK-Milan"), std::string::npos) << r.message;
}

TEST_F(SnpVerify, FlippedReportDataBreaksSignature) {
    for (size_t i : {0x50u, 0x55u, 0x8Fu}) {
        Bytes bad = report;
        bad[i] ^= 0x01;
        auto r = plugin->verify(bad, "sev-snp-report", nullptr, policy("milan", true));
        EXPECT_EQ(r.code, VEIL_ERR_VERIFICATION);
        EXPECT_EQ(r.message, "SNP report signature does not verify with the VCEK") << "byte " << i;
    }
}

TEST_F(SnpVerify, WrongExpectedReportDataRefused) {
    auto other = expected;
    other[63] = 9;
    auto r = plugin->verify(report, "sev-snp-report", other.data(), policy("milan", true));
    EXPECT_EQ(r.code, VEIL_ERR_VERIFICATION);
    EXPECT_NE(r.message.find("report_data does not match"), std::string::npos) << r.message;
}

TEST_F(SnpVerify, ExpiredAtRefused) {
    auto r = plugin->verify(report, "sev-snp-report", expected.data(),
                            policy("milan", true, "\"at\":\"2035-01-01T00:00:00Z\""));
    EXPECT_EQ(r.code, VEIL_ERR_VERIFICATION);
    EXPECT_NE(r.message.find("expired"), std::string::npos) << r.message;
}

TEST_F(SnpVerify, PolicyAllowlistsAndTcb) {
    std::string base = policy("milan", true);
    base.pop_back();
    auto r = plugin->verify(report, "sev-snp-report", nullptr, base + R"(,"allowed_measurements":[")" + std::string(96, 'a') + "\"]}");
    EXPECT_NE(r.message.find("allowed_measurements"), std::string::npos) << r.message;
    r = plugin->verify(report, "sev-snp-report", nullptr, base + R"(,"min_tcb":{"snp":6}})");
    EXPECT_NE(r.message.find("below policy min_tcb snp=6"), std::string::npos) << r.message;
    r = plugin->verify(report, "sev-snp-report", nullptr, base + R"(,"min_tcb":{"snp":5,"bootloader":2}})");
    EXPECT_TRUE(r.ok()) << r.message;
    r = plugin->verify(report, "sev-snp-report", nullptr, base + R"(,"vmpl":1})");
    EXPECT_NE(r.message.find("VMPL"), std::string::npos) << r.message;
    r = plugin->verify(report, "sev-snp-report", nullptr, base + R"(,"vmpl":0})");
    EXPECT_TRUE(r.ok()) << r.message;
    r = plugin->verify(report, "sev-snp-report", nullptr, base + R"(,"alow_debug":true})");
    EXPECT_EQ(r.code, VEIL_ERR_INVALID_ARGUMENT);
}

TEST_F(SnpVerify, MissingCertificatesNamed) {
    auto r = plugin->verify(report, "sev-snp-report", nullptr, std::string("{") + kAt + "}");
    EXPECT_EQ(r.code, VEIL_ERR_VERIFICATION);
    EXPECT_NE(r.message.find("no VCEK"), std::string::npos) << r.message;
}

TEST_F(SnpVerify, TruncatedAndUnknownFormat) {
    Bytes shorter(report.begin(), report.end() - 1);
    EXPECT_EQ(plugin->verify(shorter, "sev-snp-report", nullptr, policy("milan", true)).code, VEIL_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(plugin->verify(report, "sev-snp-whatever", nullptr, policy("milan", true)).code, VEIL_ERR_INVALID_ARGUMENT);
}

}  // namespace
