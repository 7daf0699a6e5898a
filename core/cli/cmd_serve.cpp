// veil serve: the OpenAI-compatible HTTP API for the configured models, on TCP or (through the
// transport_vsock plugin) vsock/unix sockets. Stops gracefully on SIGTERM/SIGINT.
#include <csignal>
#include <filesystem>
#include <iostream>
#include <pthread.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <spdlog/spdlog.h>

#include "cli/command.h"
#include "cli/key_options.h"
#include "cli/options.h"
#include "config/config.h"
#include "plugin_host/plugin_host.h"
#include "plugin_host/tee_choice.h"
#include "policy/epc_sharing.h"
#include "attest/attester.h"
#include "runtime/model_files.h"
#include "runtime/model_loader.h"
#include "server/attestation_routes.h"
#include "server/server.h"
#include "util/paths.h"

namespace veil::cli {

namespace {

// --simulate snp|tdx: the TEE plugin runs in its labelled simulation mode and becomes the
// configured provider.
void apply_simulation(Config& config, const std::string& which) {
    if (which != "snp" && which != "tdx") throw UsageError("--simulate must be snp or tdx (got '" + which + "')");
    const std::string name = "tee_" + which;
    for (auto& spec : config.plugins) {
        if (spec.name != name) continue;
        Poco::JSON::Parser parser;
        auto obj = parser.parse(spec.config_json.empty() ? "{}" : spec.config_json).extract<Poco::JSON::Object::Ptr>();
        obj->set("mode", std::string("simulate"));
        std::ostringstream out;
        Poco::JSON::Stringifier::condense(obj, out);
        spec.config_json = out.str();
        config.tee = name;
        return;
    }
    throw UsageError("--simulate " + which + ": the configuration lists no plugin named '" + name + "'");
}

bool tee_active(const Config& config, const PluginHost& host) {
    if (config.tee == "none") return false;
    for (const Plugin* p : host.ready(VEIL_KIND_TEE))
        if (config.tee == "auto" || config.tee == p->spec.name) return true;
    return false;
}

void print_banner(const std::string& url, const std::vector<ModelConfig>& models, bool tcp) {
    std::string ids;
    for (const auto& m : models) ids += (ids.empty() ? "'" : ", '") + m.id + "'";
    const std::string& model_id = models.front().id;
    std::cout << "veil is serving " << ids << " at " << url << "\n";
    if (tcp) {
        std::cout << "  try:  curl " << url << "/v1/chat/completions -H 'Content-Type: application/json' -d '"
                  << R"({"model":")" << model_id << R"(","messages":[{"role":"user","content":"Hello"}]})" << "'\n"
                  << "  chat: veil chat --url " << url << "\n";
    } else if (url.rfind("unix://", 0) == 0) {
        std::cout << "  try:  curl --unix-socket " << url.substr(7) << " http://veil/v1/models\n";
    }
    std::cout << std::flush;
}

int run(const std::vector<std::string>& args) {
    CommandLine cl("serve",
                   "--config FILE [--model-path PATH [--key-file K | --key-env NAME]] [--listen URL] [--simulate snp|tdx] "
                   "[--chat-template NAME]",
                   "Serves every model in the configuration's models: list (or just --model-path) over an "
                   "OpenAI-compatible HTTP API (requests pick one with \"model\"): "
                   "/v1/chat/completions, /v1/completions, /v1/models, /tokenize, /detokenize, /health, /ready, "
                   "/metrics. Listens on tcp://HOST:PORT, or on vsock://ANY:PORT / unix:///path through the "
                   "transport_vsock plugin. SIGTERM/SIGINT drain running requests, then exit 0.");
    cl.option("config", "c", "FILE", "configuration file (YAML)", true)
        .option("model-path", "m", "PATH", "serve this model file instead (model id = file stem)");
    add_key_options(cl);
    cl.option("listen", "l", "URL", "overrides server.listen: tcp://HOST:PORT, vsock://ANY:PORT, unix:///path")
        .option("simulate", "", "snp|tdx", "run that TEE plugin in simulation mode (attestation is NOT real)")
        .option("chat-template", "", "NAME", "chat format override: " + chat::family_names());
    if (!cl.parse(args, std::cout)) return 0;

    // Signals are taken synchronously by this thread (sigwait), so they are blocked before any
    // thread starts and every thread inherits the mask. SIGPIPE must never kill the server when a
    // client disconnects mid-write. SIGHUP (the terminal of `make run` closing) drains like
    // SIGTERM instead of ending the process mid-request.
    std::signal(SIGPIPE, SIG_IGN);
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    Config config = load_config(cl.get("config"), default_plugin_dir());
    if (cl.has("listen")) config.server.listen = cl.get("listen");
    if ((cl.has("key-file") || cl.has("key-env")) && !cl.has("model-path"))
        throw UsageError("--key-file/--key-env go with --model-path (configured models name their key in the configuration)");
    std::vector<ModelConfig> models = config.models;
    if (cl.has("model-path")) {
        models = {select_model(config, std::nullopt, cl.get("model-path"))};
        apply_sealed_key_options(cl, models.front());
    } else if (models.empty()) {
        throw std::runtime_error(config.file + ": no models are configured (models: is empty); give --model-path");
    }
    if (cl.has("simulate")) apply_simulation(config, cl.get("simulate"));

    PluginHost host;
    host.load_all(config.plugins);  // logs each plugin that is unusable here, with the reason
    // A plugin the configuration enables but that cannot be used at all (missing file, sha256 pin
    // mismatch, wrong ABI, rejected configuration, failed create) is a broken deployment: serving
    // without it would quietly drop what it was configured for (attestation, a transport, a
    // backend). "Unusable here" (e.g. no TEE device on this machine) is not that, and only warns.
    std::string refused;
    for (const auto& p : host.plugins())
        if (p->status == PluginStatus::Refused) refused += "\n  " + p->message();
    if (!refused.empty())
        throw std::runtime_error(config.file + ": configured plugins cannot be used:" + refused +
                                 "\nfix them, or set 'enabled: false' on those not needed");
    if (cl.has("simulate"))
        std::cout << "*** SIMULATED ATTESTATION (--simulate " << cl.get("simulate")
                  << "): evidence is not from TEE hardware and proves nothing ***\n";

    const bool tee = tee_active(config, host);
    auto options = server::ServerOptions::from_config(config, config.logging.log_content.value_or(!tee));
    options.chat_template = cl.get("chat-template");
    if (config.server.api_key_env && options.api_key.empty())
        spdlog::warn("server.api_key_env names '{}', which is not set: requests need no API key",
                     *config.server.api_key_env);

    server::Server srv(options, &host);
    // GET /v1/attestation from the active TEE provider; readiness "tee" waits for the self-check.
    Plugin* tee_provider = tee ? choose_tee(config, host) : nullptr;
    server::add_attestation_routes(srv.routes(), srv.context(), host, tee_provider, config.sha256);
    if (tee_provider) {
        srv.readiness().require("tee", "attestation self-check pending");
        if (tee_is_simulated(*tee_provider) && !cl.has("simulate"))
            std::cout << "*** SIMULATED ATTESTATION (" << tee_provider->spec.name
                      << " mode: simulate): evidence is not from TEE hardware and proves nothing ***\n";
    }
    // Listening starts before the model loads: /health answers at once, /ready turns 200 later.
    const std::string url = srv.listen(config.server.listen);
    if (tee_provider) {
        try {
            server::tee_self_check(host, *tee_provider, config.sha256);
            srv.readiness().set("tee", true);
            spdlog::info("attestation self-check with {} passed{}", tee_provider->spec.name,
                         tee_is_simulated(*tee_provider) ? " (SIMULATED evidence)" : "");
        } catch (const std::exception& e) {
            srv.readiness().set("tee", false, std::string("attestation self-check failed: ") + e.what());
            spdlog::error("attestation self-check with {} failed: {}", tee_provider->spec.name, e.what());
        }
    }
    // Every model gets its own `parallel` sessions; the server's admission bounds how many
    // generations run at once across all of them.
    std::vector<std::shared_ptr<ServedModel>> served;
    try {
        for (const ModelConfig& model : models)
            served.push_back(load_served_model(config, host, model, config.server.parallel));
        std::vector<PolicyDecision> decisions;
        for (const auto& m : served) decisions.push_back(m->decision());
        if (auto overcommit = shared_epc_overcommit(decisions)) spdlog::warn("{}", *overcommit);
        srv.set_models(served);
    } catch (const std::exception& e) {
        std::cerr << "veil serve: error: " << e.what() << '\n';
        srv.shutdown();
        return 1;
    }
    print_banner(url, models, url.rfind("http://", 0) == 0);

    int sig = 0;
    sigwait(&stop_signals, &sig);
    spdlog::info("{} received: draining (up to {}s)", sig == SIGTERM ? "SIGTERM" : sig == SIGINT ? "SIGINT" : "SIGHUP",
                 options.drain_seconds);
    bool drained = srv.shutdown();
    spdlog::info(drained ? "all requests finished; exiting" : "drain period over; remaining requests cancelled");
    return 0;
}

}  // namespace

Command serve_command() { return {"serve", "serve a model over the OpenAI-compatible HTTP API", run}; }

}  // namespace veil::cli
