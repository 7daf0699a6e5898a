#include "server/attestation_routes.h"

#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/URI.h>
#include <openssl/rand.h>

#include "attest/attester.h"
#include "server/api_error.h"
#include "server/http_io.h"
#include "server/routes.h"

namespace veil::server {

void add_attestation_routes(Router& router, ServerContext& ctx, const PluginHost& host, const Plugin* tee,
                            std::string config_sha256) {
    router.add("GET", "/v1/attestation",
               [&ctx, &host, tee, config_sha256](Poco::Net::HTTPServerRequest& request,
                                                 Poco::Net::HTTPServerResponse& response) {
                   if (tee == nullptr)
                       throw ApiError(503, "server_error", "tee_unavailable",
                                      "no TEE provider is active on this server: attestation is unavailable");
                   std::string nonce, model_id;
                   bool have = false;
                   for (const auto& [k, v] : Poco::URI(request.getURI()).getQueryParameters()) {
                       if (k == "nonce") {
                           nonce = v;
                           have = true;
                       }
                       if (k == "model") model_id = v;
                   }
                   if (!have) throw invalid_request("missing_nonce", "query parameter 'nonce' (hex, 32 to 64 bytes) is required");
                   try {
                       parse_nonce(nonce);
                   } catch (const std::invalid_argument& e) {
                       throw invalid_request("invalid_nonce", e.what());
                   }
                   auto loaded = require_model(ctx, model_id);
                   ModelClaims model{loaded.model->id(), loaded.model->sha256(), loaded.model->decision().backend};
                   EvidenceBundle bundle;
                   try {
                       bundle = attest(*tee, build_claims(nonce, config_sha256, host, *tee, model));
                   } catch (const std::exception& e) {
                       throw internal_error(std::string("attestation failed: ") + e.what());
                   }
                   Poco::JSON::Parser parser;
                   auto obj = parser.parse(bundle.to_json()).extract<Poco::JSON::Object::Ptr>();
                   send_json(response, *obj);
               });
}

void tee_self_check(const PluginHost& host, const Plugin& tee, const std::string& config_sha256) {
    uint8_t nonce[32];
    if (RAND_bytes(nonce, sizeof nonce) != 1) throw std::runtime_error("tee self-check: no random nonce");
    const std::string hex = hex_encode(nonce, sizeof nonce);
    EvidenceBundle bundle = attest(tee, build_claims(hex, config_sha256, host, tee, std::nullopt));
    VerifyOptions opt;
    opt.nonce_hex = hex;
    opt.policy_json = tee_is_simulated(tee) ? R"({"allow_simulated":true})" : "{}";
    verify_evidence(tee, bundle, opt);
}

}  // namespace veil::server
