// Veil's evidence bundle: TEE evidence plus the claims document it binds.
//
//   {"veil_bundle":1, "format":"<evidence format id>", "evidence":"<base64>",
//    "claims":{...}, "report_data":"<128 hex>"}
//
// report_data = SHA-512(canonical_json(claims)), so the hardware report signs the claims: the
// client's nonce, the model's hash, the loaded plugins' hashes, the config hash.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <Poco/JSON/Object.h>

namespace veil {

using ReportData = std::array<uint8_t, 64>;

// SHA-512 of the canonical form of `claims`.
ReportData report_data_for(const Poco::JSON::Object::Ptr& claims);

struct EvidenceBundle {
    std::string format;
    std::vector<uint8_t> evidence;
    Poco::JSON::Object::Ptr claims;
    ReportData report_data{};

    std::string to_json() const;
    // Throws std::invalid_argument naming the missing, malformed or unknown field.
    static EvidenceBundle parse(const std::string& json);
    // True when the text looks like a bundle (a JSON object with "veil_bundle").
    static bool looks_like_bundle(const std::string& text);
};

std::string hex_encode(const uint8_t* data, size_t size);
// Throws std::invalid_argument naming `what` for odd length or non-hex characters.
std::vector<uint8_t> hex_decode(const std::string& hex, const std::string& what);

}  // namespace veil
