#include <gtest/gtest.h>

#include <Poco/JSON/Parser.h>

#include <sstream>

#include "attest/evidence_bundle.h"

namespace veil {
namespace {

Poco::JSON::Object::Ptr claims(const std::string& nonce) {
    Poco::JSON::Object::Ptr c = new Poco::JSON::Object;
    c->set("nonce", nonce);
    c->set("config_sha256", std::string(64, 'a'));
    return c;
}

TEST(EvidenceBundle, RoundTripsThroughJson) {
    EvidenceBundle b;
    b.format = "sev-snp/simulated";
    b.evidence = {0, 1, 2, 250, 255};
    b.claims = claims("0011");
    b.report_data = report_data_for(b.claims);
    std::string json = b.to_json();
    ASSERT_TRUE(EvidenceBundle::looks_like_bundle(json));
    EvidenceBundle back = EvidenceBundle::parse(json);
    EXPECT_EQ(back.format, b.format);
    EXPECT_EQ(back.evidence, b.evidence);
    EXPECT_EQ(back.report_data, b.report_data);
    EXPECT_EQ(report_data_for(back.claims), b.report_data);
}

TEST(EvidenceBundle, ReportDataIsSha512OfTheCanonicalClaims) {
    // SHA-512 of {"config_sha256":"aaa…","nonce":"0011"} — any change to the claims changes it.
    EXPECT_NE(report_data_for(claims("0011")), report_data_for(claims("0012")));
    Poco::JSON::Object::Ptr reordered = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    reordered->set("config_sha256", std::string(64, 'a'));
    reordered->set("nonce", "0011");
    EXPECT_EQ(report_data_for(reordered), report_data_for(claims("0011")));
}

TEST(EvidenceBundle, MalformedBundlesNameTheField) {
    EXPECT_THROW(EvidenceBundle::parse("{"), std::invalid_argument);
    try {
        EvidenceBundle::parse(R"({"veil_bundle":1,"format":"x","evidence":"AA==","claims":{},"report_data":"00"})");
        FAIL();
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("report_data must be 64 bytes"), std::string::npos) << e.what();
    }
    try {
        EvidenceBundle::parse(R"({"veil_bundle":1,"evidence":"AA==","claims":{}})");
        FAIL();
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("\"format\" is missing"), std::string::npos) << e.what();
    }
}

// The message parse throws for `json`, or "" when it parses.
std::string parse_error(const std::string& json) {
    try {
        EvidenceBundle::parse(json);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "";
}

TEST(EvidenceBundle, VersionMustBeTheInteger1) {
    const std::string rest = R"("format":"x","evidence":"AA==","claims":{},"report_data":"00"})";
    for (const std::string v : {"null", "\"1\"", "2", "1.5", "{}"})
        EXPECT_NE(parse_error(R"({"veil_bundle":)" + v + "," + rest).find("unsupported or missing \"veil_bundle\" version"),
                  std::string::npos)
            << v << ": " << parse_error(R"({"veil_bundle":)" + v + "," + rest);
}

TEST(EvidenceBundle, UnknownFieldsAreNamed) {
    // Fields outside the claims are not covered by report_data: a bundle carrying one (here a
    // reassuring but unsigned "simulated": false) is refused, not passed on.
    EvidenceBundle b;
    b.format = "sev-snp-report";
    b.evidence = {1, 2, 3};
    b.claims = claims("0011");
    b.report_data = report_data_for(b.claims);
    Poco::JSON::Object::Ptr o = Poco::JSON::Parser().parse(b.to_json()).extract<Poco::JSON::Object::Ptr>();
    o->set("simulated", false);
    std::ostringstream json;
    o->stringify(json);
    EXPECT_EQ(parse_error(json.str()),
              "evidence bundle: unknown field \"simulated\" (a version 1 bundle has veil_bundle, format, evidence, "
              "claims and report_data)");
    o->remove("simulated");
    std::ostringstream clean;
    o->stringify(clean);
    EXPECT_EQ(parse_error(clean.str()), "");
}

TEST(EvidenceBundle, EvidenceOutsideTheBase64AlphabetIsNamed) {
    for (const std::string evidence : {"!!!", "AAAA!", "\u00e9"})
        EXPECT_EQ(parse_error(R"({"veil_bundle":1,"format":"x","evidence":")" + evidence +
                              R"(","claims":{},"report_data":"00"})"),
                  "evidence bundle: \"evidence\" is not valid base64")
            << evidence;
}

TEST(Hex, DecodesAndRefusesGarbage) {
    EXPECT_EQ(hex_decode("00ff10", "x"), (std::vector<uint8_t>{0, 255, 16}));
    EXPECT_THROW(hex_decode("0", "x"), std::invalid_argument);
    EXPECT_THROW(hex_decode("zz", "x"), std::invalid_argument);
}

}  // namespace
}  // namespace veil
