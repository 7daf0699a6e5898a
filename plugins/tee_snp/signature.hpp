// The report signature: ECDSA P-384 with SHA-384 over bytes 0x000-0x29F, r and s stored as
// 72-byte little-endian integers at 0x2A0 and 0x2E8 (zero-extended beyond the 48 significant
// bytes).
#pragma once

#include <openssl/evp.h>

#include "veil/tee_common/bytes.hpp"

namespace veil::tee::snp {

// Fails "SNP report signature does not verify with the VCEK" (or names the bad key type).
void verify_report_signature(ByteView report, EVP_PKEY* vcek_key);
// Simulation: writes r/s into `report` signed with `key` (P-384 private key).
void sign_report(Bytes& report, EVP_PKEY* key);

}  // namespace veil::tee::snp
