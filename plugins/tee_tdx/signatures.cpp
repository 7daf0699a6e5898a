#include "signatures.hpp"

#include <algorithm>

#include "veil/tee_common/ecdsa.hpp"

namespace veil::tee::tdx {

void verify_qe_report_signature(const Quote& q, X509* pck_leaf) {
    EVP_PKEY* key = X509_get0_pubkey(pck_leaf);
    if (!is_ec_on(key, kP256)) fail("PCK certificate key is not EC P-256");
    if (!ecdsa_verify_rs(key, EVP_sha256(), q.qe_report, q.qe_report_signature.subspan(0, 32),
                         q.qe_report_signature.subspan(32, 32)))
        fail("QE report signature does not verify with the PCK certificate");
}

void verify_qe_binding(const Quote& q) {
    Bytes material(q.attestation_key.begin(), q.attestation_key.end());
    material.insert(material.end(), q.qe_auth_data.begin(), q.qe_auth_data.end());
    Bytes digest = sha256(material);
    ByteView rd = q.qe_report.subspan(kQeReportDataOffset, 64);
    if (!std::equal(digest.begin(), digest.end(), rd.begin()) || !all_zero(rd.subspan(32)))
        fail("QE report data does not bind the attestation key");
}

void verify_quote_signature(const Quote& q) {
    PkeyPtr ak = ec_public_from_xy(kP256, q.attestation_key);
    if (!ak) fail("TDX attestation key is not a valid P-256 point");
    if (!ecdsa_verify_rs(ak.get(), EVP_sha256(), q.signed_part, q.signature.subspan(0, 32), q.signature.subspan(32, 32)))
        fail("TDX quote signature does not verify with the attestation key");
}

}  // namespace veil::tee::tdx
