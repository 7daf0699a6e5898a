// veil model <sub>: one `veil` command that dispatches to the model subcommands (keygen, seal,
// unseal, verify, inspect, ...), each with its own options and --help.
#include "cli/cmd_model.h"

#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "cli/command.h"

namespace veil::cli {

namespace {

const std::vector<ModelSubcommand>& subcommands() {
    // One entry per subcommand, in the order `veil model --help` lists them.
    static const std::vector<ModelSubcommand> subs = {
        model_inspect_subcommand(),
        model_keygen_subcommand(),
        model_quantize_subcommand(),
        model_seal_subcommand(),
        model_synth_subcommand(),
        model_unseal_subcommand(),
        model_verify_subcommand(),
    };
    return subs;
}

void print_usage(std::ostream& out) {
    out << "usage: veil model <subcommand> [options]\n"
           "       veil model <subcommand> --help\n\n"
           "subcommands:\n";
    for (const auto& s : subcommands()) {
        out << "  " << s.name;
        for (size_t i = s.name.size(); i < 10; ++i) out << ' ';
        out << s.summary << '\n';
    }
}

int run(const std::vector<std::string>& args) {
    if (args.empty()) {
        print_usage(std::cerr);
        return 2;
    }
    const std::string& name = args[0];
    if (name == "--help" || name == "-h" || name == "help") {
        print_usage(std::cout);
        return 0;
    }
    for (const auto& s : subcommands())
        if (s.name == name) return s.run(std::vector<std::string>(args.begin() + 1, args.end()));
    std::string names;
    for (const auto& s : subcommands()) names += (names.empty() ? "" : ", ") + std::string(s.name);
    throw UsageError("unknown subcommand '" + name + "' for 'veil model' (one of: " + names + ")");
}

}  // namespace

std::optional<SealKey> key_from_options(const CommandLine& cl, bool required) {
    const bool file = cl.has("key-file"), env = cl.has("key-env");
    if (file && env) throw UsageError("give the key once: --key-file or --key-env, not both");
    if (file) return SealKey::from_file(cl.get("key-file"));
    if (env) return SealKey::from_env(cl.get("key-env"));
    if (required) throw UsageError("a key is needed: --key-file FILE or --key-env NAME");
    return std::nullopt;
}

void expect_positional(const CommandLine& cl, size_t n, const std::string& what) {
    if (cl.positional().size() != n)
        throw UsageError("expected " + what + ", got " + std::to_string(cl.positional().size()) + " argument(s)");
}

TtyProgress::TtyProgress() : enabled_(::isatty(STDERR_FILENO) == 1) {}

TtyProgress::~TtyProgress() {
    if (drawn_) std::fputc('\n', stderr);
}

SealProgress TtyProgress::callback() {
    if (!enabled_) return {};
    return [this](const char* phase, uint64_t done, uint64_t total) {
        int permille = total ? static_cast<int>(done * 1000 / total) : 1000;
        // Redraw only when something visible changes: a terminal write per chunk is slow.
        if (phase_ == phase && permille == last_permille_) return;
        if (drawn_ && phase_ != phase) std::fputc('\n', stderr);
        phase_ = phase;
        last_permille_ = permille;
        constexpr int kWidth = 30;
        int filled = permille * kWidth / 1000;
        std::string bar(static_cast<size_t>(filled), '#');
        bar.append(static_cast<size_t>(kWidth - filled), '.');
        std::fprintf(stderr, "\r%-10s [%s] %5.1f%%  %.1f / %.1f MiB", phase, bar.c_str(), permille / 10.0,
                     static_cast<double>(done) / (1 << 20), static_cast<double>(total) / (1 << 20));
        std::fflush(stderr);
        drawn_ = true;
    };
}

Command model_command() {
    return {"model", "inspect, quantize, synthesize, seal, unseal and verify model files", run};
}

}  // namespace veil::cli
