// --key-file FILE / --key-env NAME: where a sealed model's key comes from, for every command that
// takes a model file on the command line (generate, parity, bench, plan, serve, model ...).
#pragma once

#include "cli/options.h"
#include "config/config.h"

namespace veil::cli {

void add_key_options(CommandLine& cl);

// Records the key source in `model` (and marks it sealed when one is given). Throws UsageError
// when both are given, or when a sealed model (.veil) has neither.
void apply_sealed_key_options(const CommandLine& cl, ModelConfig& model);

}  // namespace veil::cli
