// ECDSA with the raw (r, s) encodings TEE evidence uses, converted to/from the DER signatures
// OpenSSL's EVP_DigestVerify/Sign expect; and key helpers for the simulators.
#pragma once

#include "veil/tee_common/ossl.hpp"

namespace veil::tee {

// Curve names as OpenSSL knows them.
inline constexpr const char* kP256 = "prime256v1";
inline constexpr const char* kP384 = "secp384r1";

// Public key from an uncompressed point given as x||y (no 0x04 prefix).
PkeyPtr ec_public_from_xy(const char* curve, ByteView xy);
// x||y of an EC key, each coordinate `coord` bytes.
Bytes ec_public_xy(EVP_PKEY* key, size_t coord);
// True when `key` is an EC key on `curve`.
bool is_ec_on(EVP_PKEY* key, const char* curve);

// Verifies a signature given as big-endian r and s over `msg` hashed with `md`.
bool ecdsa_verify_rs(EVP_PKEY* key, const EVP_MD* md, ByteView msg, ByteView r_be, ByteView s_be);
// Signs and returns r||s, each left-padded to `coord` bytes, big-endian.
Bytes ecdsa_sign_rs(EVP_PKEY* key, const EVP_MD* md, ByteView msg, size_t coord);

PkeyPtr generate_ec(const char* curve);
PkeyPtr generate_rsa(unsigned bits);

}  // namespace veil::tee
