// POST /v1/chat/completions and /v1/completions: parse, admit, generate, answer (whole or SSE).
#include <chrono>
#include <stdexcept>

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <spdlog/spdlog.h>

#include "server/api_error.h"
#include "server/http_io.h"
#include "server/openai_request.h"
#include "server/openai_response.h"
#include "server/peer.h"
#include "server/routes.h"
#include "server/sse.h"
#include "util/valid_utf8.h"

namespace veil::server {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// Records time-to-first-token and inter-token latency as text pieces arrive.
class TokenTimer {
public:
    TokenTimer(ModelMetrics& m, Clock::time_point start) : m_(m), start_(start) {}
    void piece() {
        auto now = Clock::now();
        if (!first_)
            m_.observe_time_to_first_token(std::chrono::duration<double>(now - start_).count());
        else
            m_.observe_inter_token_latency(std::chrono::duration<double>(now - last_).count());
        first_ = true;
        last_ = now;
    }

private:
    ModelMetrics& m_;
    Clock::time_point start_, last_;
    bool first_ = false;
};

// `prompt_text` receives the text that was tokenized (for content logging only).
GenerationRequest build_generation(const CompletionRequest& cr, const ServerContext::Loaded& loaded,
                                   std::string& prompt_text) {
    const ServedModel& model = *loaded.model;
    GenerationRequest g;
    g.sampling = cr.sampling;
    g.stop = cr.stop;
    if (cr.chat) {
        std::string prompt;
        try {
            prompt = loaded.chat_format.prompt(cr.messages);
        } catch (const std::invalid_argument& e) {
            throw invalid_request("invalid_value", std::string("'messages': ") + e.what());
        }
        // Template markers in the rendered prompt must become their special tokens.
        g.prompt = model.tokenize(prompt, true, true);
        prompt_text = prompt;
        for (auto& marker : loaded.chat_format.stop_markers()) g.stop.push_back(marker);
    } else if (!cr.prompt_tokens.empty()) {
        for (int32_t t : cr.prompt_tokens)
            if (static_cast<uint32_t>(t) >= model.n_vocab())
                throw invalid_request("invalid_value", "'prompt' holds token id " + std::to_string(t) +
                                                           ", beyond the vocabulary (" +
                                                           std::to_string(model.n_vocab()) + ")");
        g.prompt = cr.prompt_tokens;
    } else {
        // Raw completion text is the user's: it must not smuggle in control tokens.
        g.prompt = model.tokenize(cr.prompt, true, false);
        prompt_text = cr.prompt;
    }
    uint32_t n_ctx = model.n_ctx();
    if (g.prompt.size() >= n_ctx)
        throw invalid_request("context_length_exceeded",
                              "the prompt is " + std::to_string(g.prompt.size()) +
                                  " tokens; the model's context holds " + std::to_string(n_ctx) +
                                  " (including at least one generated token)");
    uint32_t room = n_ctx - static_cast<uint32_t>(g.prompt.size());
    g.max_tokens = cr.max_tokens ? std::min(*cr.max_tokens, room) : room;
    return g;
}

// Takes a generation slot or throws the refusal (503 + Retry-After).
Admission::Ticket admit(ServerContext& ctx, Poco::Net::HTTPServerRequest& request) {
    Admission::Refusal why{};
    auto ticket = ctx.admission.enter([&] { return peer_closed(request); }, &why);
    if (ticket) return std::move(*ticket);
    switch (why) {
        case Admission::Refusal::QueueFull:
            throw overloaded("the server is at capacity (" + std::to_string(ctx.options.parallel) +
                                 " running, " + std::to_string(ctx.options.queue) + " waiting); retry later",
                             ctx.options.retry_after_seconds);
        case Admission::Refusal::Closed: throw overloaded("the server is shutting down", 5);
        case Admission::Refusal::Abandoned: break;
    }
    throw ApiError(499, "invalid_request_error", "client_closed", "the client closed the connection while waiting");
}

void log_result(const ServerContext& ctx, const CompletionRequest& cr, const std::string& model_id,
                const GenerationResult& r, Clock::time_point start, const std::string& prompt_text) {
    spdlog::info("{} done: model={} prompt_tokens={} completion_tokens={} finish={} seconds={:.3f} tok/s={:.1f}",
                 cr.chat ? "chat" : "completion", model_id, r.prompt_tokens, r.completion_tokens, r.finish_reason,
                 seconds_since(start), r.decode_tps());
    if (ctx.options.log_content) spdlog::debug("prompt: {}\ncompletion: {}", prompt_text, r.text);
}

std::string public_finish_reason(const GenerationResult& r) {
    // "cancelled" only reaches a client that is still there when the drain period ran out: the
    // output was cut short by a limit, which OpenAI clients know as "length".
    return r.finish_reason == "stop" ? "stop" : "length";
}

void handle(ServerContext& ctx, Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
            bool chat) {
    const auto start = Clock::now();
    auto body = parse_json_object(read_body(request, ctx.options.max_body_bytes, ctx.options.read_timeout_seconds));
    CompletionRequest cr = parse_completion_request(*body, chat);
    auto loaded = require_model(ctx, cr.model);
    ModelMetrics& metrics = ctx.metrics.model(loaded.model->id());
    std::string prompt_text;
    GenerationRequest g = build_generation(cr, loaded, prompt_text);
    if (ctx.draining) throw overloaded("the server is shutting down", 5);
    Admission::Ticket ticket = admit(ctx, request);

    ResponseIdentity who = new_identity(chat, loaded.model->id());
    TokenTimer timer(metrics, start);
    GenerationResult result;

    if (cr.stream) {
        response.setChunkedTransferEncoding(true);
        response.setContentType("text/event-stream");
        response.set("Cache-Control", "no-cache");
        response.set("X-Accel-Buffering", "no");  // proxies must not hold back the events
        SseWriter sse(response.send());
        if (chat) sse.send(chunk_json(who, std::string("assistant"), "", std::nullopt, cr.include_usage));
        try {
            result = loaded.model->generate(g, [&](std::string_view piece) {
                if (ctx.cancel_all) return false;
                timer.piece();
                // A failed write means the client is gone: stop generating and free the slot.
                return sse.send(chunk_json(who, std::nullopt, util::valid_utf8(piece), std::nullopt, cr.include_usage));
            });
        } catch (const std::exception& e) {
            // Headers are out; report in-band, as OpenAI does, then end the stream properly.
            spdlog::error("generation failed mid-stream: {}", e.what());
            sse.send(error_body(internal_error("generation failed")));
            sse.done();
            return;
        }
        metrics.add_prompt_tokens(result.prompt_tokens);
        metrics.add_generated_tokens(result.completion_tokens);
        log_result(ctx, cr, loaded.model->id(), result, start, prompt_text);
        if (!sse.ok()) return;
        Usage usage{result.prompt_tokens, result.completion_tokens};
        sse.send(chunk_json(who, std::nullopt, "", public_finish_reason(result), cr.include_usage));
        if (cr.include_usage) sse.send(usage_chunk_json(who, usage));
        sse.done();
        return;
    }

    auto last_poll = Clock::now();
    bool client_gone = false;
    try {
        result = loaded.model->generate(g, [&](std::string_view) {
            if (ctx.cancel_all) return false;
            timer.piece();
            // Checking for a hang-up costs a syscall; a few times per second is enough.
            if (Clock::now() - last_poll > std::chrono::milliseconds(50)) {
                last_poll = Clock::now();
                client_gone = peer_closed(request);
            }
            return !client_gone;
        });
    } catch (const std::invalid_argument& e) {
        throw invalid_request("context_length_exceeded", e.what());
    }
    metrics.add_prompt_tokens(result.prompt_tokens);
    metrics.add_generated_tokens(result.completion_tokens);
    log_result(ctx, cr, loaded.model->id(), result, start, prompt_text);
    if (client_gone) {
        spdlog::info("client closed the connection; generation cancelled after {} tokens", result.completion_tokens);
        response.setKeepAlive(false);
    }
    send_text(response, "application/json",
              completion_json(who, util::valid_utf8(result.text), public_finish_reason(result),
                              Usage{result.prompt_tokens, result.completion_tokens}));
}

}  // namespace

std::vector<ServerContext::Loaded> require_models(const ServerContext& ctx) {
    auto models = ctx.models();
    if (models.empty()) throw overloaded("the model is still loading; retry shortly", 5);
    return models;
}

ServerContext::Loaded require_model(const ServerContext& ctx, const std::string& id) {
    auto models = require_models(ctx);
    if (id.empty()) return models.front();
    std::string ids;
    for (auto& m : models) {
        if (m.model->id() == id) return m;
        ids += (ids.empty() ? "" : ", ") + m.model->id();
    }
    throw model_not_found("The model '" + id + "' does not exist on this server (served: " + ids + ")");
}

void add_completion_routes(Router& router, ServerContext& ctx) {
    router.add("POST", "/v1/chat/completions",
               [&ctx](Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& resp) { handle(ctx, req, resp, true); });
    router.add("POST", "/v1/completions", [&ctx](Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& resp) { handle(ctx, req, resp, false); });
}

}  // namespace veil::server
