#include "util/logging.h"

#include <stdexcept>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace veil {

namespace {

// %* : the message with what could forge or garble a log line escaped, so that one record stays
// one line whatever a client put in a path, a header or a prompt.
//   json: as a JSON string body (quotes, backslashes and control characters escaped);
//   text: line breaks as \n and \r, other control characters (ESC: terminal escape sequences)
//         as \xNN; tabs and everything else as they are.
class EscapedMessage final : public spdlog::custom_flag_formatter {
public:
    explicit EscapedMessage(bool json) : json_(json) {}

    void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
        static const char* hex = "0123456789abcdef";
        for (char ch : std::string_view(msg.payload.data(), msg.payload.size())) {
            auto c = static_cast<unsigned char>(ch);
            if (c == '\n') {
                dest.append(std::string_view("\\n"));
            } else if (c == '\r') {
                dest.append(std::string_view("\\r"));
            } else if (json_ && (c == '"' || c == '\\')) {
                dest.push_back('\\');
                dest.push_back(ch);
            } else if (json_ && c == '\t') {
                dest.append(std::string_view("\\t"));
            } else if (json_ && c < 0x20) {
                char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
                dest.append(esc, esc + 6);
            } else if (!json_ && ((c < 0x20 && c != '\t') || c == 0x7f)) {
                char esc[4] = {'\\', 'x', hex[c >> 4], hex[c & 15]};
                dest.append(esc, esc + 4);
            } else {
                dest.push_back(ch);
            }
        }
    }
    std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<EscapedMessage>(json_); }

private:
    bool json_;
};

}  // namespace

void setup_logging(const std::string& format, const std::string& level) {
    auto lvl = spdlog::level::from_str(level);
    if (lvl == spdlog::level::off && level != "off")
        throw std::invalid_argument("unknown log level '" + level + "' (trace, debug, info, warn, error)");
    auto logger = std::make_shared<spdlog::logger>("veil", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    if (format == "json") {
        auto f = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
        f->add_flag<EscapedMessage>('*', true).set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l","msg":"%*"})");
        logger->set_formatter(std::move(f));
    } else if (format == "text") {
        auto f = std::make_unique<spdlog::pattern_formatter>();
        f->add_flag<EscapedMessage>('*', false).set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ %*");
        logger->set_formatter(std::move(f));
    } else {
        throw std::invalid_argument("unknown log format '" + format + "' (text or json)");
    }
    logger->set_level(lvl);
    spdlog::set_default_logger(std::move(logger));
}

}  // namespace veil
