// JSON must be valid UTF-8, but a model can generate any bytes (a stray byte token of a random
// or badly trained model): text leaving the server is made valid first, each invalid byte
// becoming U+FFFD, as llama.cpp's server does.
#pragma once

#include <string>
#include <string_view>

namespace veil::server {

// `text` unchanged when it is valid UTF-8; otherwise every byte that does not start a complete,
// well-formed sequence (shortest form, no surrogates, at most U+10FFFF) is replaced by U+FFFD.
std::string valid_utf8(std::string_view text);

}  // namespace veil::server
