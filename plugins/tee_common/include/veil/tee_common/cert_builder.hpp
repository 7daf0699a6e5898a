// Builds X.509 certificates for the simulated chains (throw-away roots, intermediates and leaf
// keys generated at plugin create time). Never used on the real verification path.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "veil/tee_common/ossl.hpp"

namespace veil::tee {

enum class CertSig { EcdsaSha256, EcdsaSha384, RsaPssSha384 };

struct CertSpec {
    std::string common_name;
    std::string organization = "Veil simulation (NOT a hardware root of trust)";
    EVP_PKEY* subject_key = nullptr;  // public part goes into the certificate
    X509* issuer = nullptr;           // nullptr = self-signed
    EVP_PKEY* issuer_key = nullptr;   // signs; for self-signed, the subject's private key
    bool ca = false;
    long serial = 1;
    time_t not_before = 0;
    time_t not_after = 0;
    CertSig sig = CertSig::EcdsaSha256;
    // Non-critical vendor extensions: OID and the DER contents of the extension's OCTET STRING.
    std::vector<std::pair<std::string, Bytes>> extensions;
};

X509Ptr build_cert(const CertSpec& spec);

}  // namespace veil::tee
