// veil attest evidence|verify: obtain a Veil evidence bundle from the configured TEE provider, and
// verify bundles or raw SEV-SNP reports / TDX quotes client-side with the TEE plugins' verifiers.
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include <Poco/Base64Encoder.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include "attest/attester.h"
#include "cli/command.h"
#include "cli/options.h"
#include "config/config.h"
#include "plugin_host/plugin_host.h"
#include "plugin_host/tee_choice.h"
#include "util/paths.h"
#include "util/regular_file.h"

namespace veil::cli {

namespace {

std::string read_file(const std::string& path, const std::string& what) {
    try {
        util::require_regular_file(path);
    } catch (const std::runtime_error& e) {
        throw UsageError(what + ": " + e.what());
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) throw UsageError(what + ": cannot read '" + path + "'");
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string base64(const std::string& bytes) {
    std::ostringstream out;
    Poco::Base64Encoder enc(out);
    enc.rdbuf()->setLineLength(0);
    enc << bytes;
    enc.close();
    return out.str();
}

std::string set_mode(const std::string& config_json, const std::string& mode) {
    Poco::JSON::Parser parser;
    auto obj = parser.parse(config_json.empty() ? "{}" : config_json).extract<Poco::JSON::Object::Ptr>();
    obj->set("mode", mode);
    std::ostringstream out;
    Poco::JSON::Stringifier::condense(obj, out);
    return out.str();
}

int run_evidence(const std::vector<std::string>& args) {
    CommandLine cl("attest evidence", "--config FILE --nonce HEX [--simulate snp|tdx] [--out FILE]",
                   "Asks the configured TEE provider for evidence binding a claims document (nonce, Veil version, "
                   "config and plugin hashes, TEE) and prints the Veil evidence bundle JSON.");
    cl.option("config", "c", "FILE", "configuration file (YAML)", true)
        .option("nonce", "n", "HEX", "the verifier's nonce: 32 to 64 bytes as hex", true)
        .option("simulate", "", "snp|tdx", "run that TEE plugin in simulation mode (attestation is NOT real)")
        .option("out", "o", "FILE", "write the bundle here instead of stdout");
    if (!cl.parse(args, std::cout)) return 0;
    const std::string nonce = cl.get("nonce");
    try {
        parse_nonce(nonce);
    } catch (const std::invalid_argument& e) {
        throw UsageError(std::string("--nonce: ") + e.what());
    }
    Config config = load_config(cl.get("config"), default_plugin_dir());
    if (cl.has("simulate")) {
        const std::string which = cl.get("simulate");
        if (which != "snp" && which != "tdx") throw UsageError("--simulate must be snp or tdx (got '" + which + "')");
        const std::string name = "tee_" + which;
        bool found = false;
        for (auto& spec : config.plugins) {
            if (spec.name != name) continue;
            spec.config_json = set_mode(spec.config_json, "simulate");
            found = true;
        }
        if (!found) throw UsageError("--simulate " + which + ": the configuration lists no plugin named '" + name + "'");
        config.tee = name;
        std::cerr << "*** SIMULATED ATTESTATION (--simulate " << which
                  << "): evidence is not from TEE hardware and proves nothing ***\n";
    }
    PluginHost host;
    host.load_all(config.plugins);
    Plugin* tee = nullptr;
    try {
        tee = choose_tee(config, host);
    } catch (const std::exception& e) {
        std::cerr << "veil attest evidence: " << e.what() << '\n';
        return 1;
    }
    if (tee == nullptr) {
        std::cerr << "veil attest evidence: no TEE provider is active (tee: " << config.tee << ")\n";
        return 1;
    }
    EvidenceBundle bundle;
    try {
        bundle = attest(*tee, build_claims(nonce, config.sha256, host, *tee, std::nullopt));
    } catch (const std::exception& e) {
        std::cerr << "veil attest evidence: " << e.what() << '\n';
        return 1;
    }
    const std::string json = bundle.to_json();
    if (cl.has("out")) {
        std::ofstream out(cl.get("out"), std::ios::binary | std::ios::trunc);
        out << json << '\n';
        if (!out) {
            std::cerr << "veil attest evidence: cannot write '" << cl.get("out") << "'\n";
            return 1;
        }
    } else {
        std::cout << json << '\n';
    }
    return 0;
}

// A raw TDX quote: version 4 or 5 (u16 LE) and TEE type 0x81 (u32 LE at offset 4).
bool looks_like_tdx_quote(const std::string& b) {
    if (b.size() < 48) return false;
    const unsigned v = static_cast<uint8_t>(b[0]) | (static_cast<uint8_t>(b[1]) << 8);
    return (v == 4 || v == 5) && static_cast<uint8_t>(b[4]) == 0x81 && b[5] == 0 && b[6] == 0 && b[7] == 0;
}

int run_verify(const std::vector<std::string>& args) {
    CommandLine cl("attest verify",
                   "--evidence FILE [--format snp|tdx] [--nonce HEX | --report-data HEX] [--vcek FILE] [--ca FILE] "
                   "[--allow-debug] [--allow-simulated] [--at RFC3339] [--json] [--config FILE]",
                   "Verifies a Veil evidence bundle, a raw SEV-SNP report (1184 bytes) or a raw TDX quote with the "
                   "tee_snp / tee_tdx verifiers (from the default plugin folder, or --config's). For a bundle, "
                   "checks the nonce and that report_data is SHA-512 of the claims. Prints the verified claims and "
                   "exits 0, or prints the first failed check and exits 1.");
    cl.option("evidence", "e", "FILE", "bundle JSON, raw SNP report or raw TDX quote", true)
        .option("format", "f", "snp|tdx", "treat the evidence as this kind")
        .option("nonce", "n", "HEX", "expected nonce (bundles)")
        .option("report-data", "", "HEX", "expected report_data, 64 bytes as hex")
        .option("vcek", "", "FILE", "SNP: VCEK/VLEK certificate (DER)")
        .option("ca", "", "FILE", "SNP: ASK then ARK (PEM)")
        .flag("allow-debug", "", "accept debug guests")
        .flag("allow-simulated", "", "accept simulated evidence (proves nothing)")
        .option("at", "", "RFC3339", "instant at which certificates must be valid (default now)")
        .flag("json", "", "print the claims as compact JSON")
        .option("config", "c", "FILE", "take the tee_snp / tee_tdx plugin paths from this configuration");
    if (!cl.parse(args, std::cout)) return 0;
    if (cl.has("nonce") && cl.has("report-data")) throw UsageError("give --nonce or --report-data, not both");
    std::optional<std::string> forced = cl.maybe("format");
    if (forced && *forced != "snp" && *forced != "tdx") throw UsageError("--format must be snp or tdx");

    VerifyOptions opt;
    if (cl.has("nonce")) {
        try {
            parse_nonce(cl.get("nonce"));
        } catch (const std::invalid_argument& e) {
            throw UsageError(std::string("--nonce: ") + e.what());
        }
        opt.nonce_hex = cl.get("nonce");
    }
    if (cl.has("report-data")) {
        std::vector<uint8_t> rd;
        try {
            rd = hex_decode(cl.get("report-data"), "--report-data");
        } catch (const std::invalid_argument& e) {
            throw UsageError(e.what());
        }
        if (rd.size() != 64) throw UsageError("--report-data must be 64 bytes (128 hex digits)");
        ReportData r{};
        std::copy(rd.begin(), rd.end(), r.begin());
        opt.report_data = r;
    }
    Poco::JSON::Object policy;
    if (cl.has("allow-debug")) policy.set("allow_debug", true);
    if (cl.has("allow-simulated")) policy.set("allow_simulated", true);
    if (cl.has("at")) policy.set("at", cl.get("at"));
    if (cl.has("ca")) {
        // PEM text; anything else (a DER file, binary) would only surface as invalid policy JSON.
        const std::string pem = read_file(cl.get("ca"), "--ca");
        if (pem.find("-----BEGIN CERTIFICATE-----") == std::string::npos)
            throw UsageError("--ca: '" + cl.get("ca") + "' holds no PEM certificate (expected the ASK then the ARK, PEM)");
        policy.set("ca_pem", pem);
    }
    if (cl.has("vcek")) {
        const std::string der = read_file(cl.get("vcek"), "--vcek");
        if (der.empty()) throw UsageError("--vcek: '" + cl.get("vcek") + "' is empty (expected a DER certificate)");
        policy.set("vcek_der", base64(der));
    }
    {
        std::ostringstream out;
        Poco::JSON::Stringifier::condense(policy, out);
        opt.policy_json = out.str();
    }

    const std::string text = read_file(cl.get("evidence"), "--evidence");
    EvidenceBundle ev;
    const bool is_bundle = EvidenceBundle::looks_like_bundle(text);
    try {
        if (is_bundle) {
            ev = EvidenceBundle::parse(text);
            if (forced && tee_plugin_for_format(ev.format) != "tee_" + *forced)
                throw AttestationError("format: the bundle's evidence is '" + ev.format + "', not " + *forced);
        } else {
            ev.evidence.assign(text.begin(), text.end());
            if (forced)
                ev.format = *forced == "snp" ? "sev-snp-report" : "tdx-quote";
            else if (text.size() == 1184)
                ev.format = "sev-snp-report";
            else if (looks_like_tdx_quote(text))
                ev.format = "tdx-quote";
            else
                throw AttestationError("format: not a Veil bundle, a 1184-byte SNP report or a TDX quote "
                                       "(use --format)");
        }
        const std::string name = tee_plugin_for_format(ev.format);
        if (name.empty()) throw AttestationError("format: no verifier for evidence format '" + ev.format + "'");

        PluginSpec spec;
        spec.name = name;
        const std::string file = name == "tee_snp" ? "libveil-tee-snp.so" : "libveil-tee-tdx.so";
        spec.path = default_plugin_dir() + "/" + file;
        spec.display_path = spec.path;
        if (cl.has("config")) {
            Config config = load_config(cl.get("config"), default_plugin_dir());
            bool found = false;
            for (const auto& s : config.plugins)
                if (s.name == name) {
                    spec = s;
                    found = true;
                }
            if (!found) spec.path = spec.display_path = config.plugin_dir + "/" + file;
        }
        spec.config_json = R"({"mode":"verify"})";
        PluginHost host;
        Plugin& plugin = host.load(spec);
        if (plugin.status != PluginStatus::Ready) throw AttestationError("verifier: " + plugin.message());
        const std::string claims = verify_evidence(plugin, ev, opt);

        Poco::JSON::Parser parser;
        Poco::Dynamic::Var out = parser.parse(claims);
        if (is_bundle) {
            Poco::JSON::Object::Ptr both = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
            both->set("veil_claims", ev.claims);
            both->set("evidence_claims", out);
            out = both;
        }
        if (cl.has("json"))
            Poco::JSON::Stringifier::condense(out, std::cout);
        else
            Poco::JSON::Stringifier::stringify(out, std::cout, 2);
        std::cout << '\n';
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "attestation verify: " << e.what() << '\n';
        return 1;
    }
}

int run(const std::vector<std::string>& args) {
    if (args.empty() || args[0] == "--help" || args[0] == "-h") {
        std::cout << "usage: veil attest evidence --config FILE --nonce HEX [--simulate snp|tdx] [--out FILE]\n"
                     "       veil attest verify --evidence FILE [options]   (see veil attest verify --help)\n";
        if (args.empty()) throw UsageError("veil attest needs a subcommand: evidence or verify");
        return 0;
    }
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    if (args[0] == "evidence") return run_evidence(rest);
    if (args[0] == "verify") return run_verify(rest);
    throw UsageError("unknown attest subcommand '" + args[0] + "' (evidence or verify)");
}

}  // namespace

Command attest_command() { return {"attest", "obtain or verify TEE attestation evidence", run}; }

}  // namespace veil::cli
