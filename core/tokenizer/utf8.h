// Small UTF-8 helpers the tokenizers need (lengths, encoding); Unicode *properties* come from PCRE.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace veil::utf8 {

// Length of the sequence a lead byte announces; stray continuation bytes and invalid leads count
// as 1, as llama.cpp's unicode_len_utf8 does, so splitting never stalls on bad input.
inline size_t seq_len(uint8_t lead) noexcept {
    static constexpr uint8_t kLen[16] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4};
    return kLen[lead >> 4];
}

// Appends codepoint `cp` (< 0x110000) encoded as UTF-8.
void append(std::string& out, uint32_t cp);

// Decodes the codepoint starting at s[i] and advances i; invalid or truncated sequences yield the
// single byte's value and advance by one.
uint32_t next(std::string_view s, size_t& i) noexcept;

// Number of bytes at the end of `s` that start a UTF-8 sequence not yet complete (0..3): what a
// streaming decoder must hold back until the next piece arrives.
size_t incomplete_tail(std::string_view s) noexcept;

}  // namespace veil::utf8
