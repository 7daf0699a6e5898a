#include "sealed/sealer.h"

#include <openssl/rand.h>

#include <algorithm>
#include <memory>

#include "gguf/gguf_file.h"
#include "sealed/atomic_output.h"
#include "sealed/file_io.h"
#include "sealed/seal_error.h"
#include "sealed/seal_file_keys.h"
#include "sealed/sealed_file.h"
#include "sealed/secure_buffer.h"
#include "util/sha256.h"

namespace veil {

namespace {

constexpr uint64_t kHashStep = 1u << 20;


void report(const SealProgress& p, const char* phase, uint64_t done, uint64_t total) {
    if (p) p(phase, done, total);
}

std::array<uint8_t, kSha256Bytes> hash_file(int fd, uint64_t size, const std::string& name, const SealProgress& progress) {
    Sha256 sha;
    PlainBuffer buf(kHashStep);
    for (uint64_t at = 0; at < size;) {
        size_t n = static_cast<size_t>(std::min(kHashStep, size - at));
        pread_exact(fd, buf.data(), n, at, name);
        sha.update(buf.data(), n);
        at += n;
        report(progress, "hashing", at, size);
    }
    std::array<uint8_t, kSha256Bytes> out{};
    sha.final(out.data());
    return out;
}

}  // namespace

SealHeader seal_model(const std::string& in, const std::string& out, const SealKey& key, const SealOptions& options) {
    if (options.chunk_size < kMinChunkSize || options.chunk_size > kMaxChunkSize)
        throw SealError("chunk size " + std::to_string(options.chunk_size) + " is outside " + std::to_string(kMinChunkSize) +
                        ".." + std::to_string(kMaxChunkSize) + " bytes");
    // Validates the whole GGUF structure (and so where its data section starts) before any work.
    uint64_t header_len = 0, plain_size = 0;
    {
        auto gguf = GgufFile::open(in);
        header_len = gguf->data_offset();
        plain_size = gguf->file_size();
    }
    if (header_len > kMaxGgufHeaderBytes) throw SealError(in + ": GGUF header region larger than 1 GiB");
    AtomicOutput output(out, options.overwrite, 0644);
    Fd fd = open_readonly(in);
    if (fd_size(fd.get(), in) != plain_size) throw SealError(in + ": file changed while sealing");

    // The plaintext hash goes into the header, and the header into every chunk's AAD, so it must
    // be known before the first chunk is sealed: hence a first pass.
    SealHeader h;
    h.chunk_size = options.chunk_size;
    h.plaintext_size = plain_size;
    h.gguf_header_len = header_len;
    h.n_chunks = seal_chunk_count(plain_size - header_len, options.chunk_size);
    // The sealed file: the fixed header, the plaintext GGUF header, every chunk and its tag.
    output.reserve(encode_seal_header(h).size() + plain_size + h.n_chunks * kGcmTagBytes);
    h.plaintext_sha256 = hash_file(fd.get(), plain_size, in, options.progress);
    h.key_id = key.id();
    if (RAND_bytes(h.salt.data(), static_cast<int>(h.salt.size())) != 1) throw SealError("OpenSSL RAND_bytes failed");
    SealFileKeys keys(key, h.salt);

    std::vector<uint8_t> region(header_len);
    pread_exact(fd.get(), region.data(), region.size(), 0, in);
    auto fixed = encode_seal_header(h);
    h.header_mac = seal_header_mac(keys, fixed.data(), region.data(), region.size());
    fixed = encode_seal_header(h);
    const auto header_hash = seal_header_hash(fixed.data(), region.data(), region.size());
    output.write(fixed.data(), fixed.size());
    output.write(region.data(), region.size());

    // Second pass: seal chunk by chunk, hashing again so a file changed in between is caught.
    Sha256 sha;
    sha.update(region.data(), region.size());
    GcmCipher cipher;
    PlainBuffer buf(h.chunk_size);
    uint8_t tag[kGcmTagBytes];
    for (uint64_t i = 0; i < h.n_chunks; ++i) {
        const size_t len = static_cast<size_t>(h.chunk_plain_len(i));
        pread_exact(fd.get(), buf.data(), len, header_len + i * h.chunk_size, in);
        sha.update(buf.data(), len);
        auto nonce = chunk_nonce(i);
        auto aad = chunk_aad(header_hash, i);
        cipher.encrypt(keys.chunk_key(), nonce.data(), aad.data(), aad.size(), buf.data(), len, buf.data(), tag);
        output.write(buf.data(), len);
        output.write(tag, sizeof tag);
        report(options.progress, "sealing", header_len + i * h.chunk_size + len, plain_size);
    }
    std::array<uint8_t, kSha256Bytes> again{};
    sha.final(again.data());
    if (again != h.plaintext_sha256) throw SealError(in + ": file changed while sealing (SHA-256 differs between passes)");
    output.commit();
    return h;
}

SealHeader unseal_model(const std::string& in, const std::string& out, const SealKey& key, bool overwrite,
                        const SealProgress& progress) {
    auto file = SealedFile::open(in, key);
    const SealHeader& h = file->header();
    AtomicOutput output(out, overwrite, 0600);  // plaintext weights: owner only
    output.reserve(h.plaintext_size);
    output.write(file->gguf_header().data(), file->gguf_header().size());
    Sha256 sha;
    sha.update(file->gguf_header().data(), file->gguf_header().size());
    GcmCipher cipher;
    PlainBuffer buf(h.chunk_size);
    for (uint64_t i = 0; i < h.n_chunks; ++i) {
        const size_t len = static_cast<size_t>(h.chunk_plain_len(i));
        file->decrypt_chunk(i, buf.data(), cipher);
        sha.update(buf.data(), len);
        output.write(buf.data(), len);
        report(progress, "unsealing", h.gguf_header_len + i * h.chunk_size + len, h.plaintext_size);
    }
    std::array<uint8_t, kSha256Bytes> got{};
    sha.final(got.data());
    if (got != h.plaintext_sha256)
        throw SealError(in + ": the unsealed plaintext has SHA-256 " + to_hex(got.data(), got.size()) + ", the header records " +
                        to_hex(h.plaintext_sha256.data(), kSha256Bytes) + "; output discarded");
    output.commit();
    return h;
}

VerifyResult verify_sealed(const std::string& path, const SealKey& key, const SealProgress& progress) {
    VerifyResult r;
    try {
        auto file = SealedFile::open(path, key);
        r.header = file->header();
        const SealHeader& h = r.header;
        Sha256 sha;
        sha.update(file->gguf_header().data(), file->gguf_header().size());
        GcmCipher cipher;
        PlainBuffer buf(h.chunk_size);
        for (uint64_t i = 0; i < h.n_chunks; ++i) {
            const size_t len = static_cast<size_t>(h.chunk_plain_len(i));
            file->decrypt_chunk(i, buf.data(), cipher);
            sha.update(buf.data(), len);
            ++r.chunks_checked;
            report(progress, "verifying", h.gguf_header_len + i * h.chunk_size + len, h.plaintext_size);
        }
        std::array<uint8_t, kSha256Bytes> got{};
        sha.final(got.data());
        if (got != h.plaintext_sha256) {
            r.message = path + ": every chunk authenticated, but the plaintext SHA-256 " + to_hex(got.data(), got.size()) +
                        " differs from the recorded " + to_hex(h.plaintext_sha256.data(), kSha256Bytes);
            return r;
        }
        r.ok = true;
        r.message = "OK: " + path + ": header and " + std::to_string(r.chunks_checked) + " chunks authenticated, " +
                    std::to_string(h.plaintext_size) + " plaintext bytes, sha256 " +
                    to_hex(h.plaintext_sha256.data(), kSha256Bytes);
    } catch (const std::exception& e) {
        r.message = e.what();
    }
    return r;
}

}  // namespace veil
