// Byte helpers shared by the TEE plugins: hex/base64, little-endian field access, file I/O and
// the error helpers every check uses. Evidence formats are little-endian byte layouts, so fields
// are read by offset instead of by casting structs (no alignment or padding assumptions).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "veil/plugin.hpp"

namespace veil::tee {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;

// A failed verification check; the message names the check (ends up in the host error).
[[noreturn]] void fail(const std::string& message);
// Malformed input (truncated evidence, bad JSON, unknown format).
[[noreturn]] void invalid(const std::string& message);

std::string to_hex(ByteView bytes);
// Accepts upper/lower case, optional "0x" prefix; throws invalid() on odd length or bad digits.
Bytes from_hex(std::string_view hex);

std::string base64_encode(ByteView bytes);
// Ignores whitespace (PEM-style line breaks); throws invalid() on malformed input.
Bytes base64_decode(std::string_view text);

uint16_t le16(ByteView b, size_t off);
uint32_t le32(ByteView b, size_t off);
uint64_t le64(ByteView b, size_t off);
void put_le16(Bytes& b, size_t off, uint16_t v);
void put_le32(Bytes& b, size_t off, uint32_t v);
void put_le64(Bytes& b, size_t off, uint64_t v);
void append_le16(Bytes& b, uint16_t v);
void append_le32(Bytes& b, uint32_t v);

// `len` bytes at `off`, or invalid("<what> is truncated") when they are not all there.
ByteView slice(ByteView b, size_t off, size_t len, const char* what);
bool all_zero(ByteView b);

// Whole-file reads; nullopt when the file cannot be opened (missing files are routine here).
std::optional<Bytes> read_file(const std::string& path);
std::optional<std::string> read_text(const std::string& path);
// Writes all bytes with a single write(2) where possible (configfs attributes need that);
// throws Error(VEIL_ERR_IO) naming the path on failure.
void write_file(const std::string& path, ByteView bytes);
bool path_exists(const std::string& path);

// Trims ASCII whitespace at both ends.
std::string trim(std::string_view s);

}  // namespace veil::tee
