// Simulation mode: evidence of the real layout, signed by a throw-away chain, labelled and only
// accepted with allow_simulated, and never as real evidence.
#include <gtest/gtest.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include "tee_test_util.hpp"

using namespace veil::test;

namespace {

struct Case {
    const char* plugin;
    const char* real_format;
};

class Simulated : public ::testing::TestWithParam<Case> {};

TEST_P(Simulated, RoundTripsOnlyWithAllowSimulated) {
    TeePlugin sim(GetParam().plugin, R"({"mode":"simulate"})");
    TeePlugin verifier(GetParam().plugin, R"({"mode":"verify"})");  // another instance: a client
    uint8_t rd[64];
    for (int i = 0; i < 64; ++i) rd[i] = static_cast<uint8_t>(0xA0 + i);
    Bytes ev;
    std::string format;
    auto g = sim.get_evidence(rd, ev, format);
    ASSERT_TRUE(g.ok()) << g.message;
    EXPECT_NE(format.find("simulated"), std::string::npos) << format;

    std::string claims;
    auto r = verifier.verify(ev, format, rd, R"({"allow_simulated":true})", &claims);
    ASSERT_TRUE(r.ok()) << r.message;
    Poco::JSON::Parser p;
    auto c = p.parse(claims).extract<Poco::JSON::Object::Ptr>();
    EXPECT_TRUE(c->getValue<bool>("simulated"));
    EXPECT_EQ(c->getValue<std::string>("report_data").substr(0, 4), "a0a1");

    r = verifier.verify(ev, format, rd, "{}");
    EXPECT_EQ(r.code, VEIL_ERR_VERIFICATION);
    EXPECT_NE(r.message.find("allow_simulated"), std::string::npos) << r.message;

    // Relabelled as real evidence, the throw-away root must fail the pin.
    r = verifier.verify(ev, GetParam().real_format, rd, R"({"allow_simulated":true})");
    EXPECT_EQ(r.code, VEIL_ERR_VERIFICATION);
    EXPECT_NE(r.message.find("pinned"), std::string::npos) << r.message;

    // And the simulated signature still binds report_data.
    uint8_t other[64];
    std::copy(rd, rd + 64, other);
    other[3] ^= 1;
    r = verifier.verify(ev, format, other, R"({"allow_simulated":true})");
    EXPECT_EQ(r.code, VEIL_ERR_VERIFICATION);
}

INSTANTIATE_TEST_SUITE_P(Tee, Simulated,
                         ::testing::Values(Case{TEE_SNP_PLUGIN, "sev-snp-report+certs/v1"},
                                           Case{TEE_TDX_PLUGIN, "tdx-quote"}));

TEST(SimulatedSnp, FlippedReportDataBreaksSignature) {
    TeePlugin sim(TEE_SNP_PLUGIN, R"({"mode":"simulate"})");
    uint8_t rd[64] = {1, 2, 3};
    Bytes ev;
    std::string format;
    ASSERT_TRUE(sim.get_evidence(rd, ev, format).ok());
    ev[0x50] ^= 1;
    auto r = sim.verify(ev, format, nullptr, R"({"allow_simulated":true})");
    EXPECT_EQ(r.message, "SNP report signature does not verify with the VCEK");
}

TEST(SimulatedTdx, FlippedReportDataBreaksSignature) {
    TeePlugin sim(TEE_TDX_PLUGIN, R"({"mode":"simulate"})");
    uint8_t rd[64] = {1, 2, 3};
    Bytes ev;
    std::string format;
    ASSERT_TRUE(sim.get_evidence(rd, ev, format).ok());
    ev[48 + 520] ^= 1;
    auto r = sim.verify(ev, format, nullptr, R"({"allow_simulated":true})");
    EXPECT_EQ(r.message, "TDX quote signature does not verify with the attestation key");
}

TEST(Probe, SimulateAndVerifyModesAlwaysLoad) {
    std::string reason;
    EXPECT_EQ(TeePlugin::probe(TEE_SNP_PLUGIN, R"({"mode":"simulate"})", reason), 1u);
    EXPECT_EQ(TeePlugin::probe(TEE_TDX_PLUGIN, R"({"mode":"verify"})", reason), 1u);
    EXPECT_EQ(TeePlugin::probe(TEE_TDX_PLUGIN, R"({"mode":"bogus"})", reason), 0u);
    EXPECT_NE(reason.find("mode"), std::string::npos) << reason;
}

}  // namespace
