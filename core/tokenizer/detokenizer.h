// Streaming detokenization that only ever emits whole UTF-8 characters: a token can end in the
// middle of a character (byte tokens <0xE2><0x96><0x81>, or BPE pieces of a multi-byte
// character), so the incomplete tail is held back until the next token completes it.
#pragma once

#include <cstdint>
#include <string>

namespace veil {

class Tokenizer;

class Detokenizer {
public:
    // `special`: render control tokens' text instead of dropping them.
    explicit Detokenizer(const Tokenizer& tok, bool special = false) : tok_(tok), special_(special) {}

    // Text that became complete with `token` (possibly empty).
    std::string push(int32_t token);
    // Whatever is still held back (an incomplete sequence at the very end), then resets.
    std::string flush();

private:
    const Tokenizer& tok_;
    bool special_;
    bool first_ = true;  // SentencePiece: drop the space prefix of the first token
    std::string pending_;
};

}  // namespace veil
