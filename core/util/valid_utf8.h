// JSON must be valid UTF-8, but a model can generate any bytes (a stray byte token of a random
// or badly trained model): generated text that leaves as JSON (the server's answers, `veil
// generate --json`) is made valid first, each invalid byte becoming U+FFFD, as llama.cpp's server
// does. (Poco's JSON writer passes invalid bytes through.)
#pragma once

#include <string>
#include <string_view>

namespace veil::util {

// `text` unchanged when it is valid UTF-8; otherwise every byte that does not start a complete,
// well-formed sequence (shortest form, no surrogates, at most U+10FFFF) is replaced by U+FFFD.
std::string valid_utf8(std::string_view text);

}  // namespace veil::util
