// `veil model <sub>`: the subcommands of the model group and what they share (key options,
// progress display). Adding a subcommand: define `ModelSubcommand model_<name>_subcommand()` in
// its own cmd_model_<name>.cpp, declare it below and add one entry to the table in cmd_model.cpp.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/key_options.h"
#include "cli/options.h"
#include "sealed/seal_key.h"
#include "sealed/sealer.h"

namespace veil::cli {

struct ModelSubcommand {
    std::string_view name;     // "seal"
    std::string_view summary;  // one line for `veil model --help`
    // `args` excludes "veil model <name>". Returns the exit code; usage errors throw UsageError.
    int (*run)(const std::vector<std::string>& args);
};

ModelSubcommand model_keygen_subcommand();
ModelSubcommand model_seal_subcommand();
ModelSubcommand model_unseal_subcommand();
ModelSubcommand model_verify_subcommand();
ModelSubcommand model_inspect_subcommand();
ModelSubcommand model_quantize_subcommand();
ModelSubcommand model_synth_subcommand();

// The key the options name; nullopt when neither was given and !required. Both at once, or
// neither when required, is a UsageError.
std::optional<SealKey> key_from_options(const CommandLine& cl, bool required);

// Exactly `n` positional arguments (named in `what` for the message), or a UsageError.
void expect_positional(const CommandLine& cl, size_t n, const std::string& what);

// A progress bar on stderr when it is a terminal; does nothing otherwise (logs, CI, pipes).
class TtyProgress {
public:
    TtyProgress();
    ~TtyProgress();  // ends the bar's line
    TtyProgress(const TtyProgress&) = delete;
    TtyProgress& operator=(const TtyProgress&) = delete;
    // The callback to hand to seal/unseal/verify; empty when stderr is not a terminal.
    SealProgress callback();

private:
    bool enabled_;
    bool drawn_ = false;
    std::string phase_;
    int last_permille_ = -1;
};

}  // namespace veil::cli
