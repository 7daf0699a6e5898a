#include "veil/tee_common/config.hpp"

#include <set>

#include "veil/tee_common/policy.hpp"

namespace veil::tee {

static uint64_t get_uint(const Poco::JSON::Object::Ptr& o, const std::string& key, uint64_t max) {
    auto v = o->get(key);
    if (!v.isInteger() || v.convert<int64_t>() < 0 || static_cast<uint64_t>(v.convert<int64_t>()) > max)
        invalid("config '" + key + "' must be an integer 0.." + std::to_string(max));
    return static_cast<uint64_t>(v.convert<int64_t>());
}

static std::string get_str(const Poco::JSON::Object::Ptr& o, const std::string& key) {
    auto v = o->get(key);
    if (!v.isString()) invalid("config '" + key + "' must be a string");
    return v.convert<std::string>();
}

ProviderConfig parse_provider_config(const std::string& json) {
    static const std::set<std::string> known = {"mode", "sys_root", "dev_root", "proc_root", "epc_reserve_bytes",
                                                "tsm_report_name", "vmpl", "qgs_cid", "qgs_port", "use_configfs"};
    auto o = parse_object(json, "plugin config");
    for (const auto& [key, value] : *o)
        if (!known.count(key)) invalid("plugin config has unknown key '" + key + "'");
    ProviderConfig c;
    if (o->has("mode")) {
        std::string m = get_str(o, "mode");
        if (m == "hardware") c.mode = Mode::Hardware;
        else if (m == "simulate") c.mode = Mode::Simulate;
        else if (m == "verify") c.mode = Mode::Verify;
        else invalid("config 'mode' must be \"hardware\", \"simulate\" or \"verify\" (got \"" + m + "\")");
    }
    if (o->has("sys_root")) c.sys_root = get_str(o, "sys_root");
    if (o->has("dev_root")) c.dev_root = get_str(o, "dev_root");
    if (o->has("proc_root")) c.proc_root = get_str(o, "proc_root");
    if (o->has("epc_reserve_bytes")) c.epc_reserve_bytes = get_uint(o, "epc_reserve_bytes", UINT64_MAX >> 1);
    if (o->has("tsm_report_name")) {
        c.tsm_report_name = get_str(o, "tsm_report_name");
        if (c.tsm_report_name.empty() || c.tsm_report_name.find('/') != std::string::npos || c.tsm_report_name[0] == '.')
            invalid("config 'tsm_report_name' must be a plain directory name");
    }
    if (o->has("vmpl")) c.vmpl = static_cast<uint32_t>(get_uint(o, "vmpl", 3));
    if (o->has("qgs_cid")) c.qgs_cid = static_cast<uint32_t>(get_uint(o, "qgs_cid", UINT32_MAX));
    if (o->has("qgs_port")) c.qgs_port = static_cast<uint32_t>(get_uint(o, "qgs_port", UINT32_MAX));
    if (o->has("use_configfs")) {
        auto v = o->get("use_configfs");
        if (!v.isBoolean()) invalid("config 'use_configfs' must be a boolean");
        c.use_configfs = v.extract<bool>();
    }
    return c;
}

}  // namespace veil::tee
