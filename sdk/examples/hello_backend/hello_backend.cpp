// hello_backend — the smallest complete Veil backend, as a template for third parties.
//
// It is not a language model: it "predicts" that token t is followed by token t+1 (mod n_vocab),
// which is enough to exercise every slot of the backend ABI (load through the model source,
// sessions, eval with logits, rewind, stats) with results a test can check exactly.
#include <algorithm>
#include <string>
#include <vector>

#include "veil/plugin.hpp"

namespace {

class HelloSession final : public veil::sdk::Session {
public:
    HelloSession(uint32_t n_vocab, uint32_t n_ctx) : n_vocab_(n_vocab), n_ctx_(n_ctx) {}

    void eval(const int32_t* tokens, size_t n, float* logits) override {
        if (n == 0) throw veil::sdk::Error(VEIL_ERR_INVALID_ARGUMENT, "eval needs at least one token");
        if (history_.size() + n > n_ctx_)
            throw veil::sdk::Error(VEIL_ERR_INVALID_ARGUMENT,
                                   "context full: " + std::to_string(history_.size()) + " + " + std::to_string(n) +
                                       " tokens exceed n_ctx " + std::to_string(n_ctx_));
        for (size_t i = 0; i < n; ++i) {
            if (tokens[i] < 0 || static_cast<uint32_t>(tokens[i]) >= n_vocab_)
                throw veil::sdk::Error(VEIL_ERR_INVALID_ARGUMENT, "token " + std::to_string(tokens[i]) + " out of range");
            history_.push_back(tokens[i]);
        }
        if (logits != nullptr) {
            std::fill(logits, logits + n_vocab_, 0.0f);
            logits[(static_cast<uint32_t>(history_.back()) + 1) % n_vocab_] = 1.0f;
        }
    }
    uint32_t position() const override { return static_cast<uint32_t>(history_.size()); }
    void rewind(uint32_t n_past) override {
        if (n_past > history_.size()) throw veil::sdk::Error(VEIL_ERR_INVALID_ARGUMENT, "rewind past the end");
        history_.resize(n_past);
    }

private:
    uint32_t n_vocab_, n_ctx_;
    std::vector<int32_t> history_;
};

class HelloModel final : public veil::sdk::Model {
public:
    explicit HelloModel(uint32_t n_vocab) : n_vocab_(n_vocab) {}
    veil_model_info info() const override {
        veil_model_info i{};
        i.n_vocab = n_vocab_;
        i.n_ctx_train = 512;
        return i;
    }
    std::unique_ptr<veil::sdk::Session> create_session(uint32_t n_ctx) override {
        return std::make_unique<HelloSession>(n_vocab_, n_ctx == 0 ? 512 : n_ctx);
    }

private:
    uint32_t n_vocab_;
};

class HelloBackend final : public veil::sdk::Backend {
public:
    static constexpr const char* kName = "hello_backend";
    static constexpr const char* kVersion = "0.1.0";
    static constexpr uint64_t kCapabilities = VEIL_CAP_BACKEND_FULL_RESIDENT;

    static veil::sdk::ProbeResult probe(const veil::sdk::Host&, const std::string&) { return {1, ""}; }

    HelloBackend(const veil::sdk::Host& host, const std::string&) : log_(host.logger(kName)) {
        log_->info("hello_backend created");
    }

    std::unique_ptr<veil::sdk::Model> load(const veil_model_source& source, const std::string&) override {
        // The vocabulary size is the length of the tokenizer's token list.
        veil_meta_value v{};
        source.meta_get(source.ctx, "tokenizer.ggml.tokens", &v);
        if (v.kind != VEIL_META_ARRAY || v.array_len == 0)
            throw veil::sdk::Error(VEIL_ERR_INVALID_ARGUMENT, "model has no tokenizer.ggml.tokens array");
        return std::make_unique<HelloModel>(static_cast<uint32_t>(v.array_len));
    }

private:
    std::shared_ptr<spdlog::logger> log_;
};

}  // namespace

VEIL_EXPORT_PLUGIN(HelloBackend)
