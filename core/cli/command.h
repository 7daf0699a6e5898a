// A `veil` subcommand: one file per command defines a function returning its Command, and
// commands.cpp lists them in the order `veil --help` shows.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace veil::cli {

struct Command {
    std::string_view name;     // "tokenize"
    std::string_view summary;  // one line for `veil --help`
    // Runs the command; `args` excludes "veil" and the command name. Returns the exit code.
    // Usage errors throw UsageError (see options.h); other failures print and return non-zero.
    int (*run)(const std::vector<std::string>& args);
};

const std::vector<Command>& all_commands();

}  // namespace veil::cli
