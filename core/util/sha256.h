// SHA-256 of files and buffers (OpenSSL EVP), as lowercase hex.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace veil {

std::string sha256_hex(const void* data, size_t size);

// Hashes everything readable from `fd` starting at offset 0 (pread, so the fd's position is
// untouched). Throws std::runtime_error naming `what_for_errors` when a read fails.
std::string sha256_hex_of_fd(int fd, const std::string& what_for_errors);

// Opens and hashes `path`. Throws std::runtime_error naming the path on failure.
std::string sha256_hex_of_file(const std::string& path);

std::string to_hex(const uint8_t* data, size_t size);

}  // namespace veil
