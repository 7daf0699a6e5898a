#include "sealed/sealed_file.h"

#include "sealed/seal_error.h"
#include "sealed/secure_buffer.h"
#include "util/sha256.h"

namespace veil {

std::unique_ptr<SealedFile> SealedFile::open(const std::string& path, const SealKey& key) { return open_impl(path, &key); }

std::unique_ptr<SealedFile> SealedFile::open_unverified(const std::string& path) { return open_impl(path, nullptr); }

std::unique_ptr<SealedFile> SealedFile::open_impl(const std::string& path, const SealKey* key) {
    std::unique_ptr<SealedFile> f(new SealedFile(path, open_readonly(path)));
    f->file_size_ = fd_size(f->fd(), path);

    uint8_t fixed[kSealHeaderBytes] = {};
    const size_t head = static_cast<size_t>(std::min<uint64_t>(f->file_size_, kSealHeaderBytes));
    pread_exact(f->fd(), fixed, head, 0, path);
    f->header_ = decode_seal_header(fixed, head, path);
    SealHeader& h = f->header_;

    // Only the region length is needed to compute the MAC; bound it by what the file holds.
    if (h.gguf_header_len > kMaxGgufHeaderBytes || h.gguf_header_len > f->file_size_ - kSealHeaderBytes)
        throw SealError(path + " is truncated or damaged: the header declares a " + std::to_string(h.gguf_header_len) +
                        "-byte GGUF header region, but the file has " + std::to_string(f->file_size_) + " bytes");
    f->gguf_header_.resize(h.gguf_header_len);
    pread_exact(f->fd(), f->gguf_header_.data(), f->gguf_header_.size(), kSealHeaderBytes, path);

    if (key) {
        auto id = key->id();
        if (!equal_ct(id.data(), h.key_id.data(), kKeyIdBytes))
            throw SealError(path + " was sealed with key id " + to_hex(h.key_id.data(), kKeyIdBytes) +
                            ", but the given key has id " + to_hex(id.data(), id.size()) + " (wrong key)");
        f->keys_ = std::make_unique<SealFileKeys>(*key, h.salt);
        auto mac = seal_header_mac(*f->keys_, fixed, f->gguf_header_.data(), f->gguf_header_.size());
        if (!equal_ct(mac.data(), h.header_mac.data(), kSha256Bytes))
            throw SealError("the header or GGUF metadata of " + path +
                            " failed authentication (tampered or corrupted); refusing to use it");
    }
    check_seal_layout(h, path);
    const uint64_t expected = h.sealed_file_size();
    if (f->file_size_ < expected)
        throw SealError(path + " is truncated: its header declares " + std::to_string(h.n_chunks) + " chunks (" +
                        std::to_string(expected) + " bytes in all), but the file has " + std::to_string(f->file_size_) +
                        " bytes");
    if (f->file_size_ > expected)
        throw SealError(path + " has " + std::to_string(f->file_size_ - expected) + " bytes after its last chunk (" +
                        std::to_string(h.n_chunks) + " chunks, " + std::to_string(expected) +
                        " bytes expected); refusing a file that was appended to");
    f->header_hash_ = seal_header_hash(fixed, f->gguf_header_.data(), f->gguf_header_.size());
    return f;
}

void SealedFile::decrypt_chunk(uint64_t index, uint8_t* out, GcmCipher& cipher) const {
    if (!keys_) throw SealError(path_ + ": opened without a key; cannot decrypt");
    if (index >= header_.n_chunks)
        throw SealError(path_ + ": chunk " + std::to_string(index) + " does not exist (" + std::to_string(header_.n_chunks) +
                        " chunks)");
    const size_t len = static_cast<size_t>(header_.chunk_plain_len(index));
    const uint64_t at = header_.chunk_file_offset(index);
    uint8_t tag[kGcmTagBytes];
    // Ciphertext goes straight into `out` and is decrypted in place: no second buffer of plaintext.
    pread_exact(fd_.get(), out, len, at, path_);
    pread_exact(fd_.get(), tag, sizeof tag, at + len, path_);
    auto nonce = chunk_nonce(index);
    auto aad = chunk_aad(header_hash_, index);
    bool ok = cipher.decrypt(keys_->chunk_key(), nonce.data(), aad.data(), aad.size(), out, len, out, tag);
    chunks_decrypted_.fetch_add(1, std::memory_order_relaxed);
    if (!ok) {
        secure_zero(out, len);  // never hand out unauthenticated plaintext
        throw SealError("chunk " + std::to_string(index) + " of " + path_ +
                        " failed authentication (tampered, swapped or wrong key)");
    }
}

}  // namespace veil
