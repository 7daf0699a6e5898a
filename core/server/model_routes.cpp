// GET /v1/models: the served models in OpenAI's list shape, plus Veil's extension — which backend
// runs it, why (the policy decision), and the model file's sha256.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include "server/http_io.h"
#include "server/routes.h"

namespace veil::server {

namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

Object::Ptr decision_json(const PolicyDecision& d) {
    Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("model", d.model);
    o->set("model_bytes", d.model_bytes);
    o->set("epc_bytes", d.epc_bytes);
    o->set("epc_source", d.epc_source);
    o->set("threshold", d.threshold);
    o->set("backend", d.backend);
    o->set("memory_budget", d.memory_budget);
    o->set("reason", d.reason);
    return o;
}

}  // namespace

void add_model_routes(Router& router, ServerContext& ctx) {
    router.add("GET", "/v1/models", [&ctx](Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& response) {
        Array::Ptr data = new Array;
        for (const auto& loaded : require_models(ctx)) {
            const ServedModel& m = *loaded.model;
            Object::Ptr entry = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
            entry->set("id", m.id());
            entry->set("object", std::string("model"));
            entry->set("created", 0);
            entry->set("owned_by", std::string("veil"));
            entry->set("backend", m.decision().backend);
            entry->set("policy", decision_json(m.decision()));
            entry->set("sha256", m.sha256());
            entry->set("n_ctx", m.n_ctx());
            entry->set("chat_template", std::string(chat::family_name(loaded.chat_format.family())));
            data->add(entry);
        }
        Object out(Poco::JSON_PRESERVE_KEY_ORDER);
        out.set("object", std::string("list"));
        out.set("data", data);
        send_json(response, out);
    });
}

}  // namespace veil::server
