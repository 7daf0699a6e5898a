// veil plugins --config F [--json]: what each configured plugin is, and whether it can run here.
#include <iomanip>
#include <iostream>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>

#include "cli/command.h"
#include "cli/options.h"
#include "config/config.h"
#include "plugin_host/plugin_host.h"
#include "util/paths.h"

namespace veil::cli {

namespace {

void print_table(const PluginHost& host, std::ostream& out) {
    out << std::left << std::setw(17) << "NAME" << std::setw(10) << "KIND" << std::setw(9) << "VERSION"
        << std::setw(6) << "ABI" << std::setw(14) << "SHA256" << std::setw(7) << "PROBE" << "STATUS\n";
    for (const auto& p : host.plugins()) {
        out << std::setw(17) << p->spec.name << std::setw(10) << (p->kind ? kind_name(p->kind) : "-")
            << std::setw(9) << (p->version.empty() ? "-" : p->version) << std::setw(6)
            << (p->abi_major ? p->abi() : "-") << std::setw(14)
            << (p->sha256.empty() ? "-" : p->sha256.substr(0, 12)) << std::setw(7) << p->probe_score
            << to_string(p->status);
        if (p->status != PluginStatus::Ready) out << ": " << p->reason;
        out << '\n';
    }
}

void print_json(const PluginHost& host, std::ostream& out) {
    Poco::JSON::Array arr;
    for (const auto& p : host.plugins()) {
        Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
        o.set("name", p->spec.name);
        o.set("kind", p->kind ? Poco::Dynamic::Var(std::string(kind_name(p->kind))) : Poco::Dynamic::Var());
        o.set("version", p->version.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(p->version));
        o.set("abi", p->abi_major ? Poco::Dynamic::Var(p->abi()) : Poco::Dynamic::Var());
        o.set("sha256", p->sha256.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(p->sha256));
        o.set("probe", p->probe_score);
        o.set("status", std::string(to_string(p->status)));
        o.set("reason", p->reason.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(p->message()));
        o.set("path", p->spec.path);
        arr.add(o);
    }
    Poco::JSON::Stringifier::stringify(arr, out, 2);
    out << '\n';
}

int run(const std::vector<std::string>& args) {
    CommandLine cl("plugins", "--config FILE [--json]",
                   "Loads every plugin the configuration lists and reports its kind, version, ABI, sha256, probe "
                   "score, and status or the reason it was refused. Exits 1 when a plugin was refused.");
    cl.option("config", "c", "FILE", "configuration file (YAML)", true).flag("json", "", "print a JSON array");
    if (!cl.parse(args, std::cout)) return 0;
    Config config = load_config(cl.get("config"), default_plugin_dir());
    PluginHost host;
    host.load_all(config.plugins);
    if (cl.has("json"))
        print_json(host, std::cout);
    else
        print_table(host, std::cout);
    for (const auto& p : host.plugins())
        if (p->status == PluginStatus::Refused) return 1;
    return 0;
}

}  // namespace

Command plugins_command() { return {"plugins", "list configured plugins and whether they load here", run}; }

}  // namespace veil::cli
