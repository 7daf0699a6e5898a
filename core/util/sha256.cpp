#include "util/sha256.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <vector>

#include <openssl/evp.h>

#include "util/regular_file.h"

namespace veil {

namespace {

struct MdCtxDeleter {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

MdCtx new_sha256() {
    MdCtx ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("OpenSSL: cannot initialise SHA-256");
    return ctx;
}

std::string finish(EVP_MD_CTX* ctx) {
    uint8_t digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(ctx, digest, &len) != 1) throw std::runtime_error("OpenSSL: SHA-256 failed");
    return to_hex(digest, len);
}

}  // namespace

std::string to_hex(const uint8_t* data, size_t size) {
    static const char* digits = "0123456789abcdef";
    std::string out(size * 2, '0');
    for (size_t i = 0; i < size; ++i) {
        out[2 * i] = digits[data[i] >> 4];
        out[2 * i + 1] = digits[data[i] & 15];
    }
    return out;
}

std::string sha256_hex(const void* data, size_t size) {
    MdCtx ctx = new_sha256();
    if (EVP_DigestUpdate(ctx.get(), data, size) != 1) throw std::runtime_error("OpenSSL: SHA-256 failed");
    return finish(ctx.get());
}

std::string sha256_hex_of_fd(int fd, const std::string& what_for_errors) {
    MdCtx ctx = new_sha256();
    std::vector<uint8_t> buf(1 << 20);
    off_t offset = 0;
    for (;;) {
        ssize_t n = ::pread(fd, buf.data(), buf.size(), offset);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw std::runtime_error(what_for_errors + ": read failed: " + std::strerror(errno));
        }
        if (n == 0) break;
        if (EVP_DigestUpdate(ctx.get(), buf.data(), static_cast<size_t>(n)) != 1)
            throw std::runtime_error("OpenSSL: SHA-256 failed");
        // Hashing a model must not fill the page cache with it: in a confidential VM (or a memory
        // cgroup) the cache counts against the same memory the backend's budget comes from.
        ::posix_fadvise(fd, offset, n, POSIX_FADV_DONTNEED);
        offset += n;
    }
    return finish(ctx.get());
}

std::string sha256_hex_of_file(const std::string& path) {
    const int fd = util::open_regular_file(path);
    try {
        std::string h = sha256_hex_of_fd(fd, path);
        ::close(fd);
        return h;
    } catch (...) {
        ::close(fd);
        throw;
    }
}

}  // namespace veil
