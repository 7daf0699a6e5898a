// End-to-end verification of SEV-SNP evidence: format -> report -> certificates -> chain ->
// signature -> report_data binding -> VCEK TCB -> policy. Returns the claims JSON.
#pragma once

#include <string>

#include "veil/tee_common/bytes.hpp"
#include "veil/tee_common/policy.hpp"

namespace veil::tee::snp {

// Evidence format ids (docs/tee.md):
//   kFormatRaw:       exactly the 1184-byte report; VCEK from policy vcek_der, ASK+ARK from ca_pem
//   kFormatWithCerts: report (1184 bytes) immediately followed by the GHCB certificate table
//                     (possibly empty = absent); what get_evidence returns on hardware
//   kFormatSimulated: same layout as kFormatWithCerts, signed by a throw-away chain
inline constexpr const char* kFormatRaw = "sev-snp-report";
inline constexpr const char* kFormatWithCerts = "sev-snp-report+certs/v1";
inline constexpr const char* kFormatSimulated = "sev-snp/simulated";

std::string verify_evidence(ByteView evidence, const std::string& format, const uint8_t* expected_report_data,
                            const Policy& policy);

}  // namespace veil::tee::snp
