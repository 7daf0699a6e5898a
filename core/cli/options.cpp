#include "cli/options.h"

#include <charconv>
#include <sstream>

#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/Option.h>
#include <Poco/Util/OptionException.h>
#include <Poco/Util/OptionProcessor.h>

namespace veil::cli {

CommandLine::CommandLine(std::string command, std::string usage, std::string description)
    : command_(std::move(command)), usage_(std::move(usage)), description_(std::move(description)) {
    flag("help", "h", "show this help and exit");
}

CommandLine& CommandLine::flag(const std::string& name, const std::string& short_name, const std::string& help) {
    options_.addOption(Poco::Util::Option(name, short_name, help, false));
    return *this;
}

CommandLine& CommandLine::option(const std::string& name, const std::string& short_name, const std::string& arg_name,
                                 const std::string& help, bool required) {
    options_.addOption(Poco::Util::Option(name, short_name, help, required).argument(arg_name, true).repeatable(false));
    return *this;
}

bool CommandLine::parse(const std::vector<std::string>& args, std::ostream& out) {
    Poco::Util::OptionProcessor processor(options_);
    processor.setUnixStyle(true);
    bool only_positional = false;
    try {
        for (const std::string& arg : args) {
            if (only_positional) {
                positional_.push_back(arg);
                continue;
            }
            if (arg == "--") {
                only_positional = true;
                continue;
            }
            std::string name, value;
            if (processor.process(arg, name, value)) {
                if (!name.empty()) values_[name] = value;
            } else if (!arg.empty() && arg[0] == '-' && arg.size() > 1 && !std::isdigit(static_cast<unsigned char>(arg[1]))) {
                throw UsageError("unknown option '" + arg + "' for 'veil " + command_ + "'");
            } else {
                positional_.push_back(arg);
            }
        }
        if (has("help")) {
            print_help(out);
            return false;
        }
        processor.checkRequired();
    } catch (const Poco::Util::MissingArgumentException& e) {
        throw UsageError("option needs a value: " + e.message() + " (veil " + command_ + ")");
    } catch (const Poco::Util::MissingOptionException& e) {
        throw UsageError("missing required option: --" + e.message() + " (veil " + command_ + ")");
    } catch (const Poco::Util::OptionException& e) {
        throw UsageError(e.displayText() + " (veil " + command_ + ")");
    }
    return true;
}

bool CommandLine::has(const std::string& name) const { return values_.count(name) != 0; }

std::string CommandLine::get(const std::string& name, const std::string& fallback) const {
    auto it = values_.find(name);
    return it == values_.end() ? fallback : it->second;
}

std::optional<std::string> CommandLine::maybe(const std::string& name) const {
    auto it = values_.find(name);
    if (it == values_.end()) return std::nullopt;
    return it->second;
}

namespace {
template <class T>
T parse_number(const std::string& option, const std::string& text) {
    T value{};
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc() || ptr != end || text.empty())
        throw UsageError("option --" + option + ": '" + text + "' is not a valid number");
    return value;
}
}  // namespace

int64_t CommandLine::get_int(const std::string& name, int64_t fallback) const {
    auto v = maybe(name);
    return v ? parse_number<int64_t>(name, *v) : fallback;
}

uint64_t CommandLine::get_uint(const std::string& name, uint64_t fallback) const {
    auto v = maybe(name);
    return v ? parse_number<uint64_t>(name, *v) : fallback;
}

double CommandLine::get_double(const std::string& name, double fallback) const {
    auto v = maybe(name);
    return v ? parse_number<double>(name, *v) : fallback;
}

void CommandLine::print_help(std::ostream& out) const {
    Poco::Util::HelpFormatter formatter(options_);
    formatter.setUnixStyle(true);
    formatter.setCommand("veil " + command_);
    formatter.setUsage(usage_);
    formatter.setHeader(description_);
    formatter.setWidth(100);
    formatter.format(out);
    out << '\n';
}

}  // namespace veil::cli
