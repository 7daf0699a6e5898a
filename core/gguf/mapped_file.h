// A whole file mapped read-only. Model files are large and read mostly once; mapping lets the
// kernel page them in on demand and lets backends borrow pointers into it without copies.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace veil {

class MappedFile {
public:
    // Throws GgufError naming the path when the file cannot be opened or mapped.
    explicit MappedFile(const std::string& path);
    ~MappedFile();
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    const uint8_t* data() const noexcept { return data_; }
    size_t size() const noexcept { return size_; }
    const std::string& path() const noexcept { return path_; }

private:
    std::string path_;
    const uint8_t* data_ = nullptr;
    size_t size_ = 0;
};

}  // namespace veil
