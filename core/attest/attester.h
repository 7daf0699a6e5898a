// The attester and the verifier around a TEE plugin: the claims document Veil binds into TEE
// evidence (nonce, version, config and plugin hashes, TEE, served model), and the client-side checks
// that evidence, bundle and claims agree.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <Poco/JSON/Object.h>

#include "attest/evidence_bundle.h"
#include "plugin_host/plugin_host.h"

namespace veil {

// A failed attestation check; what() names the check ("nonce: ...", "report_data: ...").
class AttestationError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct ModelClaims {
    std::string id, sha256, backend;
};

// Decodes a client nonce: hex, 32..64 bytes. Throws std::invalid_argument naming the problem.
std::vector<uint8_t> parse_nonce(const std::string& hex);

// True when the TEE plugin runs in `mode: simulate` (its evidence proves nothing).
bool tee_is_simulated(const Plugin& tee);

// {nonce, veil_version, config_sha256, plugins:[{name, sha256}] (Ready ones), tee:{name, simulated},
//  model:{id, sha256, backend} (when given)}.
Poco::JSON::Object::Ptr build_claims(const std::string& nonce_hex, const std::string& config_sha256,
                                     const PluginHost& host, const Plugin& tee,
                                     const std::optional<ModelClaims>& model);

// report_data_for(claims), then the plugin's get_evidence. Throws PluginCallError naming the plugin.
EvidenceBundle attest(const Plugin& tee, const Poco::JSON::Object::Ptr& claims);

// "tee_snp" for sev-snp*, "tee_tdx" for tdx*, "" otherwise.
std::string tee_plugin_for_format(const std::string& format);

struct VerifyOptions {
    std::optional<std::string> nonce_hex;      // must equal claims.nonce (bundles only)
    std::optional<ReportData> report_data;     // expected report_data (raw evidence or bundle)
    std::string policy_json = "{}";
};

// Verifies `ev` (a bundle, or raw evidence when ev.claims is null) with `tee`'s verify: nonce,
// bundle binding (report_data == SHA-512 of the claims), then the plugin's checks. Returns the
// plugin's claims JSON. Throws AttestationError naming the first failed check.
std::string verify_evidence(const Plugin& tee, const EvidenceBundle& ev, const VerifyOptions& options);

}  // namespace veil
