// A deterministic ServedModel for server tests: one token per byte, and a scripted completion
// emitted piece by piece with an optional delay, honouring max_tokens, stop strings and
// cancellation exactly as the seam promises.
#pragma once

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "runtime/served_model.h"

namespace veil::test {

class FakeServedModel : public ServedModel {
public:
    explicit FakeServedModel(std::vector<std::string> script = {"Hello", " world", "!", " How", " are", " you", "?"},
                             int delay_ms = 0)
        : script_(std::move(script)), delay_ms_(delay_ms) {
        decision_.model = "fake";
        decision_.backend = "backend_full";
        decision_.reason = "test double";
    }

    const std::string& id() const override { return id_; }
    const std::string& sha256() const override { return sha_; }
    const PolicyDecision& decision() const override { return decision_; }
    uint32_t n_ctx() const override { return n_ctx_; }
    uint32_t n_vocab() const override { return 256; }

    std::vector<int32_t> tokenize(std::string_view text, bool add_bos, bool) const override {
        std::vector<int32_t> out;
        if (add_bos) out.push_back(1);
        for (unsigned char c : text) out.push_back(c);
        return out;
    }
    std::string detokenize(const std::vector<int32_t>& tokens) const override {
        std::string s;
        for (int32_t t : tokens) s += static_cast<char>(t);
        return s;
    }
    std::optional<std::string> metadata_string(const std::string& key) const override {
        if (key == "tokenizer.chat_template" && !chat_template.empty()) return chat_template;
        return std::nullopt;
    }

    GenerationResult generate(const GenerationRequest& request, const TextCallback& on_text) override {
        if (request.prompt.size() >= n_ctx_) throw std::invalid_argument("prompt does not fit the context");
        ++active;
        ++started;
        last_prompt = request.prompt;
        GenerationResult r;
        r.prompt_tokens = static_cast<uint32_t>(request.prompt.size());
        r.finish_reason = "stop";
        for (size_t i = 0; i < script_.size(); ++i) {
            if (r.completion_tokens >= request.max_tokens) {
                r.finish_reason = "length";
                break;
            }
            if (delay_ms_ > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms_));
            if (static_cast<int>(i) == fail_at_piece) {
                --active;
                throw std::runtime_error("the backend failed (scripted)");
            }
            bool stop = false;
            for (const auto& s : request.stop)
                if (script_[i].find(s) != std::string::npos) stop = true;
            if (stop) break;
            ++r.completion_tokens;
            r.text += script_[i];
            if (!on_text(script_[i])) {
                r.finish_reason = "cancelled";
                break;
            }
        }
        last_finish = r.finish_reason;
        --active;
        ++finished;
        return r;
    }

    // Another identity, for servers with several models.
    void set_identity(std::string id, std::string sha256) {
        id_ = std::move(id);
        sha_ = std::move(sha256);
    }

    std::string backend_stats_json() const override { return R"({"bytes_read":1234,"io":{"reads":7}})"; }

    std::string chat_template;
    uint32_t n_ctx_ = 64;
    int fail_at_piece = -1;  // >= 0: generate throws before emitting that piece
    std::atomic<int> active{0}, started{0}, finished{0};
    std::string last_finish;
    std::vector<int32_t> last_prompt;

private:
    std::string id_ = "fake", sha_ = std::string(64, 'a');
    PolicyDecision decision_;
    std::vector<std::string> script_;
    int delay_ms_;
};

}  // namespace veil::test
