#include "cli/model_options.h"

#include <filesystem>

#include "cli/key_options.h"
#include "runtime/model_files.h"
#include "util/paths.h"

namespace veil::cli {

void add_model_options(CommandLine& cl) {
    cl.option("model", "m", "PATH", "model file: GGUF, or a sealed model (.veil) with --key-file/--key-env");
    add_key_options(cl);
    cl.option("backend", "", "NAME", "auto (policy decides), full or stream; default auto")
        .option("threads", "t", "N", "compute threads of the backend (default: all cores)")
        .option("config", "c", "FILE", "take plugins and policy from this configuration (default: the backend "
                                       "plugins beside the veil binary, no TEE)");
}

namespace {

// The plugins a model needs when no configuration is given: both backends, no TEE.
Config builtin_config() {
    Config c;
    c.file = "(built-in defaults)";
    c.plugin_dir = default_plugin_dir();
    c.tee = "none";
    for (const char* name : {"backend_full", "backend_stream"}) {
        PluginSpec s;
        s.name = name;
        std::string stem = name;
        std::replace(stem.begin(), stem.end(), '_', '-');
        s.display_path = "libveil-" + stem + ".so";
        s.path = c.plugin_dir + "/" + s.display_path;
        c.plugins.push_back(s);
    }
    return c;
}

}  // namespace

ModelSelection select_model_from_options(const CommandLine& cl) {
    ModelSelection sel;
    sel.config = cl.has("config") ? load_config(cl.get("config"), default_plugin_dir()) : builtin_config();
    // Checked here rather than by the parser: `veil generate --url` takes --model as a server's model id.
    if (!cl.has("model")) throw UsageError("missing required option: --model");
    sel.model = select_model(sel.config, std::nullopt, cl.get("model"));
    apply_sealed_key_options(cl, sel.model);
    std::string backend = cl.get("backend", "auto");
    if (backend != "auto" && backend != "full" && backend != "stream")
        throw UsageError("--backend must be auto, full or stream (got '" + backend + "')");
    sel.model.backend = backend;
    if (cl.has("threads")) {
        int64_t t = cl.get_int("threads", 0);
        if (t < 1 || t > 1024) throw UsageError("--threads must be between 1 and 1024");
        sel.load.threads = static_cast<uint32_t>(t);
    }
    return sel;
}

}  // namespace veil::cli
