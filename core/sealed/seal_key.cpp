#include "sealed/seal_key.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <openssl/rand.h>
#include <spdlog/spdlog.h>

#include "sealed/seal_crypto.h"
#include "sealed/seal_error.h"
#include "util/regular_file.h"
#include "util/sha256.h"

namespace veil {

namespace {

constexpr std::string_view kKeyIdLabel = "veil-seal/v1/key-id";
constexpr size_t kHexChars = 2 * kSealKeyBytes;
// Longest key file worth reading: the hex form plus a CRLF. Anything bigger is refused unread.
constexpr size_t kMaxKeyFileBytes = kHexChars + 2;

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool all_hex(std::string_view s) {
    for (char c : s)
        if (hex_value(c) < 0) return false;
    return true;
}

// Drops one trailing "\n" or "\r\n" (editors and `echo` add them).
std::string_view strip_newline(std::string_view s) {
    if (!s.empty() && s.back() == '\n') s.remove_suffix(1);
    if (!s.empty() && s.back() == '\r') s.remove_suffix(1);
    return s;
}

}  // namespace

SealKey::SealKey() : buf_(std::make_unique<SecureBuffer>(kSealKeyBytes)) {}

SealKey SealKey::generate() {
    SealKey k;
    if (RAND_bytes(k.buf_->data(), static_cast<int>(kSealKeyBytes)) != 1)
        throw SealError("OpenSSL RAND_bytes failed: the random generator is not seeded");
    return k;
}

SealKey SealKey::from_bytes(const uint8_t* data, size_t size) {
    if (size != kSealKeyBytes)
        throw SealError("a sealing key is " + std::to_string(kSealKeyBytes) + " bytes, got " + std::to_string(size));
    SealKey k;
    std::memcpy(k.buf_->data(), data, size);
    return k;
}

SealKey SealKey::from_hex(std::string_view text, const std::string& source) {
    std::string_view s = strip_newline(text);
    if (s.size() != kHexChars)
        throw SealError(source + ": expected " + std::to_string(kHexChars) + " hex characters (a 256-bit key), got " +
                        std::to_string(s.size()) + " characters");
    for (size_t k = 0; k < s.size(); ++k)
        if (hex_value(s[k]) < 0)
            throw SealError(source + ": character " + std::to_string(k + 1) + " is not a hex digit");
    SealKey key;
    for (size_t k = 0; k < kSealKeyBytes; ++k)
        key.buf_->data()[k] = static_cast<uint8_t>(hex_value(s[2 * k]) << 4 | hex_value(s[2 * k + 1]));
    return key;
}

SealKey SealKey::from_file(const std::string& path) {
    int fd = -1;
    try {
        fd = util::open_regular_file(path);
    } catch (const std::runtime_error& e) {
        throw SealError(std::string("key file ") + e.what());
    }
    struct stat st{};
    ::fstat(fd, &st);
    if (st.st_mode & (S_IRWXG | S_IRWXO))
        spdlog::warn("key file {} is accessible by group or others (mode {:o}); chmod 600 it", path, st.st_mode & 0777);
    // Read into locked memory: the file content is the key (or its hex form).
    SecureBuffer raw(kMaxKeyFileBytes + 1);
    size_t n = 0;
    while (n < raw.size()) {
        ssize_t r = ::read(fd, raw.data() + n, raw.size() - n);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            int err = errno;
            ::close(fd);
            throw SealError("key file " + path + ": read failed: " + std::strerror(err));
        }
        if (r == 0) break;
        n += static_cast<size_t>(r);
    }
    ::close(fd);
    const std::string source = "key file " + path;
    std::string_view text(reinterpret_cast<const char*>(raw.data()), n);
    std::string_view trimmed = strip_newline(text);
    if (n == kSealKeyBytes) {
        // 32 hex digits is a 128-bit key written in hex, not a raw 256-bit key: a random raw key
        // consists only of hex digits with probability (22/256)^32.
        if (all_hex(text))
            throw SealError(source + ": holds 32 hex characters (a 128-bit key); Veil keys are 256-bit: 32 raw bytes "
                                     "or 64 hex characters");
        return from_bytes(raw.data(), n);
    }
    if (trimmed.size() == kHexChars) return from_hex(text, source);
    throw SealError(source + ": expected 32 raw bytes or 64 hex characters (optionally followed by a newline), but it "
                             "holds " + (n > kMaxKeyFileBytes ? "more than " + std::to_string(kMaxKeyFileBytes)
                                                              : std::to_string(n)) + " bytes");
}

SealKey SealKey::from_env(const std::string& name) {
    const char* v = std::getenv(name.c_str());
    if (!v) throw SealError("environment variable " + name + " is not set (it should hold the key as 64 hex characters)");
    return from_hex(v, "environment variable " + name);
}

std::array<uint8_t, kKeyIdBytes> SealKey::id() const {
    uint8_t mac[kSha256Bytes];
    HmacSha256(bytes(), kSealKeyBytes).update(kKeyIdLabel.data(), kKeyIdLabel.size()).final(mac);
    std::array<uint8_t, kKeyIdBytes> out{};
    std::memcpy(out.data(), mac, out.size());
    return out;
}

std::string SealKey::id_hex() const {
    auto i = id();
    return veil::to_hex(i.data(), i.size());
}

std::string SealKey::to_hex() const { return veil::to_hex(bytes(), kSealKeyBytes); }

}  // namespace veil
