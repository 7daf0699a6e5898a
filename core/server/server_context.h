// What every request handler shares: settings, the served models, admission, readiness, metrics.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include "chat/model_chat_format.h"
#include "runtime/served_model.h"
#include "server/admission.h"
#include "server/metrics.h"
#include "server/readiness.h"
#include "server/server_options.h"

namespace veil::server {

class ServerContext {
public:
    explicit ServerContext(ServerOptions o) : options(std::move(o)), admission(options.parallel, options.queue) {
        readiness.require("model", "not loaded yet");
    }

    const ServerOptions options;
    Metrics metrics;
    Admission admission;
    Readiness readiness;
    // Set once the drain period is over: running generations stop at their next token.
    std::atomic<bool> cancel_all{false};
    // Set on shutdown: keep-alive connections end after their current response, and generations
    // that arrive on them are refused.
    std::atomic<bool> draining{false};
    // HTTP requests being handled right now (the drain waits for them).
    std::atomic<int> in_flight{0};

    // A served model and its chat format.
    struct Loaded {
        std::shared_ptr<ServedModel> model;
        chat::ModelChatFormat chat_format;
    };
    // The served models in configuration order (the first answers requests that name none);
    // empty until loaded (requests get 503 meanwhile).
    std::vector<Loaded> models() const {
        std::lock_guard lock(mu_);
        return models_;
    }
    void set_models(std::vector<Loaded> models) {
        {
            std::lock_guard lock(mu_);
            models_ = std::move(models);
        }
        readiness.set("model", true);
    }

private:
    mutable std::mutex mu_;
    std::vector<Loaded> models_;
};

}  // namespace veil::server
