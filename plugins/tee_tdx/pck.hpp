// The PCK certificate chain inside a quote (PEM: PCK leaf, PCK Platform/Processor CA, Intel SGX
// Root CA). Real quotes must end in Intel's root, pinned by the SHA-256 fingerprint of its
// certificate; simulated quotes end in the throw-away root they carry.
#pragma once

#include <string>
#include <vector>

#include "veil/tee_common/ossl.hpp"

namespace veil::tee::tdx {

// SHA-256 of the Intel SGX Root CA certificate (CN=Intel SGX Root CA, valid 2018-2049).
inline constexpr const char* kIntelSgxRootFingerprint =
    "44a0196b2b99f889b8e149e95b807a350e7424964399e885a7cbb8ccfab674d3";

inline constexpr const char* kOidSgxExtensions = "1.2.840.113741.1.13.1";
inline constexpr const char* kOidSgxFmspc = "1.2.840.113741.1.13.1.4";
inline constexpr const char* kOidSgxPceId = "1.2.840.113741.1.13.1.3";

struct PckChain {
    std::vector<X509Ptr> certs;  // leaf first, root last
    X509* leaf() const { return certs.front().get(); }
};

// Parses the PEM chain, checks the root (pinned unless `simulated`) and verifies the chain at
// `at`. Fails "PCK chain root is not the pinned Intel SGX Root CA" / "PCK certificate chain does
// not verify ...".
PckChain verify_pck_chain(std::string_view pem, time_t at, bool simulated);

struct SgxExtensions {
    Bytes fmspc;  // 6 bytes, empty if absent
    Bytes pceid;  // 2 bytes, empty if absent
};
SgxExtensions sgx_extensions(X509* pck);
// DER contents for a PCK's SGX extension (simulation).
Bytes build_sgx_extension(ByteView fmspc, ByteView pceid);

}  // namespace veil::tee::tdx
