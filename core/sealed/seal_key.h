// A 256-bit model-sealing key held in locked, zeroized memory (SecureBuffer), and the ways to get
// one: generated, from a key file (32 raw bytes or 64 hex characters, optional trailing newline)
// or from an environment variable holding the hex form.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "sealed/secure_buffer.h"

namespace veil {

constexpr size_t kSealKeyBytes = 32;
constexpr size_t kKeyIdBytes = 16;

class SealKey {
public:
    // 32 bytes from OpenSSL's CSPRNG (RAND_bytes).
    static SealKey generate();
    // Exactly kSealKeyBytes bytes; throws SealError otherwise.
    static SealKey from_bytes(const uint8_t* data, size_t size);
    // 64 hex digits, optionally followed by "\n" or "\r\n"; `source` names the origin in messages.
    static SealKey from_hex(std::string_view text, const std::string& source);
    // A key file in either form. Anything else is refused with a message saying what was found.
    static SealKey from_file(const std::string& path);
    // The hex form from environment variable `name`.
    static SealKey from_env(const std::string& name);

    const uint8_t* bytes() const noexcept { return buf_->data(); }
    // A public fingerprint: HMAC-SHA256(key, "veil-seal/v1/key-id") truncated to 16 bytes. Lets a
    // file name the key it needs without revealing anything about the key itself.
    std::array<uint8_t, kKeyIdBytes> id() const;
    std::string id_hex() const;
    // 64 lowercase hex digits (keygen --hex); the caller should not keep the string around.
    std::string to_hex() const;

private:
    SealKey();
    std::unique_ptr<SecureBuffer> buf_;
};

}  // namespace veil
