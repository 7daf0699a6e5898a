// A model ready to serve: loaded by a backend plugin, with its tokenizer and chosen backend.
// This is the seam between the HTTP server / CLI and the inference runtime.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/sampling.h"

namespace veil {

struct GenerationRequest {
    std::vector<int32_t> prompt;       // token ids, BOS included when wanted
    SamplingParams sampling;
    uint32_t max_tokens = 128;         // generation stops after this many tokens ("length")
    std::vector<std::string> stop;     // stop strings ("stop"); not included in the output text
};

struct GenerationResult {
    std::string text;                  // the completion, UTF-8 (stop string excluded)
    std::vector<int32_t> tokens;       // generated ids (including the one that completed a stop string)
    uint32_t prompt_tokens = 0;
    uint32_t completion_tokens = 0;
    std::string finish_reason;         // "stop" (EOS or stop string) | "length" | "cancelled"
    double prefill_seconds = 0, decode_seconds = 0;
    // Forward passes of one token after the prompt: the first generated token comes from the
    // prompt's logits and the last is not evaluated, so this is usually completion_tokens - 1.
    uint32_t decode_steps = 0;

    // Decode tok/s (decode_steps / decode_seconds); 0 when nothing was decoded.
    double decode_tps() const { return decode_steps > 0 && decode_seconds > 0 ? decode_steps / decode_seconds : 0; }
};

// Called with each new piece of completion text (whole UTF-8 characters, never part of a stop
// string). Returning false cancels the generation (finish_reason "cancelled").
using TextCallback = std::function<bool(std::string_view piece)>;

// Why a backend was chosen; what `veil plan` prints and /v1/models exposes.
struct PolicyDecision {
    std::string model;
    uint64_t model_bytes = 0;
    uint64_t epc_bytes = 0;
    std::string epc_source;            // "config" | "<tee plugin name>" | "none"
    double threshold = 0.75;
    std::string backend;               // "backend_full" | "backend_stream"
    uint64_t memory_budget = 0;        // for backend_stream; 0 otherwise
    std::string reason;
};

class ServedModel {
public:
    virtual ~ServedModel() = default;

    virtual const std::string& id() const = 0;
    virtual const std::string& sha256() const = 0;            // of the model file
    virtual const PolicyDecision& decision() const = 0;
    virtual uint32_t n_ctx() const = 0;                      // positions per session
    virtual uint32_t n_vocab() const = 0;

    // Thread-safe.
    virtual std::vector<int32_t> tokenize(std::string_view text, bool add_bos, bool parse_special) const = 0;
    virtual std::string detokenize(const std::vector<int32_t>& tokens) const = 0;
    // GGUF metadata string (e.g. "tokenizer.chat_template"), if present.
    virtual std::optional<std::string> metadata_string(const std::string& key) const = 0;

    // Runs one generation to completion on a free session, blocking the calling thread. Up to
    // `parallel` calls (see load_served_model) run concurrently; the caller bounds concurrency.
    // Throws std::invalid_argument when the prompt does not fit the context.
    virtual GenerationResult generate(const GenerationRequest& request, const TextCallback& on_text) = 0;

    // Backend counters (JSON object), for /metrics.
    virtual std::string backend_stats_json() const = 0;
};

}  // namespace veil
