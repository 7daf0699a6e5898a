// What every request handler shares: settings, the served model, admission, readiness, metrics.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>

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

    // The model and its chat format; null until loaded (requests get 503 meanwhile).
    struct Loaded {
        std::shared_ptr<ServedModel> model;
        chat::ModelChatFormat chat_format;
    };
    std::optional<Loaded> loaded() const {
        std::lock_guard lock(mu_);
        return loaded_;
    }
    void set_loaded(Loaded l) {
        {
            std::lock_guard lock(mu_);
            loaded_ = std::move(l);
        }
        readiness.set("model", true);
    }

private:
    mutable std::mutex mu_;
    std::optional<Loaded> loaded_;
};

}  // namespace veil::server
