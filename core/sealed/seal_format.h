// The sealed model file layout (docs/sealed-model-format.md has the byte table):
//
//   fixed header (160 bytes, little-endian) | GGUF header region (plaintext, authenticated)
//   | n_chunks × (ciphertext of up to chunk_size bytes | 16-byte GCM tag)
//
// The GGUF header region is everything of the original file before its data section; the data
// section is cut into chunk_size pieces (the last may be short), each sealed with AES-256-GCM.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "sealed/seal_crypto.h"
#include "sealed/seal_key.h"

namespace veil {

inline constexpr char kSealMagic[8] = {'V', 'E', 'I', 'L', 'S', 'E', 'A', 'L'};
constexpr uint32_t kSealVersion = 1;
constexpr size_t kSealHeaderBytes = 160;  // fixed header, header_mac included
constexpr size_t kSealMacOffset = 128;    // header_mac covers bytes [0, 128) and the GGUF region
constexpr size_t kSealSaltBytes = 32;

constexpr uint32_t kDefaultChunkSize = 1u << 20;
constexpr uint32_t kMinChunkSize = 4096;       // smaller chunks waste space on tags
constexpr uint32_t kMaxChunkSize = 256u << 20;  // bounds the plaintext a single read holds
// The GGUF header region is read whole into memory; large vocabularies are a few MiB.
constexpr uint64_t kMaxGgufHeaderBytes = 1ull << 30;

struct SealHeader {
    uint32_t version = kSealVersion;
    uint32_t header_bytes = kSealHeaderBytes;
    uint32_t chunk_size = kDefaultChunkSize;
    uint32_t flags = 0;            // reserved, must be 0
    uint64_t plaintext_size = 0;   // size of the original GGUF file
    uint64_t gguf_header_len = 0;  // bytes before its data section
    uint64_t n_chunks = 0;
    std::array<uint8_t, kSha256Bytes> plaintext_sha256{};
    std::array<uint8_t, kKeyIdBytes> key_id{};
    std::array<uint8_t, kSealSaltBytes> salt{};
    std::array<uint8_t, kSha256Bytes> header_mac{};

    uint64_t data_size() const noexcept { return plaintext_size - gguf_header_len; }
    // Plaintext bytes in chunk `i` (i < n_chunks).
    uint64_t chunk_plain_len(uint64_t i) const noexcept;
    // Where chunk `i`'s ciphertext starts in the sealed file; its tag follows the ciphertext.
    uint64_t chunk_file_offset(uint64_t i) const noexcept;
    // Exact size of a well-formed sealed file with this header.
    uint64_t sealed_file_size() const noexcept;
};

// Number of chunks a data section of `data_size` bytes needs.
uint64_t seal_chunk_count(uint64_t data_size, uint32_t chunk_size) noexcept;

// Serialises the 160 fixed bytes (header_mac included as it is).
std::array<uint8_t, kSealHeaderBytes> encode_seal_header(const SealHeader& h);

// Parses the fixed bytes: checks magic, version and header size only, because nothing else can be
// trusted before the MAC is checked. Throws SealError naming `name`.
SealHeader decode_seal_header(const uint8_t* bytes, size_t size, const std::string& name);

// Checks the (authenticated) fields against each other: chunk size range, chunk count, flags.
void check_seal_layout(const SealHeader& h, const std::string& name);

// True when `bytes` starts with the sealed magic.
bool has_seal_magic(const uint8_t* bytes, size_t size) noexcept;

// The per-chunk GCM nonce: 4 zero bytes then the chunk index (u64 LE). Unique per chunk under
// the per-file chunk key (see seal_keys.h), which is what GCM requires.
std::array<uint8_t, kGcmNonceBytes> chunk_nonce(uint64_t index) noexcept;

// The per-chunk AAD: header_hash (SHA-256 of the fixed header and the GGUF region) ‖ index (u64 LE).
std::array<uint8_t, kSha256Bytes + 8> chunk_aad(const std::array<uint8_t, kSha256Bytes>& header_hash,
                                                 uint64_t index) noexcept;

}  // namespace veil
