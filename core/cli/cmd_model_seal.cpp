// veil model seal / unseal / verify: the sealed-model file operations (core/sealed/sealer.h).
#include <charconv>
#include <iostream>

#include "cli/cmd_model.h"
#include "sealed/seal_error.h"
#include "util/sha256.h"

namespace veil::cli {

namespace {

// "65536", "64K", "64KiB", "1M", "1MiB".
uint32_t parse_chunk_size(const std::string& text) {
    uint64_t v = 0;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, v);
    std::string suffix(ptr, end);
    uint64_t mul = 0;
    if (suffix.empty()) mul = 1;
    else if (suffix == "K" || suffix == "k" || suffix == "KiB") mul = 1024;
    else if (suffix == "M" || suffix == "m" || suffix == "MiB") mul = 1024 * 1024;
    if (ec != std::errc() || ptr == text.data() || mul == 0)
        throw UsageError("option --chunk-size: '" + text + "' is not a size (e.g. 1048576, 64K, 1M)");
    v *= mul;
    if (v < kMinChunkSize || v > kMaxChunkSize)
        throw UsageError("option --chunk-size: " + std::to_string(v) + " bytes is outside " + std::to_string(kMinChunkSize) +
                         ".." + std::to_string(kMaxChunkSize));
    return static_cast<uint32_t>(v);
}

int run_seal(const std::vector<std::string>& args) {
    CommandLine cl("model seal", "IN.gguf OUT.veil (--key-file FILE | --key-env NAME) [--chunk-size N] [--force]",
                   "Encrypts a GGUF model's weights at rest: the metadata stays readable (and authenticated), the "
                   "data section is sealed in AES-256-GCM chunks that backends decrypt only as they read them. "
                   "Streams with bounded memory and writes through a temporary file, so nothing half-written is "
                   "left. See docs/sealed-model-format.md.");
    add_key_options(cl);
    cl.option("chunk-size", "", "N", "plaintext bytes per chunk (default 1M; 4K..256M; suffixes K, M)")
        .flag("force", "f", "replace OUT.veil if it exists");
    if (!cl.parse(args, std::cout)) return 0;
    expect_positional(cl, 2, "IN.gguf OUT.veil");
    SealOptions o;
    o.chunk_size = cl.has("chunk-size") ? parse_chunk_size(cl.get("chunk-size")) : kDefaultChunkSize;
    o.overwrite = cl.has("force");
    SealKey key = *key_from_options(cl, true);
    SealHeader h;
    {
        TtyProgress progress;
        o.progress = progress.callback();
        h = seal_model(cl.positional()[0], cl.positional()[1], key, o);
    }
    std::cout << "sealed " << cl.positional()[0] << " -> " << cl.positional()[1] << ": " << h.n_chunks << " chunks of "
              << h.chunk_size << " bytes, " << h.plaintext_size << " plaintext bytes, sha256 "
              << to_hex(h.plaintext_sha256.data(), kSha256Bytes) << ", key id " << key.id_hex() << '\n';
    return 0;
}

int run_unseal(const std::vector<std::string>& args) {
    CommandLine cl("model unseal", "IN.veil OUT.gguf (--key-file FILE | --key-env NAME) [--force]",
                   "Restores the original GGUF file byte for byte, checking every chunk and the plaintext SHA-256 "
                   "recorded when it was sealed. The output (mode 0600) appears only when all checks passed.");
    add_key_options(cl);
    cl.flag("force", "f", "replace OUT.gguf if it exists");
    if (!cl.parse(args, std::cout)) return 0;
    expect_positional(cl, 2, "IN.veil OUT.gguf");
    SealKey key = *key_from_options(cl, true);
    SealHeader h;
    {
        TtyProgress progress;
        h = unseal_model(cl.positional()[0], cl.positional()[1], key, cl.has("force"), progress.callback());
    }
    std::cout << "unsealed " << cl.positional()[0] << " -> " << cl.positional()[1] << ": " << h.plaintext_size
              << " bytes, sha256 " << to_hex(h.plaintext_sha256.data(), kSha256Bytes) << " (verified)\n";
    return 0;
}

int run_verify(const std::vector<std::string>& args) {
    CommandLine cl("model verify", "IN.veil (--key-file FILE | --key-env NAME)",
                   "Authenticates the header and every chunk and checks the plaintext SHA-256, without writing "
                   "anything. Prints OK, or the first failure (e.g. the chunk that was tampered with) and exits 1.");
    add_key_options(cl);
    if (!cl.parse(args, std::cout)) return 0;
    expect_positional(cl, 1, "IN.veil");
    SealKey key = *key_from_options(cl, true);
    VerifyResult r;
    {
        TtyProgress progress;
        r = verify_sealed(cl.positional()[0], key, progress.callback());
    }
    if (r.ok) {
        std::cout << r.message << '\n';
        return 0;
    }
    std::cout << "FAILED: " << r.message << '\n';
    return 1;
}

}  // namespace

ModelSubcommand model_seal_subcommand() { return {"seal", "encrypt a GGUF model's weights at rest", run_seal}; }
ModelSubcommand model_unseal_subcommand() { return {"unseal", "restore the original GGUF file from a sealed one", run_unseal}; }
ModelSubcommand model_verify_subcommand() { return {"verify", "check every chunk of a sealed model", run_verify}; }

}  // namespace veil::cli
