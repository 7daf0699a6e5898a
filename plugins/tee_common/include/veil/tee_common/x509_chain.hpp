// X.509 helpers: loading certificates, pinning by SHA-256 fingerprint, and chain verification
// through X509_STORE with a fixed verification time (policy "at"), so that a verifier decides
// validity at a reproducible instant instead of the wall clock.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "veil/tee_common/ossl.hpp"

namespace veil::tee {

// nullopt-free loaders: throw invalid("<what> is not a DER certificate") etc.
X509Ptr x509_from_der(ByteView der, const std::string& what);
// Every certificate in a PEM text, in order. Throws invalid() when none parses.
std::vector<X509Ptr> x509_chain_from_pem(std::string_view pem, const std::string& what);
Bytes x509_to_der(X509* cert);
std::string x509_to_pem(X509* cert);

// Lower-case hex SHA-256 over the DER certificate (what `openssl x509 -fingerprint -sha256` shows).
std::string sha256_fingerprint(X509* cert);
std::string common_name(X509* cert);
// Issued by itself and its signature verifies with its own key.
bool self_signed(X509* cert);

// Verifies leaf -> untrusted... -> anchor at `at` (anchor is the only trusted certificate).
// On failure: fail("<what>: <OpenSSL reason> at depth N (<CN>)").
void verify_chain(X509* leaf, const std::vector<X509*>& untrusted, X509* anchor, time_t at,
                  const std::string& what);

// Contents of the extension's OCTET STRING (the DER value the vendor put there), if present.
std::optional<Bytes> extension_value(X509* cert, const std::string& oid);

}  // namespace veil::tee
