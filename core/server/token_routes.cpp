// POST /tokenize {"content"|"text", "add_special"?, "model"?} -> {"tokens":[...]} and
// POST /detokenize {"tokens":[...], "model"?} -> {"content": "..."} (llama.cpp server's shapes,
// plus "model" to pick one of several served models; default the first).
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include "server/api_error.h"
#include "server/http_io.h"
#include "server/routes.h"
#include "util/valid_utf8.h"

namespace veil::server {

namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

// The model the body names in "model" (absent or null: the first served model).
ServerContext::Loaded model_for(const ServerContext& ctx, const Object& body) {
    std::string id;
    if (body.has("model") && !body.isNull("model")) {
        if (!body.get("model").isString()) throw invalid_request("invalid_type", "'model' must be a string");
        id = body.getValue<std::string>("model");
    }
    return require_model(ctx, id);
}

}  // namespace

void add_token_routes(Router& router, ServerContext& ctx) {
    router.add("POST", "/tokenize", [&ctx](Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
        auto body = parse_json_object(read_body(request, ctx.options.max_body_bytes, ctx.options.read_timeout_seconds));
        const char* key = body->has("content") ? "content" : "text";
        if (!body->has(key) || !body->get(key).isString())
            throw invalid_request("invalid_type", "'content' (or 'text') must be a string");
        bool add_special = false;
        if (body->has("add_special") && !body->isNull("add_special")) {
            if (!body->get("add_special").isBoolean()) throw invalid_request("invalid_type", "'add_special' must be true or false");
            add_special = body->getValue<bool>("add_special");
        }
        auto loaded = model_for(ctx, *body);
        auto tokens = loaded.model->tokenize(body->getValue<std::string>(key), add_special, add_special);
        Array::Ptr arr = new Array;
        for (int32_t t : tokens) arr->add(t);
        Object out;
        out.set("tokens", arr);
        send_json(response, out);
    });
    router.add("POST", "/detokenize", [&ctx](Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
        auto body = parse_json_object(read_body(request, ctx.options.max_body_bytes, ctx.options.read_timeout_seconds));
        if (!body->has("tokens") || body->get("tokens").type() != typeid(Array::Ptr))
            throw invalid_request("invalid_type", "'tokens' must be an array of token ids");
        auto loaded = model_for(ctx, *body);
        auto arr = body->getArray("tokens");
        std::vector<int32_t> tokens;
        for (size_t i = 0; i < arr->size(); ++i) {
            auto v = arr->get(static_cast<unsigned>(i));
            if (!v.isInteger() || v.isBoolean() || v.convert<int64_t>() < 0 ||
                v.convert<int64_t>() >= static_cast<int64_t>(loaded.model->n_vocab()))
                throw invalid_request("invalid_value", "'tokens[" + std::to_string(i) + "]' is not a token id of this model");
            tokens.push_back(v.convert<int32_t>());
        }
        Object out;
        out.set("content", util::valid_utf8(loaded.model->detokenize(tokens)));
        send_json(response, out);
    });
}

}  // namespace veil::server
