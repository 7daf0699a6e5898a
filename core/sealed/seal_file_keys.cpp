#include "sealed/seal_file_keys.h"

namespace veil {

SealFileKeys::SealFileKeys(const SealKey& key, const std::array<uint8_t, kSealSaltBytes>& salt)
    : buf_(2 * kGcmKeyBytes) {
    hkdf_sha256(key.bytes(), kSealKeyBytes, salt.data(), salt.size(), "veil-seal/v1/chunk-key", buf_.data(), kGcmKeyBytes);
    hkdf_sha256(key.bytes(), kSealKeyBytes, salt.data(), salt.size(), "veil-seal/v1/header-mac", buf_.data() + kGcmKeyBytes,
                kGcmKeyBytes);
}

std::array<uint8_t, kSha256Bytes> seal_header_mac(const SealFileKeys& keys, const uint8_t* fixed_header,
                                                  const uint8_t* gguf_region, size_t gguf_region_size) {
    std::array<uint8_t, kSha256Bytes> mac{};
    HmacSha256(keys.header_key(), kGcmKeyBytes)
        .update(fixed_header, kSealMacOffset)
        .update(gguf_region, gguf_region_size)
        .final(mac.data());
    return mac;
}

std::array<uint8_t, kSha256Bytes> seal_header_hash(const uint8_t* fixed_header, const uint8_t* gguf_region,
                                                   size_t gguf_region_size) {
    std::array<uint8_t, kSha256Bytes> h{};
    Sha256().update(fixed_header, kSealHeaderBytes).update(gguf_region, gguf_region_size).final(h.data());
    return h;
}

}  // namespace veil
