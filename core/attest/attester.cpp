#include "attest/attester.h"

#include <algorithm>
#include <cctype>
#include <sstream>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include "plugin_host/host_api.h"

namespace veil {

namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

// Frees host-allocated memory handed out by the plugin's host api.
void host_free(const Plugin& p, void* ptr) {
    if (ptr != nullptr) p.host->api()->free(p.host->api()->host_ctx, ptr);
}

}  // namespace

std::vector<uint8_t> parse_nonce(const std::string& hex) {
    std::vector<uint8_t> bytes = hex_decode(hex, "nonce");
    if (bytes.size() < 32 || bytes.size() > 64)
        throw std::invalid_argument("nonce must be 32 to 64 bytes (64 to 128 hex digits), got " +
                                    std::to_string(bytes.size()) + " bytes");
    return bytes;
}

bool tee_is_simulated(const Plugin& tee) {
    try {
        Poco::JSON::Parser parser;
        auto obj = parser.parse(tee.spec.config_json.empty() ? "{}" : tee.spec.config_json)
                       .extract<Poco::JSON::Object::Ptr>();
        return obj && obj->has("mode") && obj->getValue<std::string>("mode") == "simulate";
    } catch (const std::exception&) {
        return false;
    }
}

Poco::JSON::Object::Ptr build_claims(const std::string& nonce_hex, const std::string& config_sha256,
                                     const PluginHost& host, const Plugin& tee,
                                     const std::optional<ModelClaims>& model) {
    parse_nonce(nonce_hex);
    Poco::JSON::Object::Ptr c = new Poco::JSON::Object;
    c->set("nonce", lower(nonce_hex));
    c->set("veil_version", std::string(VEIL_VERSION));
    c->set("config_sha256", config_sha256);
    Poco::JSON::Array::Ptr plugins = new Poco::JSON::Array;
    for (const auto& p : host.plugins()) {
        if (p->status != PluginStatus::Ready) continue;
        Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
        o->set("name", p->spec.name);
        o->set("sha256", p->sha256);
        plugins->add(o);
    }
    c->set("plugins", plugins);
    Poco::JSON::Object::Ptr t = new Poco::JSON::Object;
    t->set("name", tee.spec.name);
    t->set("simulated", tee_is_simulated(tee));
    c->set("tee", t);
    if (model) {
        Poco::JSON::Object::Ptr m = new Poco::JSON::Object;
        m->set("id", model->id);
        m->set("sha256", model->sha256);
        m->set("backend", model->backend);
        c->set("model", m);
    }
    return c;
}

EvidenceBundle attest(const Plugin& tee, const Poco::JSON::Object::Ptr& claims) {
    if (tee.status != PluginStatus::Ready || tee.tee.get_evidence == nullptr)
        throw std::runtime_error(tee.label() + " is not a ready TEE provider");
    EvidenceBundle b;
    b.claims = claims;
    b.report_data = report_data_for(claims);
    veil_buffer evidence{};
    char* format = nullptr;
    throw_if_error(tee.tee.get_evidence(tee.instance, b.report_data.data(), &evidence, &format),
                   tee.label() + " get_evidence");
    if (evidence.data != nullptr) b.evidence.assign(evidence.data, evidence.data + evidence.size);
    if (format != nullptr) b.format = format;
    host_free(tee, evidence.data);
    host_free(tee, format);
    if (b.format.empty()) throw std::runtime_error(tee.label() + " get_evidence returned no format id");
    return b;
}

std::string tee_plugin_for_format(const std::string& format) {
    if (format.rfind("sev-snp", 0) == 0) return "tee_snp";
    if (format.rfind("tdx", 0) == 0) return "tee_tdx";
    return "";
}

std::string verify_evidence(const Plugin& tee, const EvidenceBundle& ev, const VerifyOptions& options) {
    std::optional<ReportData> expected = options.report_data;
    if (ev.claims) {
        if (options.nonce_hex) {
            if (!ev.claims->has("nonce") || !ev.claims->get("nonce").isString())
                throw AttestationError("nonce: the claims carry no nonce");
            if (lower(ev.claims->getValue<std::string>("nonce")) != lower(*options.nonce_hex))
                throw AttestationError("nonce: claims.nonce does not equal the expected nonce");
        }
        ReportData computed{};
        try {
            computed = report_data_for(ev.claims);
        } catch (const std::exception& e) {
            throw AttestationError(std::string("report_data: the claims cannot be canonicalized: ") + e.what());
        }
        if (computed != ev.report_data)
            throw AttestationError("report_data: the bundle's report_data is not SHA-512 of its claims "
                                   "(the claims were altered)");
        if (expected && *expected != ev.report_data)
            throw AttestationError("report_data: the bundle's report_data differs from the expected one");
        expected = ev.report_data;
    } else if (options.nonce_hex) {
        throw AttestationError("nonce: raw evidence carries no claims to check a nonce against "
                               "(give --report-data instead)");
    }
    if (tee.status != PluginStatus::Ready || tee.tee.verify == nullptr)
        throw AttestationError("verifier: " + tee.message());
    char* out = nullptr;
    try {
        throw_if_error(tee.tee.verify(tee.instance, ev.evidence.data(), ev.evidence.size(), ev.format.c_str(),
                                      expected ? expected->data() : nullptr, options.policy_json.c_str(), &out),
                       "");
    } catch (const PluginCallError& e) {
        throw AttestationError(std::string("evidence (") + tee.spec.name + "): " + e.what());
    }
    std::string claims = out != nullptr ? std::string(out) : std::string("{}");
    host_free(tee, out);
    return claims;
}

}  // namespace veil
