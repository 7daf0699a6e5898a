// The attester/verifier around a TEE plugin: nonce rules, format routing, and that every bundle
// check (nonce, report_data binding) fails by name before the plugin is asked; plus a simulated
// SNP/TDX round trip through the real plugins when they are built.
#include <filesystem>

#include <gtest/gtest.h>

#include "attest/attester.h"

namespace veil {
namespace {

const std::string kNonce(64, 'a');

EvidenceBundle fake_bundle() {
    EvidenceBundle b;
    b.format = "sev-snp/simulated";
    b.evidence = {1, 2, 3};
    b.claims = new Poco::JSON::Object;
    b.claims->set("nonce", kNonce);
    b.claims->set("config_sha256", std::string("00"));
    b.report_data = report_data_for(b.claims);
    return b;
}

std::string failure(const Plugin& p, const EvidenceBundle& b, const VerifyOptions& o) {
    try {
        verify_evidence(p, b, o);
    } catch (const AttestationError& e) {
        return e.what();
    }
    return "(passed)";
}

TEST(Attester, NonceMustBe32To64BytesOfHex) {
    EXPECT_EQ(parse_nonce(std::string(64, '0')).size(), 32u);
    EXPECT_EQ(parse_nonce(std::string(128, 'f')).size(), 64u);
    EXPECT_THROW(parse_nonce(std::string(62, '0')), std::invalid_argument);
    EXPECT_THROW(parse_nonce(std::string(130, '0')), std::invalid_argument);
    EXPECT_THROW(parse_nonce(std::string(63, '0')), std::invalid_argument);
    EXPECT_THROW(parse_nonce(std::string(64, 'g')), std::invalid_argument);
}

TEST(Attester, FormatPrefixChoosesThePlugin) {
    EXPECT_EQ(tee_plugin_for_format("sev-snp-report+certs/v1"), "tee_snp");
    EXPECT_EQ(tee_plugin_for_format("sev-snp/simulated"), "tee_snp");
    EXPECT_EQ(tee_plugin_for_format("tdx-quote"), "tee_tdx");
    EXPECT_EQ(tee_plugin_for_format("tdx-quote/simulated"), "tee_tdx");
    EXPECT_EQ(tee_plugin_for_format("sgx"), "");
}

TEST(Attester, WrongNonceIsNamed) {
    Plugin none;
    VerifyOptions o;
    o.nonce_hex = std::string(64, 'b');
    EXPECT_EQ(failure(none, fake_bundle(), o).rfind("nonce:", 0), 0u);
}

TEST(Attester, AlteredClaimsFailReportData) {
    Plugin none;
    auto b = fake_bundle();
    b.claims->set("config_sha256", std::string("01"));
    VerifyOptions o;
    o.nonce_hex = kNonce;
    EXPECT_EQ(failure(none, b, o).rfind("report_data:", 0), 0u);
}

TEST(Attester, ExpectedReportDataMustMatchTheBundle) {
    Plugin none;
    VerifyOptions o;
    o.report_data = ReportData{};
    EXPECT_EQ(failure(none, fake_bundle(), o).rfind("report_data:", 0), 0u);
}

TEST(Attester, ChecksPassThenTheVerifierIsAsked) {
    Plugin none;
    VerifyOptions o;
    o.nonce_hex = kNonce;
    EXPECT_EQ(failure(none, fake_bundle(), o).rfind("verifier:", 0), 0u);
}

class SimulatedRoundTrip : public ::testing::TestWithParam<std::string> {};

TEST_P(SimulatedRoundTrip, AttestThenVerify) {
    const std::string which = GetParam();
    const auto dir = std::filesystem::path(VEIL_BINARY).parent_path() / "plugins";
    PluginSpec spec;
    spec.name = "tee_" + which;
    spec.path = spec.display_path = (dir / ("libveil-tee-" + which + ".so")).string();
    if (!std::filesystem::exists(spec.path)) GTEST_SKIP() << spec.path << " not built";
    spec.config_json = R"({"mode":"simulate"})";
    PluginHost host;
    Plugin& tee = host.load(spec);
    ASSERT_EQ(tee.status, PluginStatus::Ready) << tee.message();
    ASSERT_TRUE(tee_is_simulated(tee));

    auto claims = build_claims(kNonce, "cafe", host, tee, ModelClaims{"m", "beef", "backend_full"});
    EXPECT_TRUE(claims->getObject("tee")->getValue<bool>("simulated"));
    EXPECT_EQ(claims->getArray("plugins")->size(), 1u);
    EvidenceBundle b = attest(tee, claims);
    EXPECT_NE(b.format.find("simulated"), std::string::npos);
    EvidenceBundle round = EvidenceBundle::parse(b.to_json());

    VerifyOptions o;
    o.nonce_hex = kNonce;
    o.policy_json = R"({"allow_simulated":true})";
    EXPECT_NO_THROW(verify_evidence(tee, round, o));
    EXPECT_EQ(failure(tee, round, VerifyOptions{kNonce, std::nullopt, "{}"}).rfind("evidence (", 0), 0u);
    // Same claims, but the evidence signs other report_data.
    EvidenceBundle other = attest(tee, build_claims(std::string(64, 'c'), "cafe", host, tee, std::nullopt));
    round.evidence = other.evidence;
    EXPECT_EQ(failure(tee, round, o).rfind("evidence (", 0), 0u);
}

INSTANTIATE_TEST_SUITE_P(Tee, SimulatedRoundTrip, ::testing::Values("snp", "tdx"));

}  // namespace
}  // namespace veil
