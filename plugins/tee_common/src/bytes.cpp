#include "veil/tee_common/bytes.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

namespace veil::tee {

void fail(const std::string& message) { throw sdk::Error(VEIL_ERR_VERIFICATION, message); }
void invalid(const std::string& message) { throw sdk::Error(VEIL_ERR_INVALID_ARGUMENT, message); }

std::string to_hex(ByteView bytes) {
    static const char* digits = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (uint8_t b : bytes) {
        out.push_back(digits[b >> 4]);
        out.push_back(digits[b & 15]);
    }
    return out;
}

static int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

Bytes from_hex(std::string_view hex) {
    if (hex.size() >= 2 && hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X')) hex.remove_prefix(2);
    if (hex.size() % 2 != 0) invalid("hex string has an odd number of digits");
    Bytes out(hex.size() / 2);
    for (size_t i = 0; i < out.size(); ++i) {
        int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) invalid("hex string has a non-hex character");
        out[i] = static_cast<uint8_t>(hi << 4 | lo);
    }
    return out;
}

static const char* kB64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64_encode(ByteView bytes) {
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    for (size_t i = 0; i < bytes.size(); i += 3) {
        uint32_t v = static_cast<uint32_t>(bytes[i]) << 16;
        if (i + 1 < bytes.size()) v |= static_cast<uint32_t>(bytes[i + 1]) << 8;
        if (i + 2 < bytes.size()) v |= bytes[i + 2];
        out.push_back(kB64[(v >> 18) & 63]);
        out.push_back(kB64[(v >> 12) & 63]);
        out.push_back(i + 1 < bytes.size() ? kB64[(v >> 6) & 63] : '=');
        out.push_back(i + 2 < bytes.size() ? kB64[v & 63] : '=');
    }
    return out;
}

Bytes base64_decode(std::string_view text) {
    Bytes out;
    uint32_t acc = 0;
    int bits = 0;
    bool padding = false;
    for (char c : text) {
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
        if (c == '=') {
            padding = true;
            continue;
        }
        const char* p = std::strchr(kB64, c);
        if (p == nullptr || c == '\0' || padding) invalid("base64 text is malformed");
        acc = (acc << 6) | static_cast<uint32_t>(p - kB64);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<uint8_t>((acc >> bits) & 0xFF));
        }
    }
    return out;
}

uint16_t le16(ByteView b, size_t off) {
    slice(b, off, 2, "16-bit field");
    return static_cast<uint16_t>(b[off] | b[off + 1] << 8);
}
uint32_t le32(ByteView b, size_t off) {
    slice(b, off, 4, "32-bit field");
    uint32_t v = 0;
    for (int i = 3; i >= 0; --i) v = (v << 8) | b[off + static_cast<size_t>(i)];
    return v;
}
uint64_t le64(ByteView b, size_t off) {
    slice(b, off, 8, "64-bit field");
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | b[off + static_cast<size_t>(i)];
    return v;
}
static void put_le(Bytes& b, size_t off, uint64_t v, size_t n) {
    if (b.size() < off + n) b.resize(off + n);
    for (size_t i = 0; i < n; ++i) b[off + i] = static_cast<uint8_t>(v >> (8 * i));
}
void put_le16(Bytes& b, size_t off, uint16_t v) { put_le(b, off, v, 2); }
void put_le32(Bytes& b, size_t off, uint32_t v) { put_le(b, off, v, 4); }
void put_le64(Bytes& b, size_t off, uint64_t v) { put_le(b, off, v, 8); }
void append_le16(Bytes& b, uint16_t v) { put_le(b, b.size(), v, 2); }
void append_le32(Bytes& b, uint32_t v) { put_le(b, b.size(), v, 4); }

ByteView slice(ByteView b, size_t off, size_t len, const char* what) {
    if (off > b.size() || len > b.size() - off) invalid(std::string(what) + " is truncated");
    return b.subspan(off, len);
}

bool all_zero(ByteView b) {
    for (uint8_t x : b)
        if (x != 0) return false;
    return true;
}

std::optional<Bytes> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    Bytes data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) return std::nullopt;
    return data;
}

std::optional<std::string> read_text(const std::string& path) {
    auto b = read_file(path);
    if (!b) return std::nullopt;
    return std::string(b->begin(), b->end());
}

void write_file(const std::string& path, ByteView bytes) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) throw sdk::Error(VEIL_ERR_IO, "cannot open " + path + " for writing: " + std::strerror(errno));
    size_t done = 0;
    while (done < bytes.size()) {
        ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            int err = errno;
            ::close(fd);
            throw sdk::Error(VEIL_ERR_IO, "cannot write " + path + ": " + std::strerror(err));
        }
        done += static_cast<size_t>(n);
    }
    ::close(fd);
}

bool path_exists(const std::string& path) {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0;
}

std::string trim(std::string_view s) {
    size_t a = 0, b = s.size();
    while (a < b && (s[a] == ' ' || s[a] == '\n' || s[a] == '\r' || s[a] == '\t')) ++a;
    while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\n' || s[b - 1] == '\r' || s[b - 1] == '\t')) --b;
    return std::string(s.substr(a, b - a));
}

}  // namespace veil::tee
