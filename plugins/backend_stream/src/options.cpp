#include "options.h"

#include <thread>

#include <Poco/Dynamic/Var.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include "veil/plugin.hpp"

namespace veil::backend_stream {
namespace {

long long integer_option(const Poco::JSON::Object& obj, const std::string& key, long long lo, long long hi) {
    Poco::Dynamic::Var v = obj.get(key);
    if (!v.isInteger())
        throw sdk::Error(VEIL_ERR_INVALID_ARGUMENT, "option '" + key + "' must be an integer, got " + v.toString());
    long long n = 0;
    try {
        n = v.convert<long long>();
    } catch (const Poco::Exception&) {
        throw sdk::Error(VEIL_ERR_INVALID_ARGUMENT, "option '" + key + "' = " + v.toString() + " is out of range");
    }
    if (n < lo || n > hi)
        throw sdk::Error(VEIL_ERR_INVALID_ARGUMENT, "option '" + key + "' = " + std::to_string(n) + " is out of range " +
                                                        std::to_string(lo) + ".." + std::to_string(hi));
    return n;
}

}  // namespace

LoadOptions parse_load_options(const std::string& json) {
    LoadOptions opt;
    Poco::JSON::Object::Ptr obj;
    try {
        Poco::Dynamic::Var v = Poco::JSON::Parser().parse(json.empty() ? std::string("{}") : json);
        obj = v.extract<Poco::JSON::Object::Ptr>();
    } catch (const Poco::Exception& e) {
        throw sdk::Error(VEIL_ERR_INVALID_ARGUMENT, "options are not a JSON object: " + e.displayText());
    } catch (const std::exception& e) {
        throw sdk::Error(VEIL_ERR_INVALID_ARGUMENT, std::string("options are not a JSON object: ") + e.what());
    }
    if (obj.isNull()) throw sdk::Error(VEIL_ERR_INVALID_ARGUMENT, "options are not a JSON object");

    if (obj->has("threads")) {
        opt.threads = static_cast<int>(integer_option(*obj, "threads", 1, 1024));
        opt.threads_given = true;
    }
    if (obj->has("memory_budget"))
        opt.memory_budget = static_cast<uint64_t>(integer_option(*obj, "memory_budget", 1, (1LL << 50)));
    if (opt.threads == 0) {
        const unsigned hw = std::thread::hardware_concurrency();
        opt.threads = hw == 0 ? 1 : static_cast<int>(hw);
    }
    return opt;
}

}  // namespace veil::backend_stream
