// GPT-2's reversible byte <-> unicode mapping: byte-level BPE vocabularies store every byte as a
// printable codepoint (printable Latin-1 bytes map to themselves, the rest to U+0100 upwards).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace veil {

// UTF-8 of the codepoint that stands for byte `b`.
const std::string& byte_to_unicode(uint8_t b);
// The byte a codepoint stands for, or -1 when it is not part of the mapping.
int unicode_to_byte(uint32_t cp);

// Maps raw bytes to their codepoints (encode) and back (decode; unmapped characters are kept).
std::string bytes_to_unicode_text(std::string_view bytes);
std::string unicode_text_to_bytes(std::string_view text);

}  // namespace veil
