// Command-line options for one subcommand, parsed with Poco::Util's OptionProcessor (unix style:
// --name VALUE, --name=VALUE, -n VALUE) and documented with Poco's HelpFormatter.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include <Poco/Util/OptionSet.h>

namespace veil::cli {

// A mistake on the command line; main prints it with a pointer to --help and exits 2.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class CommandLine {
public:
    // `usage` is the text after "veil <command> ", e.g. "--model PATH [--text TEXT]".
    CommandLine(std::string command, std::string usage, std::string description);

    // --name (no value). `short_name` may be empty.
    CommandLine& flag(const std::string& name, const std::string& short_name, const std::string& help);
    // --name VALUE. Required options are checked after parsing.
    CommandLine& option(const std::string& name, const std::string& short_name, const std::string& arg_name,
                        const std::string& help, bool required = false);

    // Parses `args`. Returns false when --help was given (help already printed to `out`).
    // Throws UsageError naming the offending option or value.
    bool parse(const std::vector<std::string>& args, std::ostream& out);

    bool has(const std::string& name) const;
    std::string get(const std::string& name, const std::string& fallback = "") const;
    std::optional<std::string> maybe(const std::string& name) const;
    int64_t get_int(const std::string& name, int64_t fallback) const;
    uint64_t get_uint(const std::string& name, uint64_t fallback) const;
    double get_double(const std::string& name, double fallback) const;
    const std::vector<std::string>& positional() const { return positional_; }

    void print_help(std::ostream& out) const;

private:
    std::string command_, usage_, description_;
    Poco::Util::OptionSet options_;
    std::map<std::string, std::string> values_;
    std::vector<std::string> positional_;
};

}  // namespace veil::cli
