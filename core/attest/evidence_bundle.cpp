#include "attest/evidence_bundle.h"

#include <algorithm>
#include <cctype>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <string_view>

#include <Poco/Base64Decoder.h>
#include <Poco/Base64Encoder.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <openssl/evp.h>

#include "attest/canonical_json.h"
#include "util/sha256.h"

namespace veil {
namespace {

// Every field of a version 1 bundle (evidence_bundle.h).
constexpr std::string_view kFields[] = {"veil_bundle", "format", "evidence", "claims", "report_data"};

}  // namespace

std::string hex_encode(const uint8_t* data, size_t size) { return to_hex(data, size); }

std::vector<uint8_t> hex_decode(const std::string& hex, const std::string& what) {
    if (hex.size() % 2 != 0) throw std::invalid_argument(what + ": odd number of hex digits");
    std::vector<uint8_t> out(hex.size() / 2);
    auto nibble = [&](char c) -> uint8_t {
        if (c >= '0' && c <= '9') return static_cast<uint8_t>(c - '0');
        if (c >= 'a' && c <= 'f') return static_cast<uint8_t>(c - 'a' + 10);
        if (c >= 'A' && c <= 'F') return static_cast<uint8_t>(c - 'A' + 10);
        throw std::invalid_argument(what + ": '" + std::string(1, c) + "' is not a hex digit");
    };
    for (size_t i = 0; i < out.size(); ++i)
        out[i] = static_cast<uint8_t>(nibble(hex[2 * i]) << 4 | nibble(hex[2 * i + 1]));
    return out;
}

ReportData report_data_for(const Poco::JSON::Object::Ptr& claims) {
    const std::string canonical = canonical_json(claims);
    ReportData rd{};
    unsigned int len = 0;
    if (EVP_Digest(canonical.data(), canonical.size(), rd.data(), &len, EVP_sha512(), nullptr) != 1 || len != rd.size())
        throw std::runtime_error("OpenSSL: SHA-512 failed");
    return rd;
}

std::string EvidenceBundle::to_json() const {
    std::ostringstream b64;
    {
        Poco::Base64Encoder enc(b64);
        enc.rdbuf()->setLineLength(0);
        enc.write(reinterpret_cast<const char*>(evidence.data()), static_cast<std::streamsize>(evidence.size()));
        enc.close();
    }
    Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
    o.set("veil_bundle", 1);
    o.set("format", format);
    o.set("evidence", b64.str());
    o.set("claims", claims);
    o.set("report_data", hex_encode(report_data.data(), report_data.size()));
    std::ostringstream out;
    Poco::JSON::Stringifier::stringify(o, out, 2);
    return out.str();
}

bool EvidenceBundle::looks_like_bundle(const std::string& text) {
    size_t i = 0;
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    return i < text.size() && text[i] == '{' && text.find("\"veil_bundle\"") != std::string::npos;
}

EvidenceBundle EvidenceBundle::parse(const std::string& json) {
    Poco::JSON::Object::Ptr o;
    try {
        o = Poco::JSON::Parser().parse(json).extract<Poco::JSON::Object::Ptr>();
    } catch (const Poco::BadCastException&) {
        throw std::invalid_argument("evidence bundle must be a JSON object");
    } catch (const Poco::Exception& e) {
        throw std::invalid_argument("evidence bundle is not valid JSON: " + e.displayText());
    }
    auto need_string = [&](const char* key) {
        if (!o->has(key) || !o->get(key).isString())
            throw std::invalid_argument(std::string("evidence bundle: \"") + key + "\" is missing or not a string");
        return o->getValue<std::string>(key);
    };
    const Poco::Dynamic::Var version = o->get("veil_bundle");  // empty when missing
    if (!version.isInteger() || version.convert<int64_t>() != 1)
        throw std::invalid_argument("evidence bundle: unsupported or missing \"veil_bundle\" version (expected 1)");
    // Only the claims are bound to the evidence (report_data); a field a verifier skipped would
    // travel with a verified bundle unchecked, read by whoever opens it as if it were attested.
    for (const std::string& key : o->getNames())
        if (std::find(std::begin(kFields), std::end(kFields), key) == std::end(kFields))
            throw std::invalid_argument("evidence bundle: unknown field \"" + key +
                                        "\" (a version 1 bundle has veil_bundle, format, evidence, claims and report_data)");
    EvidenceBundle b;
    b.format = need_string("format");
    std::istringstream in(need_string("evidence"));
    std::string raw;
    try {
        Poco::Base64Decoder dec(in);
        raw.assign(std::istreambuf_iterator<char>(dec), std::istreambuf_iterator<char>());
    } catch (const Poco::DataFormatException&) {
        in.setstate(std::ios::failbit);  // a character outside the base64 alphabet
    }
    if (!in.eof() && in.fail()) throw std::invalid_argument("evidence bundle: \"evidence\" is not valid base64");
    b.evidence.assign(raw.begin(), raw.end());
    b.claims = o->getObject("claims");
    if (!b.claims) throw std::invalid_argument("evidence bundle: \"claims\" is missing or not an object");
    auto rd = hex_decode(need_string("report_data"), "evidence bundle: report_data");
    if (rd.size() != b.report_data.size())
        throw std::invalid_argument("evidence bundle: report_data must be 64 bytes, got " + std::to_string(rd.size()));
    std::copy(rd.begin(), rd.end(), b.report_data.begin());
    return b;
}

}  // namespace veil
