// Whole-file operations on sealed models: seal a GGUF file, unseal it back byte for byte, and
// verify every chunk. All stream chunk by chunk (memory: one chunk) and write through
// AtomicOutput, so a failure or interruption leaves no partial output file behind.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "sealed/seal_format.h"
#include "sealed/seal_key.h"

namespace veil {

// Called after each step with bytes done and bytes in all; `phase` is "hashing", "sealing",
// "unsealing" or "verifying".
using SealProgress = std::function<void(const char* phase, uint64_t done, uint64_t total)>;

struct SealOptions {
    uint32_t chunk_size = kDefaultChunkSize;
    bool overwrite = false;
    SealProgress progress;
};

// Seals GGUF file `in` into `out`. Throws SealError (or GgufError when `in` is not valid GGUF).
SealHeader seal_model(const std::string& in, const std::string& out, const SealKey& key, const SealOptions& options);

// Restores the original GGUF file and checks its SHA-256 against the header. Throws SealError.
SealHeader unseal_model(const std::string& in, const std::string& out, const SealKey& key, bool overwrite,
                        const SealProgress& progress = {});

struct VerifyResult {
    bool ok = false;
    std::string message;  // "OK ..." or the first failure (a chunk, the header, the hash)
    uint64_t chunks_checked = 0;
    SealHeader header;
};

// Authenticates the header and every chunk and checks the plaintext SHA-256. Never throws for a
// bad file: the failure is in the result.
VerifyResult verify_sealed(const std::string& path, const SealKey& key, const SealProgress& progress = {});

}  // namespace veil
