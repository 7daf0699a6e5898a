#include "sealed/seal_crypto.h"

#include <algorithm>
#include <climits>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "sealed/seal_error.h"

namespace veil {

namespace {

[[noreturn]] void openssl_fail(const char* what) {
    unsigned long e = ERR_get_error();
    char buf[256] = "no details";
    if (e) ERR_error_string_n(e, buf, sizeof buf);
    ERR_clear_error();
    throw SealError(std::string("OpenSSL: ") + what + " failed: " + buf);
}

// GCM's EVP interface takes int lengths; chunks are bounded far below INT_MAX (seal_format.h),
// but a direct caller could pass more, so feed large buffers in pieces.
constexpr size_t kMaxStep = 1u << 30;

}  // namespace

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
    if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr) != 1) openssl_fail("SHA-256 init");
}

Sha256& Sha256::update(const void* data, size_t size) {
    if (size && EVP_DigestUpdate(ctx_.get(), data, size) != 1) openssl_fail("SHA-256 update");
    return *this;
}

void Sha256::final(uint8_t out[kSha256Bytes]) {
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(ctx_.get(), out, &len) != 1 || len != kSha256Bytes) openssl_fail("SHA-256 final");
}

HmacSha256::HmacSha256(const uint8_t* key, size_t key_size) {
    EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (!mac) openssl_fail("HMAC fetch");
    ctx_.reset(EVP_MAC_CTX_new(mac));
    EVP_MAC_free(mac);  // the context holds its own reference
    if (!ctx_) openssl_fail("HMAC context");
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0), OSSL_PARAM_construct_end()};
    if (EVP_MAC_init(ctx_.get(), key, key_size, params) != 1) openssl_fail("HMAC init");
}

HmacSha256& HmacSha256::update(const void* data, size_t size) {
    if (size && EVP_MAC_update(ctx_.get(), static_cast<const unsigned char*>(data), size) != 1) openssl_fail("HMAC update");
    return *this;
}

void HmacSha256::final(uint8_t out[kSha256Bytes]) {
    size_t len = 0;
    if (EVP_MAC_final(ctx_.get(), out, &len, kSha256Bytes) != 1 || len != kSha256Bytes) openssl_fail("HMAC final");
}

void hkdf_sha256(const uint8_t* ikm, size_t ikm_size, const uint8_t* salt, size_t salt_size, std::string_view info,
                 uint8_t* out, size_t out_size) {
    EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
    if (!kdf) openssl_fail("HKDF fetch");
    EVP_KDF_CTX* ctx = EVP_KDF_CTX_new(kdf);
    EVP_KDF_free(kdf);
    if (!ctx) openssl_fail("HKDF context");
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<uint8_t*>(ikm), ikm_size),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<uint8_t*>(salt), salt_size),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, const_cast<char*>(info.data()), info.size()),
        OSSL_PARAM_construct_end()};
    int ok = EVP_KDF_derive(ctx, out, out_size, params);
    EVP_KDF_CTX_free(ctx);
    if (ok != 1) openssl_fail("HKDF derive");
}

bool equal_ct(const void* a, const void* b, size_t size) noexcept { return CRYPTO_memcmp(a, b, size) == 0; }

GcmCipher::GcmCipher() : ctx_(EVP_CIPHER_CTX_new()) {
    if (!ctx_) openssl_fail("AES-GCM context");
}

void GcmCipher::encrypt(const uint8_t key[kGcmKeyBytes], const uint8_t nonce[kGcmNonceBytes], const uint8_t* aad,
                        size_t aad_size, const uint8_t* in, size_t size, uint8_t* out, uint8_t tag[kGcmTagBytes]) {
    EVP_CIPHER_CTX* c = ctx_.get();
    int len = 0;
    // 12-byte nonces are GCM's default IV length, so no SET_IVLEN call is needed.
    if (EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), nullptr, key, nonce) != 1) openssl_fail("AES-GCM encrypt init");
    if (aad_size && EVP_EncryptUpdate(c, nullptr, &len, aad, static_cast<int>(aad_size)) != 1) openssl_fail("AES-GCM AAD");
    for (size_t done = 0; done < size;) {
        size_t step = std::min(size - done, kMaxStep);
        if (EVP_EncryptUpdate(c, out + done, &len, in + done, static_cast<int>(step)) != 1) openssl_fail("AES-GCM encrypt");
        done += step;
    }
    if (EVP_EncryptFinal_ex(c, out + size, &len) != 1) openssl_fail("AES-GCM encrypt final");
    if (EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, static_cast<int>(kGcmTagBytes), tag) != 1) openssl_fail("AES-GCM tag");
}

bool GcmCipher::decrypt(const uint8_t key[kGcmKeyBytes], const uint8_t nonce[kGcmNonceBytes], const uint8_t* aad,
                        size_t aad_size, const uint8_t* in, size_t size, uint8_t* out, const uint8_t tag[kGcmTagBytes]) {
    EVP_CIPHER_CTX* c = ctx_.get();
    int len = 0;
    if (EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), nullptr, key, nonce) != 1) openssl_fail("AES-GCM decrypt init");
    if (aad_size && EVP_DecryptUpdate(c, nullptr, &len, aad, static_cast<int>(aad_size)) != 1) openssl_fail("AES-GCM AAD");
    for (size_t done = 0; done < size;) {
        size_t step = std::min(size - done, kMaxStep);
        if (EVP_DecryptUpdate(c, out + done, &len, in + done, static_cast<int>(step)) != 1) openssl_fail("AES-GCM decrypt");
        done += step;
    }
    if (EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, static_cast<int>(kGcmTagBytes), const_cast<uint8_t*>(tag)) != 1)
        openssl_fail("AES-GCM set tag");
    bool ok = EVP_DecryptFinal_ex(c, out + size, &len) == 1;
    ERR_clear_error();  // a failed tag check leaves nothing useful on the error queue
    return ok;
}

}  // namespace veil
