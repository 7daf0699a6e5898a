// The two keys one sealed file actually uses, derived from the user's key and the file's random
// salt with HKDF-SHA256. Deriving per file means a key can seal any number of models without two
// chunks ever sharing a (key, nonce) pair, and a chunk moved between files cannot authenticate.
#pragma once

#include <array>
#include <cstdint>

#include "sealed/seal_format.h"
#include "sealed/seal_key.h"
#include "sealed/secure_buffer.h"

namespace veil {

class SealFileKeys {
public:
    SealFileKeys(const SealKey& key, const std::array<uint8_t, kSealSaltBytes>& salt);

    // AES-256-GCM key of the data chunks: HKDF(key, salt, "veil-seal/v1/chunk-key").
    const uint8_t* chunk_key() const noexcept { return buf_.data(); }
    // HMAC-SHA256 key of the header: HKDF(key, salt, "veil-seal/v1/header-mac").
    const uint8_t* header_key() const noexcept { return buf_.data() + kGcmKeyBytes; }

private:
    SecureBuffer buf_;
};

// header_mac: HMAC-SHA256(header_key, fixed header bytes [0, 128) ‖ GGUF header region).
std::array<uint8_t, kSha256Bytes> seal_header_mac(const SealFileKeys& keys, const uint8_t* fixed_header,
                                                  const uint8_t* gguf_region, size_t gguf_region_size);

// header_hash: SHA-256(fixed header bytes [0, 160) ‖ GGUF header region), bound into every chunk's AAD.
std::array<uint8_t, kSha256Bytes> seal_header_hash(const uint8_t* fixed_header, const uint8_t* gguf_region,
                                                   size_t gguf_region_size);

}  // namespace veil
