// The one exception type of sealed-model code. Messages name the file and, for data failures, the
// chunk, so an operator can tell a wrong key from a damaged or tampered file.
#pragma once

#include <stdexcept>
#include <string>

namespace veil {

class SealError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace veil
