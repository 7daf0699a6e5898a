#include "runtime/generation.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <span>
#include <string>
#include <stdexcept>

#include "runtime/sampler.h"
#include "runtime/stop_strings.h"
#include "tokenizer/detokenizer.h"

namespace veil {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// Brings the session to `prompt` and leaves the logits after its last token in state.logits.
void prefill(SessionState& state, const std::vector<int32_t>& prompt) {
    size_t common = 0;
    const size_t limit = std::min(state.history.size(), prompt.size());
    while (common < limit && state.history[common] == prompt[common]) ++common;
    // The last prompt token is always evaluated: its logits start the generation.
    if (common == prompt.size()) --common;
    state.session->rewind(static_cast<uint32_t>(common));
    state.history.resize(common);
    try {
        state.session->eval(std::span<const int32_t>(prompt).subspan(common), state.logits.data());
    } catch (...) {
        // The backend leaves its position unchanged on failure; resynchronise what we believe.
        state.history.resize(state.session->position());
        throw;
    }
    state.history.assign(prompt.begin(), prompt.end());
}

// Weights holding NaN or Inf (a corrupt or badly converted file) leave logits that mean nothing;
// sampling from them would emit arbitrary tokens as if all were well. x * 0 is 0 for every finite
// x and NaN otherwise, so one vectorizable sum finds any non-finite logit.
void throw_unless_finite(std::span<const float> logits, size_t position) {
    float probe = 0.0f;
    for (float x : logits) probe += x * 0.0f;
    if (probe == 0.0f) return;
    for (size_t i = 0; i < logits.size(); ++i)
        if (!std::isfinite(logits[i]))
            throw std::runtime_error("the model's logit for token " + std::to_string(i) + " at position " +
                                     std::to_string(position) + " is " + (std::isnan(logits[i]) ? "NaN" : "Inf") +
                                     ": its weights hold NaN/Inf or overflow (is the model file corrupt?)");
}

}  // namespace

GenerationResult generate(SessionState& state, const Tokenizer& tokenizer, uint32_t n_vocab,
                          const GenerationRequest& request, const TextCallback& on_text) {
    const uint32_t n_ctx = state.session->n_ctx();
    if (request.prompt.empty()) throw std::invalid_argument("the prompt is empty");
    if (request.prompt.size() >= n_ctx)
        throw std::invalid_argument("the prompt has " + std::to_string(request.prompt.size()) +
                                    " tokens; the context holds " + std::to_string(n_ctx) +
                                    " (including at least one generated token)");
    for (int32_t t : request.prompt)
        if (t < 0 || static_cast<uint32_t>(t) >= n_vocab)
            throw std::invalid_argument("prompt token " + std::to_string(t) + " is outside the vocabulary");
    state.logits.resize(n_vocab);

    GenerationResult result;
    result.prompt_tokens = static_cast<uint32_t>(request.prompt.size());
    Sampler sampler(request.sampling, n_vocab);
    Detokenizer detok(tokenizer);
    StopStringFilter stops(request.stop);

    auto t0 = Clock::now();
    prefill(state, request.prompt);
    result.prefill_seconds = seconds_since(t0);

    auto emit = [&](const std::string& text) {
        if (text.empty()) return true;
        result.text += text;
        return on_text ? on_text(text) : true;
    };

    auto t1 = Clock::now();
    result.finish_reason = "length";
    while (result.completion_tokens < request.max_tokens) {
        throw_unless_finite(state.logits, state.history.size());
        const int32_t token = sampler.sample(state.logits, state.history);
        if (tokenizer.is_eog(token)) {
            result.finish_reason = "stop";
            break;
        }
        result.tokens.push_back(token);
        ++result.completion_tokens;
        if (!emit(stops.push(detok.push(token)))) {
            result.finish_reason = "cancelled";
            break;
        }
        if (stops.stopped()) {
            result.finish_reason = "stop";
            break;
        }
        if (result.completion_tokens == request.max_tokens) break;
        if (state.history.size() + 1 > n_ctx) break;  // context full: "length"
        state.session->eval(std::span<const int32_t>(&token, 1), state.logits.data());
        ++result.decode_steps;
        state.history.push_back(token);
    }
    if (result.finish_reason != "cancelled" && !stops.stopped()) {
        if (!emit(stops.push(detok.flush())) || !emit(stops.flush())) result.finish_reason = "cancelled";
        if (stops.stopped()) result.finish_reason = "stop";
    }
    result.decode_seconds = seconds_since(t1);
    return result;
}

}  // namespace veil
