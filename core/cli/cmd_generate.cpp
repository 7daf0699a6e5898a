// veil generate: run a model through the host and its backend plugin, streaming text to stdout —
// or, with --url, send the same request to an OpenAI-compatible server and stream its reply.
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include <fmt/format.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>

#include "cli/command.h"
#include "cli/model_options.h"
#include "client/openai_client.h"
#include "runtime/generation.h"
#include "runtime/loaded_model.h"
#include "util/valid_utf8.h"

namespace veil::cli {

namespace {

// Sampling, length and stop flags, with the defaults both modes share (prompt not yet tokenized).
GenerationRequest request_from_options(const CommandLine& cl) {
    GenerationRequest req;
    req.max_tokens = static_cast<uint32_t>(cl.get_uint("n-predict", 128));
    req.sampling.temperature = static_cast<float>(cl.get_double("temp", 0.8));
    req.sampling.top_k = static_cast<int32_t>(cl.get_int("top-k", 40));
    req.sampling.top_p = static_cast<float>(cl.get_double("top-p", 0.95));
    req.sampling.min_p = static_cast<float>(cl.get_double("min-p", 0.05));
    req.sampling.repeat_penalty = static_cast<float>(cl.get_double("repeat-penalty", 1.0));
    req.sampling.seed = cl.get_uint("seed", 0);
    if (cl.has("stop")) req.stop.push_back(cl.get("stop"));
    return req;
}

int run_local(const CommandLine& cl) {
    if (cl.has("api-key")) throw UsageError("--api-key goes with --url (a server); a local model needs none");
    ModelSelection sel = select_model_from_options(cl);
    GenerationRequest req = request_from_options(cl);

    PluginHost plugins;
    plugins.load_all(sel.config.plugins);
    auto model = load_model(sel.config, plugins, sel.model, sel.load);
    req.prompt = model->tokenizer->encode(cl.get("prompt"), true, false);

    SessionState state;
    state.session = model->backend->new_session(model->n_ctx);
    const bool json = cl.has("json");
    GenerationResult r = generate(state, *model->tokenizer, model->backend->info().n_vocab, req,
                                  [&](std::string_view piece) {
                                      if (!json) std::cout << piece << std::flush;
                                      return true;
                                  });
    const double prefill_tps = r.prefill_seconds > 0 ? r.prompt_tokens / r.prefill_seconds : 0;
    const double decode_tps = r.decode_tps();
    if (json) {
        Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
        Poco::JSON::Array prompt_ids, ids;
        for (int32_t t : req.prompt) prompt_ids.add(t);
        for (int32_t t : r.tokens) ids.add(t);
        o.set("text", util::valid_utf8(r.text));  // the exact output is in "tokens"
        o.set("prompt_tokens", prompt_ids);
        o.set("tokens", ids);
        o.set("finish_reason", r.finish_reason);
        o.set("backend", model->decision.backend);
        o.set("prefill_tps", prefill_tps);
        o.set("decode_tps", decode_tps);
        Poco::JSON::Stringifier::stringify(o, std::cout);
        std::cout << '\n';
    } else {
        std::cout << '\n';
        const std::string decode = decode_tps > 0 ? fmt::format("{:.1f} tok/s", decode_tps) : "n/a (no decode step)";
        std::fprintf(stderr, "[%u prompt tokens, %u generated (%s) | prefill %.1f tok/s, decode %s | %s]\n",
                     r.prompt_tokens, r.completion_tokens, r.finish_reason.c_str(), prefill_tps, decode.c_str(),
                     model->decision.backend.c_str());
    }
    return 0;
}

// POST /v1/completions with the same prompt and sampling settings as a local run, so a greedy
// request prints the same text.
int run_remote(const CommandLine& cl) {
    for (const char* local_only : {"key-file", "key-env", "backend", "threads", "config", "json"})
        if (cl.has(local_only))
            throw UsageError(std::string("--") + local_only + " applies to a local model, not with --url");
    std::string api_key = cl.get("api-key");
    if (api_key.empty())
        if (const char* env = std::getenv("VEIL_API_KEY")) api_key = env;
    std::optional<client::OpenAiClient> server;
    try {
        server.emplace(cl.get("url"), api_key);
    } catch (const std::invalid_argument& e) {
        throw UsageError(std::string("--url ") + e.what());
    }
    const GenerationRequest req = request_from_options(cl);
    Poco::JSON::Object body(Poco::JSON_PRESERVE_KEY_ORDER);
    body.set("model", cl.has("model") ? cl.get("model") : server->first_model());
    body.set("prompt", cl.get("prompt"));
    body.set("max_tokens", req.max_tokens);
    body.set("temperature", req.sampling.temperature);
    body.set("top_k", req.sampling.top_k);
    body.set("top_p", req.sampling.top_p);
    body.set("min_p", req.sampling.min_p);
    body.set("repeat_penalty", req.sampling.repeat_penalty);
    body.set("seed", static_cast<int64_t>(req.sampling.seed));  // the server reads the same 64 bits back
    if (!req.stop.empty()) body.set("stop", req.stop.front());

    // Errors (the server's status and message, or why it cannot be reached) reach main's report.
    client::StreamResult r =
        server->stream("/v1/completions", body, [](std::string_view piece) { std::cout << piece << std::flush; });
    std::cout << '\n';
    std::fprintf(stderr, "[%u prompt tokens, %u generated (%s) | first token after %.0f ms, %.1f tok/s | %s]\n",
                 r.prompt_tokens, r.completion_tokens, r.finish_reason.c_str(), r.first_piece_seconds * 1000,
                 r.tokens_per_second(), body.getValue<std::string>("model").c_str());
    return 0;
}

int run(const std::vector<std::string>& args) {
    CommandLine cl("generate",
                   "--model PATH --prompt TEXT [-n N] [--temp T] [--top-k K] [--top-p P] [--seed S] "
                   "[--threads N] [--backend full|stream] [--json]\n"
                   "       veil generate --url URL [--model ID] [--api-key K] --prompt TEXT [-n N] [--temp T] ...",
                   "Generates text from a prompt with a model loaded by a backend plugin (the same path the server "
                   "uses), streaming it to stdout; timings go to stderr. With --url, sends the request to an "
                   "OpenAI-compatible server (POST /v1/completions, streamed) instead, and --model names one of "
                   "its models (default: its first).");
    add_model_options(cl);
    cl.option("url", "u", "URL", "a server to ask instead: http://HOST:PORT or unix:///path/to/socket")
        .option("api-key", "", "KEY", "the server's API key (default: $VEIL_API_KEY)")
        .option("prompt", "p", "TEXT", "the prompt", true)
        .option("n-predict", "n", "N", "tokens to generate (default 128)")
        .option("temp", "", "T", "temperature; 0 = greedy (default 0.8)")
        .option("top-k", "", "K", "keep the K most likely tokens; 0 = off (default 40)")
        .option("top-p", "", "P", "nucleus sampling; 1 = off (default 0.95)")
        .option("min-p", "", "P", "drop tokens below P x the top probability (default 0.05)")
        .option("repeat-penalty", "", "R", "penalise recent tokens; 1 = off (default 1)")
        .option("seed", "s", "S", "random seed (default 0)")
        .option("stop", "", "TEXT", "stop when this text is generated")
        .flag("json", "", "print one JSON object (text, tokens, counts, speeds) instead of streaming");
    if (!cl.parse(args, std::cout)) return 0;
    return cl.has("url") ? run_remote(cl) : run_local(cl);
}

}  // namespace

Command generate_command() { return {"generate", "generate text from a prompt, locally or from a server", run}; }

}  // namespace veil::cli
