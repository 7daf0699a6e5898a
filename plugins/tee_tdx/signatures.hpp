// The three signature-level checks of a quote, in the order that makes each failure precise:
//  1. the QE report is signed by the PCK leaf (ECDSA P-256/SHA-256, r||s big-endian);
//  2. the QE report binds the attestation key: report_data[0:32] == SHA-256(key || QE auth
//     data) and report_data[32:64] == 0 — this is what ties the quote signer to Intel's QE and
//     is never skipped;
//  3. header+body are signed by that attestation key.
#pragma once

#include <openssl/x509.h>

#include "quote.hpp"

namespace veil::tee::tdx {

void verify_qe_report_signature(const Quote& q, X509* pck_leaf);
void verify_qe_binding(const Quote& q);
void verify_quote_signature(const Quote& q);

}  // namespace veil::tee::tdx
