#include "veil/tee_common/policy.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include <set>

#include "veil/tee_common/ossl.hpp"

namespace veil::tee {

Poco::JSON::Object::Ptr parse_object(const std::string& json, const char* what) {
    if (trim(json).empty()) return new Poco::JSON::Object;
    try {
        Poco::JSON::Parser parser;
        auto v = parser.parse(json);
        auto obj = v.extract<Poco::JSON::Object::Ptr>();
        if (!obj) invalid(std::string(what) + " is not a JSON object");
        return obj;
    } catch (const sdk::Error&) {
        throw;
    } catch (const Poco::Exception& e) {
        invalid(std::string(what) + " is not valid JSON: " + e.displayText());
    } catch (const std::exception& e) {
        invalid(std::string(what) + " is not a JSON object: " + e.what());
    }
}

static bool get_bool(const Poco::JSON::Object::Ptr& o, const std::string& key) {
    auto v = o->get(key);
    if (!v.isBoolean()) invalid("policy '" + key + "' must be a boolean");
    return v.extract<bool>();
}

static std::string get_string(const Poco::JSON::Object::Ptr& o, const std::string& key) {
    auto v = o->get(key);
    if (!v.isString()) invalid("policy '" + key + "' must be a string");
    return v.convert<std::string>();
}

static std::vector<Bytes> get_hex_list(const Poco::JSON::Array::Ptr& a, const std::string& key, size_t size) {
    if (!a) invalid("policy '" + key + "' must be an array of hex strings");
    std::vector<Bytes> out;
    for (size_t i = 0; i < a->size(); ++i) {
        auto v = a->get(static_cast<unsigned>(i));
        if (!v.isString()) invalid("policy '" + key + "' must be an array of hex strings");
        Bytes b = from_hex(v.convert<std::string>());
        if (b.size() != size)
            invalid("policy '" + key + "' entry " + std::to_string(i) + " must be " + std::to_string(size) + " bytes");
        out.push_back(std::move(b));
    }
    return out;
}

Policy parse_policy(const std::string& json) {
    static const std::set<std::string> known = {"allow_debug", "allow_simulated", "at", "ca_pem", "vcek_der",
                                                "min_tcb", "allowed_measurements", "vmpl", "allowed_mrtd",
                                                "allowed_rtmr"};
    auto o = parse_object(json, "policy");
    for (const auto& [key, value] : *o)
        if (!known.count(key)) invalid("policy has unknown key '" + key + "'");

    Policy p;
    p.at = std::time(nullptr);
    if (o->has("allow_debug")) p.allow_debug = get_bool(o, "allow_debug");
    if (o->has("allow_simulated")) p.allow_simulated = get_bool(o, "allow_simulated");
    if (o->has("at")) p.at = parse_rfc3339(get_string(o, "at"));
    if (o->has("ca_pem")) p.ca_pem = get_string(o, "ca_pem");
    if (o->has("vcek_der")) p.vcek_der = base64_decode(get_string(o, "vcek_der"));
    if (o->has("min_tcb")) {
        auto v = o->get("min_tcb");
        if (v.isString()) {
            Bytes svn = from_hex(v.convert<std::string>());
            if (svn.size() != 16) invalid("policy 'min_tcb' as hex must be 16 bytes (TDX tee_tcb_svn)");
            p.min_tee_tcb_svn = svn;
        } else {
            p.min_tcb = o->getObject("min_tcb");
            if (!p.min_tcb) invalid("policy 'min_tcb' must be an object (SNP) or a hex string (TDX)");
        }
    }
    if (o->has("allowed_measurements"))
        p.allowed_measurements = get_hex_list(o->getArray("allowed_measurements"), "allowed_measurements", 48);
    if (o->has("vmpl")) {
        auto v = o->get("vmpl");
        if (!v.isInteger() || v.convert<int64_t>() < 0 || v.convert<int64_t>() > 3)
            invalid("policy 'vmpl' must be an integer 0..3");
        p.vmpl = static_cast<uint32_t>(v.convert<int64_t>());
    }
    if (o->has("allowed_mrtd")) p.allowed_mrtd = get_hex_list(o->getArray("allowed_mrtd"), "allowed_mrtd", 48);
    if (o->has("allowed_rtmr")) {
        auto r = o->getObject("allowed_rtmr");
        if (!r) invalid("policy 'allowed_rtmr' must be an object {\"rtmr0\": [hex...], ...}");
        for (const auto& [key, value] : *r) {
            if (key.size() != 5 || key.rfind("rtmr", 0) != 0 || key[4] < '0' || key[4] > '3')
                invalid("policy 'allowed_rtmr' key '" + key + "' must be rtmr0..rtmr3");
            p.allowed_rtmr[static_cast<size_t>(key[4] - '0')] = get_hex_list(r->getArray(key), "allowed_rtmr." + key, 48);
        }
    }
    return p;
}

}  // namespace veil::tee
