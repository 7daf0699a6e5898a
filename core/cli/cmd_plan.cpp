// veil plan: which backend the policy engine picks for a model, and why — without loading weights.
#include <iostream>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>

#include "cli/command.h"
#include "cli/key_options.h"
#include "cli/options.h"
#include "config/config.h"
#include "plugin_host/plugin_host.h"
#include "policy/plan.h"
#include "runtime/model_files.h"
#include "util/paths.h"

namespace veil::cli {

namespace {

void print_json(const PolicyDecision& d, std::ostream& out) {
    Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
    o.set("model", d.model);
    o.set("model_bytes", d.model_bytes);
    o.set("epc_bytes", d.epc_source == "none" ? Poco::Dynamic::Var() : Poco::Dynamic::Var(d.epc_bytes));
    o.set("epc_source", d.epc_source);
    o.set("threshold", d.threshold);
    o.set("backend", d.backend);
    o.set("memory_budget", d.memory_budget);
    o.set("reason", d.reason);
    Poco::JSON::Stringifier::stringify(o, out, 2);
    out << '\n';
}

int run(const std::vector<std::string>& args) {
    CommandLine cl("plan", "--config FILE [--model ID | --model-path PATH [--key-file K | --key-env NAME]] [--epc-bytes N] [--json]",
                   "Prints the policy engine's decision for a model — backend_full or backend_stream, the memory "
                   "budget, and the reason — reading only the model's tensor table. Exits 1 when no backend can "
                   "hold the model, with the numbers.");
    cl.option("config", "c", "FILE", "configuration file (YAML)", true)
        .option("model", "m", "ID", "a model id from the configuration (default: the first)")
        .option("model-path", "", "PATH", "a model file instead of a configured model");
    add_key_options(cl);
    cl.option("epc-bytes", "", "N", "protected memory size, standing in for the TEE provider's report")
        .flag("json", "", "print the decision as JSON");
    if (!cl.parse(args, std::cout)) return 0;
    if (cl.has("model") && cl.has("model-path")) throw UsageError("give --model or --model-path, not both");

    Config config = load_config(cl.get("config"), default_plugin_dir());
    if ((cl.has("key-file") || cl.has("key-env")) && !cl.has("model-path"))
        throw UsageError("--key-file/--key-env go with --model-path (configured models name their key in the configuration)");
    ModelConfig model = select_model(config, cl.maybe("model"), cl.maybe("model-path"));
    if (cl.has("model-path")) apply_sealed_key_options(cl, model);
    std::optional<uint64_t> epc;
    if (cl.has("epc-bytes")) epc = cl.get_uint("epc-bytes", 0);

    PluginHost plugins;
    plugins.load_all(config.plugins);
    uint64_t weight_bytes = model_weight_bytes(model);
    PolicyDecision d = decide_backend(gather_policy_inputs(config, plugins, model, weight_bytes, epc));
    if (cl.has("json")) {
        print_json(d, std::cout);
    } else {
        std::cout << "model:         " << d.model << " (" << human_bytes(d.model_bytes) << " of weights)\n"
                  << "epc:           "
                  << (d.epc_source == "none" ? std::string("unknown") : human_bytes(d.epc_bytes) + " from " + d.epc_source)
                  << "\nbackend:       " << d.backend << '\n';
        if (d.memory_budget) std::cout << "memory budget: " << human_bytes(d.memory_budget) << '\n';
        std::cout << "reason:        " << d.reason << '\n';
    }
    return 0;
}

}  // namespace

Command plan_command() { return {"plan", "show which backend the policy picks for a model, and why", run}; }

}  // namespace veil::cli
