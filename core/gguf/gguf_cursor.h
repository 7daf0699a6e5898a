// Bounds-checked sequential reads over the mapped file. Every read checks what is left before it
// touches memory, and errors carry the file, the field being read and its byte offset.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "gguf/gguf_error.h"

namespace veil {

class GgufCursor {
public:
    GgufCursor(const uint8_t* data, uint64_t size, const std::string& file) : data_(data), size_(size), file_(file) {}

    uint64_t pos() const noexcept { return pos_; }
    uint64_t left() const noexcept { return size_ - pos_; }
    uint64_t size() const noexcept { return size_; }
    const uint8_t* here() const noexcept { return data_ + pos_; }
    const std::string& file() const noexcept { return file_; }

    [[noreturn]] void fail(const std::string& field, uint64_t at, const std::string& what) const {
        throw GgufError::at(file_, field, at, what);
    }

    // Ensures `n` bytes remain at the current position.
    void need(uint64_t n, const std::string& field) const {
        if (n > left())
            fail(field, pos_, "needs " + std::to_string(n) + " bytes but only " + std::to_string(left()) +
                                  " remain (file truncated?)");
    }

    template <typename T>
    T read(const std::string& field) {
        need(sizeof(T), field);
        T v;
        std::memcpy(&v, data_ + pos_, sizeof v);
        pos_ += sizeof v;
        return v;
    }

    void skip(uint64_t n, const std::string& field) {
        need(n, field);
        pos_ += n;
    }

    // A GGUF string: uint64 length then that many bytes (not NUL-terminated).
    std::string_view read_string(const std::string& field) {
        uint64_t at = pos_;
        uint64_t len = read<uint64_t>(field + " length");
        if (len > left())
            fail(field, at, "string length " + std::to_string(len) + " exceeds the " + std::to_string(left()) +
                                " bytes left in the file");
        std::string_view s(reinterpret_cast<const char*>(data_ + pos_), static_cast<size_t>(len));
        pos_ += len;
        return s;
    }

private:
    const uint8_t* data_;
    uint64_t size_;
    uint64_t pos_ = 0;
    const std::string& file_;
};

}  // namespace veil
