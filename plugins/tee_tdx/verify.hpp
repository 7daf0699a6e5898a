// End-to-end verification of a TDX quote: parse -> PCK chain (pinned Intel root, fixed time) ->
// QE report signature -> QE binding of the attestation key -> quote signature -> report_data ->
// policy (DEBUG, MRTD/RTMR allowlists, minimum TEE TCB SVN). Returns the claims JSON.
//
// Not checked here (needs Intel PCS collateral, documented in docs/tee.md): TCB level status
// from TCB info, QE identity, CRLs.
#pragma once

#include <string>

#include "veil/tee_common/bytes.hpp"
#include "veil/tee_common/policy.hpp"

namespace veil::tee::tdx {

inline constexpr const char* kFormatQuote = "tdx-quote";
inline constexpr const char* kFormatSimulated = "tdx-quote/simulated";

std::string verify_evidence(ByteView evidence, const std::string& format, const uint8_t* expected_report_data,
                            const Policy& policy);

}  // namespace veil::tee::tdx
