// Options shared by the commands that run a model file directly (generate, parity, bench):
// --model PATH [--key-file K | --key-env NAME] [--backend auto|full|stream] [--threads N]
// [--config F]. Without --config, the backend plugins come from the folder beside `veil`.
#pragma once

#include "cli/options.h"
#include "config/config.h"
#include "runtime/loaded_model.h"

namespace veil::cli {

void add_model_options(CommandLine& cl);

struct ModelSelection {
    Config config;
    ModelConfig model;
    LoadOptions load;
};

// Throws UsageError for contradictory or malformed options.
ModelSelection select_model_from_options(const CommandLine& cl);

}  // namespace veil::cli
