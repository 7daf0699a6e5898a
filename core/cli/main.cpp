// `veil`: the host process and its command-line tools.
#include <cstring>
#include <exception>
#include <iostream>

#include "cli/command.h"
#include "cli/options.h"

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
