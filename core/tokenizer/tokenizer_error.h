#pragma once

#include <stdexcept>

namespace veil {

// A model's tokenizer metadata is missing or unusable, or a token id is out of range.
class TokenizerError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace veil
