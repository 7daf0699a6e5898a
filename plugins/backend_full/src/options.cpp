#include "options.h"

#include <thread>

#include <Poco/Dynamic/Var.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include "veil/plugin.hpp"

namespace veil::backend_full {

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
        Poco::Dynamic::Var t = obj->get("threads");
        if (!t.isInteger())
            throw sdk::Error(VEIL_ERR_INVALID_ARGUMENT, "option 'threads' must be an integer, got " + t.toString());
        const long long n = t.convert<long long>();
        if (n < 1 || n > 1024)
            throw sdk::Error(VEIL_ERR_INVALID_ARGUMENT, "option 'threads' = " + std::to_string(n) + " is out of range 1..1024");
        opt.threads = static_cast<int>(n);
    }
    if (obj->has("mlock")) {
        Poco::Dynamic::Var m = obj->get("mlock");
        if (!m.isBoolean())
            throw sdk::Error(VEIL_ERR_INVALID_ARGUMENT, "option 'mlock' must be true or false, got " + m.toString());
        opt.mlock = m.convert<bool>();
    }
    if (opt.threads == 0) {
        const unsigned hw = std::thread::hardware_concurrency();
        opt.threads = hw == 0 ? 1 : static_cast<int>(hw);
    }
    return opt;
}

}  // namespace veil::backend_full
