#include "cli/model_synth_shape.h"

#include <charconv>
#include <sstream>
#include <vector>

#include "cli/options.h"

namespace veil::cli {

SynthShape parse_synth_shape(const std::string& spec) {
    SynthShape s;
    if (spec == "tinyllama-1.1b") {
        // TinyLlama-1.1B (llama architecture, grouped-query attention).
        s = SynthShape{"tinyllama-1.1b", 2048, 22, 5632, 32, 4, 32000, 2048};
        return s;
    }
    static const char* kFields[] = {"dim", "layers", "ffn", "heads", "kv_heads", "vocab"};
    std::vector<uint64_t> v;
    std::stringstream in(spec);
    std::string part;
    while (std::getline(in, part, ',')) {
        uint64_t x = 0;
        auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), x);
        const std::string field = v.size() < 6 ? kFields[v.size()] : "extra field";
        if (ec != std::errc() || end != part.data() + part.size() || x == 0 || x > (1u << 20))
            throw UsageError("--shape: " + field + " '" + part + "' is not a number in 1..1048576");
        v.push_back(x);
    }
    if (v.size() != 6)
        throw UsageError("--shape must be tinyllama-1.1b or dim,layers,ffn,heads,kv_heads,vocab (6 numbers), not '" +
                         spec + "'");
    s = SynthShape{"custom", v[0], v[1], v[2], v[3], v[4], v[5], 2048};
    if (s.dim % s.heads != 0) throw UsageError("--shape: heads (" + std::to_string(s.heads) + ") must divide dim");
    if (s.heads % s.kv_heads != 0)
        throw UsageError("--shape: kv_heads (" + std::to_string(s.kv_heads) + ") must divide heads");
    if (s.head_dim() % 2 != 0) throw UsageError("--shape: dim / heads must be even (RoPE rotates pairs)");
    return s;
}

}  // namespace veil::cli
