#include "tokenizer/byte_unicode.h"

#include <array>
#include <unordered_map>

#include "tokenizer/utf8.h"

namespace veil {

namespace {

struct Tables {
    std::array<std::string, 256> to_text;
    std::array<uint32_t, 256> to_cp{};
    std::unordered_map<uint32_t, uint8_t> to_byte;
    Tables() {
        auto printable = [](int b) { return (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF); };
        uint32_t extra = 0;
        for (int b = 0; b < 256; ++b) {
            uint32_t cp = printable(b) ? static_cast<uint32_t>(b) : 256 + extra++;
            to_cp[b] = cp;
            utf8::append(to_text[b], cp);
            to_byte[cp] = static_cast<uint8_t>(b);
        }
    }
};

const Tables& tables() {
    static const Tables t;
    return t;
}

}  // namespace

const std::string& byte_to_unicode(uint8_t b) { return tables().to_text[b]; }

int unicode_to_byte(uint32_t cp) {
    const auto& m = tables().to_byte;
    auto it = m.find(cp);
    return it == m.end() ? -1 : it->second;
}

std::string bytes_to_unicode_text(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size() * 2);
    for (char c : bytes) out += byte_to_unicode(static_cast<uint8_t>(c));
    return out;
}

std::string unicode_text_to_bytes(std::string_view text) {
    std::string out;
    for (size_t i = 0; i < text.size();) {
        size_t start = i;
        uint32_t cp = utf8::next(text, i);
        int b = unicode_to_byte(cp);
        if (b >= 0)
            out += static_cast<char>(b);
        else
            out.append(text.substr(start, i - start));
    }
    return out;
}

}  // namespace veil
