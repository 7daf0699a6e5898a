// The cryptographic primitives of the sealed format, all through OpenSSL 3 EVP: SHA-256,
// HMAC-SHA256, HKDF-SHA256 and AES-256-GCM. Each object owns its EVP context, so one object per
// thread (or per call) makes concurrent use safe without locks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include <openssl/evp.h>

namespace veil {

constexpr size_t kSha256Bytes = 32;
constexpr size_t kGcmKeyBytes = 32;
constexpr size_t kGcmNonceBytes = 12;
constexpr size_t kGcmTagBytes = 16;

class Sha256 {
public:
    Sha256();
    Sha256& update(const void* data, size_t size);
    void final(uint8_t out[kSha256Bytes]);  // the object may not be updated afterwards

private:
    struct Free {
        void operator()(EVP_MD_CTX* c) const noexcept { EVP_MD_CTX_free(c); }
    };
    std::unique_ptr<EVP_MD_CTX, Free> ctx_;
};

class HmacSha256 {
public:
    HmacSha256(const uint8_t* key, size_t key_size);
    HmacSha256& update(const void* data, size_t size);
    void final(uint8_t out[kSha256Bytes]);

private:
    struct Free {
        void operator()(EVP_MAC_CTX* c) const noexcept { EVP_MAC_CTX_free(c); }
    };
    std::unique_ptr<EVP_MAC_CTX, Free> ctx_;
};

// RFC 5869 extract-and-expand; `out_size` bytes of output keying material.
void hkdf_sha256(const uint8_t* ikm, size_t ikm_size, const uint8_t* salt, size_t salt_size, std::string_view info,
                 uint8_t* out, size_t out_size);

// Constant-time comparison (CRYPTO_memcmp), for tags and MACs.
bool equal_ct(const void* a, const void* b, size_t size) noexcept;

// AES-256-GCM over one buffer. `in` and `out` may be the same buffer (in-place).
class GcmCipher {
public:
    GcmCipher();
    void encrypt(const uint8_t key[kGcmKeyBytes], const uint8_t nonce[kGcmNonceBytes], const uint8_t* aad,
                 size_t aad_size, const uint8_t* in, size_t size, uint8_t* out, uint8_t tag[kGcmTagBytes]);
    // False when the tag does not match; `out` then holds unauthenticated bytes the caller must wipe.
    [[nodiscard]] bool decrypt(const uint8_t key[kGcmKeyBytes], const uint8_t nonce[kGcmNonceBytes],
                               const uint8_t* aad, size_t aad_size, const uint8_t* in, size_t size, uint8_t* out,
                               const uint8_t tag[kGcmTagBytes]);

private:
    struct Free {
        void operator()(EVP_CIPHER_CTX* c) const noexcept { EVP_CIPHER_CTX_free(c); }
    };
    std::unique_ptr<EVP_CIPHER_CTX, Free> ctx_;
};

}  // namespace veil
