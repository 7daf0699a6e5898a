// The one exception type of the GGUF reader and writer. Messages name the file, the field and the
// byte offset where the problem lies, so a user can tell a truncated download from a hostile file.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace veil {

class GgufError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;

    // "<file>: <field> at byte <offset>: <what>"
    static GgufError at(const std::string& file, const std::string& field, uint64_t offset, const std::string& what) {
        return GgufError(file + ": " + field + " at byte " + std::to_string(offset) + ": " + what);
    }
};

}  // namespace veil
