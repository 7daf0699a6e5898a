// RAII ownership for the OpenSSL 3 objects the TEE plugins use, plus digests and time parsing.
// Everything stays on EVP / X509 APIs (no deprecated low-level RSA/EC calls).
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <ctime>
#include <memory>
#include <string>

#include "veil/tee_common/bytes.hpp"

namespace veil::tee {

struct OsslFree {
    void operator()(X509* p) const { X509_free(p); }
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
    void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
    void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
    void operator()(X509_STORE* p) const { X509_STORE_free(p); }
    void operator()(X509_STORE_CTX* p) const { X509_STORE_CTX_free(p); }
    void operator()(STACK_OF(X509) * p) const { sk_X509_free(p); }
    void operator()(BIGNUM* p) const { BN_free(p); }
    void operator()(ECDSA_SIG* p) const { ECDSA_SIG_free(p); }
    void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
    void operator()(ASN1_OBJECT* p) const { ASN1_OBJECT_free(p); }
    void operator()(ASN1_OCTET_STRING* p) const { ASN1_OCTET_STRING_free(p); }
};
using X509Ptr = std::unique_ptr<X509, OsslFree>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, OsslFree>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, OsslFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, OsslFree>;

// The most recent OpenSSL error as text (and clears the queue), for error messages.
std::string ossl_error();

Bytes sha256(ByteView data);
Bytes sha384(ByteView data);

// Random bytes from OpenSSL's DRBG.
Bytes random_bytes(size_t n);

// RFC 3339 / ISO 8601 UTC-offset time ("2025-06-01T00:00:00Z", "...+02:00", fractional seconds
// ignored) to a Unix time; throws invalid() naming the text otherwise.
time_t parse_rfc3339(const std::string& text);
std::string format_rfc3339(time_t t);

}  // namespace veil::tee
