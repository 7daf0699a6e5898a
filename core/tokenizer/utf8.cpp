#include "tokenizer/utf8.h"

namespace veil::utf8 {

void append(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

uint32_t next(std::string_view s, size_t& i) noexcept {
    const auto b0 = static_cast<uint8_t>(s[i]);
    size_t n = seq_len(b0);
    if (n == 1 || i + n > s.size()) {
        ++i;
        return b0;
    }
    uint32_t cp = b0 & (0xFF >> (n + 1));
    for (size_t k = 1; k < n; ++k) {
        const auto b = static_cast<uint8_t>(s[i + k]);
        if ((b & 0xC0) != 0x80) {
            ++i;
            return b0;
        }
        cp = (cp << 6) | (b & 0x3F);
    }
    i += n;
    return cp;
}

size_t incomplete_tail(std::string_view s) noexcept {
    // Look back at most 3 bytes for the lead byte of the last sequence.
    for (size_t back = 1; back <= 3 && back <= s.size(); ++back) {
        const auto b = static_cast<uint8_t>(s[s.size() - back]);
        if ((b & 0xC0) == 0x80) continue;  // continuation byte: keep looking
        if (b < 0xC0) return 0;            // ASCII: everything before is complete
        return seq_len(b) > back ? back : 0;
    }
    return 0;
}

}  // namespace veil::utf8
