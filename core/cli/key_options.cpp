#include "cli/key_options.h"

namespace veil::cli {

void add_key_options(CommandLine& cl) {
    cl.option("key-file", "", "FILE", "key of a sealed model: a file of 32 raw bytes or 64 hex characters")
        .option("key-env", "", "NAME", "environment variable holding a sealed model's key as 64 hex characters");
}

void apply_sealed_key_options(const CommandLine& cl, ModelConfig& model) {
    if (cl.has("key-file") && cl.has("key-env")) throw UsageError("give --key-file or --key-env, not both");
    if (cl.has("key-file")) model.key_file = cl.get("key-file");
    if (cl.has("key-env")) model.key_env = cl.get("key-env");
    if (model.key_file || model.key_env) model.format = "sealed";
    if (model.format == "sealed" && !model.key_file && !model.key_env)
        throw UsageError(model.path + " is a sealed model: give --key-file or --key-env");
}

}  // namespace veil::cli
