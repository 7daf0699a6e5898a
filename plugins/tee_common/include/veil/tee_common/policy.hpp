// The verifier policy JSON passed to veil_tee_vtable.verify (same for the server self-check and
// `veil attest verify`). Keys are documented in docs/tee.md; unknown keys are refused so a typo
// never silently weakens a policy.
#pragma once

#include <Poco/JSON/Object.h>

#include <array>
#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "veil/tee_common/bytes.hpp"

namespace veil::tee {

struct Policy {
    bool allow_debug = false;      // accept guests/TDs whose DEBUG bit is set
    bool allow_simulated = false;  // accept evidence from a provider in mode "simulate"
    time_t at = 0;                 // certificate validity instant (default: now)
    std::string ca_pem;            // SNP: ASK (or ASVK) + ARK PEM when not in the evidence
    Bytes vcek_der;                // SNP: VCEK/VLEK DER (policy carries it base64)
    Poco::JSON::Object::Ptr min_tcb;            // SNP: {bootloader,tee,snp,microcode,fmc}
    std::optional<Bytes> min_tee_tcb_svn;       // TDX: 16 bytes, compared component-wise
    std::vector<Bytes> allowed_measurements;    // SNP MEASUREMENT allowlist (empty = any)
    std::optional<uint32_t> vmpl;               // SNP: required VMPL
    std::vector<Bytes> allowed_mrtd;            // TDX MRTD allowlist (empty = any)
    std::array<std::vector<Bytes>, 4> allowed_rtmr;  // TDX per-RTMR allowlists (empty = any)
};

// Parses the policy JSON; throws Error(VEIL_ERR_INVALID_ARGUMENT) naming the bad key.
Policy parse_policy(const std::string& json);

// Parses a JSON object text (used for plugin configs too); "{}" for empty input.
Poco::JSON::Object::Ptr parse_object(const std::string& json, const char* what);

}  // namespace veil::tee
