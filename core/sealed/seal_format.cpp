#include "sealed/seal_format.h"

#include <bit>
#include <cstring>

#include "sealed/seal_error.h"

namespace veil {

static_assert(std::endian::native == std::endian::little, "the sealed format code assumes a little-endian host");

namespace {

// Field offsets of the fixed header (keep in sync with docs/sealed-model-format.md).
constexpr size_t kOffVersion = 8, kOffHeaderBytes = 12, kOffChunkSize = 16, kOffFlags = 20, kOffPlainSize = 24,
                 kOffGgufLen = 32, kOffChunks = 40, kOffSha = 48, kOffKeyId = 80, kOffSalt = 96;
static_assert(kOffSalt + kSealSaltBytes == kSealMacOffset);
static_assert(kSealMacOffset + kSha256Bytes == kSealHeaderBytes);

template <class T>
void put(uint8_t* p, size_t off, T v) {
    std::memcpy(p + off, &v, sizeof v);  // little-endian host (asserted above)
}
template <class T>
T get(const uint8_t* p, size_t off) {
    T v;
    std::memcpy(&v, p + off, sizeof v);
    return v;
}

}  // namespace

uint64_t seal_chunk_count(uint64_t data_size, uint32_t chunk_size) noexcept {
    return chunk_size == 0 ? 0 : data_size / chunk_size + (data_size % chunk_size != 0);
}

uint64_t SealHeader::chunk_plain_len(uint64_t i) const noexcept {
    uint64_t start = i * chunk_size;
    uint64_t left = data_size() - start;
    return left < chunk_size ? left : chunk_size;
}

uint64_t SealHeader::chunk_file_offset(uint64_t i) const noexcept {
    return kSealHeaderBytes + gguf_header_len + i * (uint64_t{chunk_size} + kGcmTagBytes);
}

uint64_t SealHeader::sealed_file_size() const noexcept {
    return kSealHeaderBytes + gguf_header_len + data_size() + n_chunks * kGcmTagBytes;
}

std::array<uint8_t, kSealHeaderBytes> encode_seal_header(const SealHeader& h) {
    std::array<uint8_t, kSealHeaderBytes> b{};
    uint8_t* p = b.data();
    std::memcpy(p, kSealMagic, sizeof kSealMagic);
    put(p, kOffVersion, h.version);
    put(p, kOffHeaderBytes, h.header_bytes);
    put(p, kOffChunkSize, h.chunk_size);
    put(p, kOffFlags, h.flags);
    put(p, kOffPlainSize, h.plaintext_size);
    put(p, kOffGgufLen, h.gguf_header_len);
    put(p, kOffChunks, h.n_chunks);
    std::memcpy(p + kOffSha, h.plaintext_sha256.data(), kSha256Bytes);
    std::memcpy(p + kOffKeyId, h.key_id.data(), kKeyIdBytes);
    std::memcpy(p + kOffSalt, h.salt.data(), kSealSaltBytes);
    std::memcpy(p + kSealMacOffset, h.header_mac.data(), kSha256Bytes);
    return b;
}

bool has_seal_magic(const uint8_t* bytes, size_t size) noexcept {
    return size >= sizeof kSealMagic && std::memcmp(bytes, kSealMagic, sizeof kSealMagic) == 0;
}

SealHeader decode_seal_header(const uint8_t* p, size_t size, const std::string& name) {
    if (!has_seal_magic(p, size)) throw SealError(name + ": not a sealed model (magic is not \"VEILSEAL\")");
    if (size < kSealHeaderBytes)
        throw SealError(name + ": truncated: " + std::to_string(size) + " bytes is less than the " +
                        std::to_string(kSealHeaderBytes) + "-byte sealed header");
    SealHeader h;
    h.version = get<uint32_t>(p, kOffVersion);
    if (h.version != kSealVersion)
        throw SealError(name + ": unsupported sealed format version " + std::to_string(h.version) + " (supported: " +
                        std::to_string(kSealVersion) + ")");
    h.header_bytes = get<uint32_t>(p, kOffHeaderBytes);
    if (h.header_bytes != kSealHeaderBytes)
        throw SealError(name + ": header size field is " + std::to_string(h.header_bytes) + ", version 1 requires " +
                        std::to_string(kSealHeaderBytes));
    h.chunk_size = get<uint32_t>(p, kOffChunkSize);
    h.flags = get<uint32_t>(p, kOffFlags);
    h.plaintext_size = get<uint64_t>(p, kOffPlainSize);
    h.gguf_header_len = get<uint64_t>(p, kOffGgufLen);
    h.n_chunks = get<uint64_t>(p, kOffChunks);
    std::memcpy(h.plaintext_sha256.data(), p + kOffSha, kSha256Bytes);
    std::memcpy(h.key_id.data(), p + kOffKeyId, kKeyIdBytes);
    std::memcpy(h.salt.data(), p + kOffSalt, kSealSaltBytes);
    std::memcpy(h.header_mac.data(), p + kSealMacOffset, kSha256Bytes);
    return h;
}

void check_seal_layout(const SealHeader& h, const std::string& name) {
    auto fail = [&](const std::string& what) { throw SealError(name + ": inconsistent sealed header: " + what); };
    if (h.flags != 0) fail("reserved flags are " + std::to_string(h.flags) + ", must be 0");
    if (h.chunk_size < kMinChunkSize || h.chunk_size > kMaxChunkSize)
        fail("chunk size " + std::to_string(h.chunk_size) + " is outside " + std::to_string(kMinChunkSize) + ".." +
             std::to_string(kMaxChunkSize));
    if (h.gguf_header_len > h.plaintext_size)
        fail("GGUF header length " + std::to_string(h.gguf_header_len) + " exceeds the plaintext size " +
             std::to_string(h.plaintext_size));
    if (h.gguf_header_len > kMaxGgufHeaderBytes) fail("GGUF header region larger than 1 GiB");
    if (h.n_chunks != seal_chunk_count(h.data_size(), h.chunk_size))
        fail(std::to_string(h.n_chunks) + " chunks recorded, but " + std::to_string(h.data_size()) + " data bytes in " +
             std::to_string(h.chunk_size) + "-byte chunks need " + std::to_string(seal_chunk_count(h.data_size(), h.chunk_size)));
    // sealed_file_size() must not wrap: plaintext plus one tag per chunk plus the header.
    uint64_t total = 0;
    if (__builtin_add_overflow(h.plaintext_size, h.n_chunks * kGcmTagBytes, &total) ||
        __builtin_add_overflow(total, kSealHeaderBytes, &total) || h.n_chunks > (UINT64_MAX / kGcmTagBytes))
        fail("sizes overflow");
}

std::array<uint8_t, kGcmNonceBytes> chunk_nonce(uint64_t index) noexcept {
    std::array<uint8_t, kGcmNonceBytes> n{};
    std::memcpy(n.data() + 4, &index, sizeof index);
    return n;
}

std::array<uint8_t, kSha256Bytes + 8> chunk_aad(const std::array<uint8_t, kSha256Bytes>& header_hash,
                                                 uint64_t index) noexcept {
    std::array<uint8_t, kSha256Bytes + 8> a{};
    std::memcpy(a.data(), header_hash.data(), kSha256Bytes);
    std::memcpy(a.data() + kSha256Bytes, &index, sizeof index);
    return a;
}

}  // namespace veil
