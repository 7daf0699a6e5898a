#include "cli/command.h"

namespace veil::cli {

// Each command lives in its own cmd_<name>.cpp.
Command plugins_command();
Command plan_command();
Command model_command();
Command generate_command();
Command parity_command();
Command tokenize_command();
Command serve_command();
Command chat_command();
Command attest_command();
Command bench_command();

const std::vector<Command>& all_commands() {
    static const std::vector<Command> commands = {
        plugins_command(),
        plan_command(),
        model_command(),
        generate_command(),
        parity_command(),
        tokenize_command(),
        serve_command(),
        chat_command(),
        attest_command(),
        bench_command(),
    };
    return commands;
}

}  // namespace veil::cli
