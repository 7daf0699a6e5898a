#include "veil/backend_common/load_options_json.h"

#include <Poco/Dynamic/Var.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Parser.h>

#include <thread>

#include "veil/plugin.hpp"

namespace veil::backend_common {

Poco::JSON::Object::Ptr parse_options_object(const std::string& json) {
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
    return obj;
}

void reject_unknown_keys(const Poco::JSON::Object& obj, std::initializer_list<std::string_view> known) {
    for (const auto& [key, value] : obj) {
        bool found = false;
        for (std::string_view k : known) found = found || key == k;
        if (found) continue;
        std::string list;
        for (std::string_view k : known) list += (list.empty() ? "" : ", ") + std::string(k);
        throw sdk::Error(VEIL_ERR_INVALID_ARGUMENT, "plugin config has unknown key '" + key + "' (known: " + list + ")");
    }
}

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

bool bool_option(const Poco::JSON::Object& obj, const std::string& key) {
    Poco::Dynamic::Var v = obj.get(key);
    if (!v.isBoolean())
        throw sdk::Error(VEIL_ERR_INVALID_ARGUMENT, "option '" + key + "' must be true or false, got " + v.toString());
    return v.convert<bool>();
}

int default_threads() {
    const unsigned hw = std::thread::hardware_concurrency();
    return hw == 0 ? 1 : static_cast<int>(hw);
}

}  // namespace veil::backend_common
