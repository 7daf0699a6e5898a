// Helpers for sealed-model tests: a fixed key, sealing test models into a temp folder, byte
// surgery on sealed files, and an error factory backed by the host's error objects.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "../gguf/gguf_test_util.h"
#include "plugin_host/host_api.h"
#include "sealed/seal_format.h"
#include "sealed/seal_key.h"
#include "sealed/sealed_model_source.h"
#include "sealed/sealer.h"

namespace veil::test {

inline const char* kKeyHex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
inline const char* kOtherKeyHex = "ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

inline SealKey test_key() { return SealKey::from_hex(kKeyHex, "test key"); }
inline SealKey other_key() { return SealKey::from_hex(kOtherKeyHex, "other key"); }

inline SealedModelSource::ErrorFactory host_errors() {
    return [](veil_error_code c, const std::string& m) { return HostApi::new_error(c, m); };
}

// Seals testdata model `rel` into `dir` as `name` with `chunk_size`.
inline std::string seal_test_model(const TempDir& dir, const std::string& rel, const std::string& name,
                                   uint32_t chunk_size, const SealKey& key) {
    SealOptions o;
    o.chunk_size = chunk_size;
    std::string out = dir.file(name);
    seal_model(testdata(rel), out, key, o);
    return out;
}

inline void write_all_bytes(const std::string& path, const std::vector<uint8_t>& b) {
    std::ofstream(path, std::ios::binary | std::ios::trunc)
        .write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

inline SealHeader header_of(const std::string& path) {
    auto b = read_all(path);
    return decode_seal_header(b.data(), b.size(), path);
}

}  // namespace veil::test
