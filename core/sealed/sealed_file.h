// An open sealed model file: its validated header, the authenticated GGUF header region, and
// decryption of single chunks by index. Reads use pread on one shared descriptor, so any number
// of threads may decrypt concurrently (each with its own GcmCipher).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sealed/file_io.h"
#include "sealed/seal_file_keys.h"
#include "sealed/seal_format.h"
#include "sealed/seal_key.h"

namespace veil {

class SealedFile {
public:
    // Checks, in order: magic and version, key id (wrong key), header MAC over the fixed header
    // and GGUF region (tampering), field consistency, and the exact file size (truncation or
    // appended data). Throws SealError naming the file. The key is not retained; only the
    // per-file keys derived from it are (in locked memory).
    static std::unique_ptr<SealedFile> open(const std::string& path, const SealKey& key);
    // Without a key (inspect): the same structural checks, nothing authenticated, no decryption.
    static std::unique_ptr<SealedFile> open_unverified(const std::string& path);

    const std::string& path() const noexcept { return path_; }
    const SealHeader& header() const noexcept { return header_; }
    // The GGUF file's bytes before its data section (plaintext in the sealed file).
    const std::vector<uint8_t>& gguf_header() const noexcept { return gguf_header_; }
    bool authenticated() const noexcept { return keys_ != nullptr; }
    uint64_t file_size() const noexcept { return file_size_; }
    int fd() const noexcept { return fd_.get(); }

    // Decrypts chunk `index` into `out` (header().chunk_plain_len(index) bytes). On an
    // authentication failure wipes `out` and throws SealError naming the chunk.
    void decrypt_chunk(uint64_t index, uint8_t* out, GcmCipher& cipher) const;
    // Chunks decrypted so far (all threads) — lets tests show reads stay local.
    uint64_t chunks_decrypted() const noexcept { return chunks_decrypted_.load(std::memory_order_relaxed); }

private:
    SealedFile(std::string path, Fd fd) : path_(std::move(path)), fd_(std::move(fd)) {}
    static std::unique_ptr<SealedFile> open_impl(const std::string& path, const SealKey* key);

    std::string path_;
    Fd fd_;
    uint64_t file_size_ = 0;
    SealHeader header_;
    std::vector<uint8_t> gguf_header_;
    std::array<uint8_t, kSha256Bytes> header_hash_{};
    std::unique_ptr<SealFileKeys> keys_;
    mutable std::atomic<uint64_t> chunks_decrypted_{0};
};

}  // namespace veil
