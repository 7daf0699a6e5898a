// `veil`: the host process and its command-line tools.
#include <cstring>
#include <exception>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/options.h"
#include "util/logging.h"

namespace {

void print_usage(std::ostream& out) {
    out << "veil — confidential LLM inference runtime\n\n"
           "usage: veil <command> [options]\n"
           "       veil <command> --help\n\n"
           "commands:\n";
    for (const auto& c : veil::cli::all_commands()) {
        out << "  " << c.name;
        for (size_t i = c.name.size(); i < 12; ++i) out << ' ';
        out << c.summary << '\n';
    }
}

// Removes "--name VALUE" or "--name=VALUE" from args, storing VALUE.
void take_global_option(std::vector<std::string>& args, const std::string& name, std::string& value) {
    for (size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--") return;
        if (args[i] == name) {
            if (i + 1 >= args.size()) throw veil::cli::UsageError("option needs a value: " + name);
            value = args[i + 1];
            args.erase(args.begin() + static_cast<long>(i), args.begin() + static_cast<long>(i) + 2);
            --i;
        } else if (args[i].rfind(name + "=", 0) == 0) {
            value = args[i].substr(name.size() + 1);
            args.erase(args.begin() + static_cast<long>(i));
            --i;
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0 ||
        std::strcmp(argv[1], "help") == 0) {
        print_usage(std::cout);
        return argc < 2 ? 2 : 0;
    }
    std::string name = argv[1];
    for (const auto& c : veil::cli::all_commands()) {
        if (c.name != name) continue;
        std::vector<std::string> args(argv + 2, argv + argc);
        try {
            // --log-format and --log-level are accepted by every command.
            std::string log_format = "text", log_level = "info";
            take_global_option(args, "--log-format", log_format);
            take_global_option(args, "--log-level", log_level);
            try {
                veil::setup_logging(log_format, log_level);
            } catch (const std::invalid_argument& e) {
                throw veil::cli::UsageError(e.what());
            }
            return c.run(args);
        } catch (const veil::cli::UsageError& e) {
            std::cerr << "veil " << name << ": " << e.what() << "\n(see 'veil " << name << " --help')\n";
            return 2;
        } catch (const std::exception& e) {
            std::cerr << "veil " << name << ": error: " << e.what() << '\n';
            return 1;
        }
    }
    std::cerr << "veil: unknown command '" << name << "'\n\n";
    print_usage(std::cerr);
    return 2;
}
