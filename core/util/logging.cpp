#include "util/logging.h"

#include <stdexcept>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace veil {

namespace {

// %* : the message as a JSON string body (quotes, backslashes and control characters escaped).
class JsonEscapedMessage final : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
        static const char* hex = "0123456789abcdef";
        for (char ch : std::string_view(msg.payload.data(), msg.payload.size())) {
            auto c = static_cast<unsigned char>(ch);
            switch (c) {
                case '"': dest.append(std::string_view("\\\"")); break;
                case '\\': dest.append(std::string_view("\\\\")); break;
                case '\n': dest.append(std::string_view("\\n")); break;
                case '\r': dest.append(std::string_view("\\r")); break;
                case '\t': dest.append(std::string_view("\\t")); break;
                default:
                    if (c < 0x20) {
                        char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
                        dest.append(esc, esc + 6);
                    } else {
                        dest.push_back(ch);
                    }
            }
        }
    }
    std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<JsonEscapedMessage>(); }
};

}  // namespace

void setup_logging(const std::string& format, const std::string& level) {
    auto lvl = spdlog::level::from_str(level);
    if (lvl == spdlog::level::off && level != "off")
        throw std::invalid_argument("unknown log level '" + level + "' (trace, debug, info, warn, error)");
    auto logger = std::make_shared<spdlog::logger>("veil", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    if (format == "json") {
        auto f = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
        f->add_flag<JsonEscapedMessage>('*').set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l","msg":"%*"})");
        logger->set_formatter(std::move(f));
    } else if (format == "text") {
        logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ %v");
    } else {
        throw std::invalid_argument("unknown log format '" + format + "' (text or json)");
    }
    logger->set_level(lvl);
    spdlog::set_default_logger(std::move(logger));
}

}  // namespace veil
