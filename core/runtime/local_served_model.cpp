// ServedModel over a LoadedModel: a fixed pool of backend sessions, one generation per session.
#include <condition_variable>
#include <mutex>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "runtime/generation.h"
#include "runtime/loaded_model.h"
#include "runtime/model_loader.h"

namespace veil {

namespace {

// Contexts beyond this are opt-in (n_ctx in the model's configuration): the KV cache of every
// session is allocated up front, and most training contexts are far larger than requests need.
constexpr uint32_t kDefaultMaxContext = 4096;

class LocalServedModel final : public ServedModel {
public:
    LocalServedModel(std::unique_ptr<LoadedModel> model, uint32_t parallel) : m_(std::move(model)) {
        // Decided by load_model, which told the backend: never 0 with a cap.
        const uint32_t n_ctx = m_->n_ctx;
        for (uint32_t i = 0; i < parallel; ++i) {
            auto s = std::make_unique<SessionState>();
            s->session = m_->backend->new_session(n_ctx);
            free_.push_back(s.get());
            sessions_.push_back(std::move(s));
        }
        n_ctx_ = n_ctx;
    }

    const std::string& id() const override { return m_->config.id; }
    const std::string& sha256() const override { return m_->sha256; }
    const PolicyDecision& decision() const override { return m_->decision; }
    uint32_t n_ctx() const override { return n_ctx_; }
    uint32_t n_vocab() const override { return m_->backend->info().n_vocab; }

    std::vector<int32_t> tokenize(std::string_view text, bool add_bos, bool parse_special) const override {
        return m_->tokenizer->encode(text, add_bos, parse_special);
    }
    std::string detokenize(const std::vector<int32_t>& tokens) const override { return m_->tokenizer->decode(tokens); }
    std::optional<std::string> metadata_string(const std::string& key) const override {
        auto v = m_->source->gguf().find_string(key);
        if (!v) return std::nullopt;
        return std::string(*v);
    }

    GenerationResult generate(const GenerationRequest& request, const TextCallback& on_text) override {
        SessionState* s = acquire();
        struct Release {
            LocalServedModel* self;
            SessionState* s;
            ~Release() { self->release(s); }
        } release{this, s};
        return veil::generate(*s, *m_->tokenizer, n_vocab(), request, on_text);
    }

    std::string backend_stats_json() const override { return m_->backend->stats_json(); }

private:
    SessionState* acquire() {
        std::unique_lock lock(mutex_);
        cv_.wait(lock, [&] { return !free_.empty(); });
        SessionState* s = free_.back();
        free_.pop_back();
        return s;
    }
    void release(SessionState* s) {
        {
            std::lock_guard lock(mutex_);
            free_.push_back(s);
        }
        cv_.notify_one();
    }

    std::unique_ptr<LoadedModel> m_;
    std::vector<std::unique_ptr<SessionState>> sessions_;  // destroyed before m_ (declared after)
    uint32_t n_ctx_ = 0;
    std::mutex mutex_;
    std::condition_variable cv_;
    std::vector<SessionState*> free_;
};

}  // namespace

std::unique_ptr<ServedModel> load_served_model(const Config& config, PluginHost& plugins, const ModelConfig& model,
                                               uint32_t parallel) {
    if (parallel == 0) throw std::invalid_argument("parallel must be at least 1");
    LoadOptions options;
    options.default_ctx_cap = kDefaultMaxContext;
    return std::make_unique<LocalServedModel>(load_model(config, plugins, model, options), parallel);
}

}  // namespace veil
