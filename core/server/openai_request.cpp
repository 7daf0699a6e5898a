#include "server/openai_request.h"

#include <random>

#include <Poco/JSON/Array.h>

#include "server/api_error.h"

namespace veil::server {

namespace {

using Poco::Dynamic::Var;
using Poco::JSON::Array;
using Poco::JSON::Object;

[[noreturn]] void wrong_type(const std::string& field, const std::string& expected) {
    throw invalid_request("invalid_type", "'" + field + "' must be " + expected);
}

// The field's value, or nullopt when absent or null (clients send null for "not set").
std::optional<Var> field(const Object& o, const std::string& name) {
    if (!o.has(name) || o.isNull(name)) return std::nullopt;
    return o.get(name);
}

bool is_array(const Var& v) { return v.type() == typeid(Array::Ptr); }
bool is_object(const Var& v) { return v.type() == typeid(Object::Ptr); }
bool is_number(const Var& v) { return v.isNumeric() && !v.isBoolean(); }

std::optional<double> number(const Object& o, const std::string& name, double lo, double hi) {
    auto v = field(o, name);
    if (!v) return std::nullopt;
    if (!is_number(*v)) wrong_type(name, "a number");
    double d = v->convert<double>();
    if (!(d >= lo && d <= hi))
        throw invalid_request("invalid_value", "'" + name + "' must be between " + std::to_string(lo) + " and " +
                                                   std::to_string(hi) + " (got " + v->convert<std::string>() + ")");
    return d;
}

std::optional<int64_t> integer(const Object& o, const std::string& name, int64_t lo, int64_t hi) {
    auto v = field(o, name);
    if (!v) return std::nullopt;
    if (!v->isInteger() || v->isBoolean()) wrong_type(name, "an integer");
    // Unsigned JSON numbers above INT64_MAX do not fit; treat them as out of range.
    if (v->isSigned() ? false : v->convert<uint64_t>() > static_cast<uint64_t>(INT64_MAX))
        throw invalid_request("invalid_value", "'" + name + "' is out of range");
    int64_t i = v->convert<int64_t>();
    if (i < lo || i > hi)
        throw invalid_request("invalid_value", "'" + name + "' must be between " + std::to_string(lo) + " and " +
                                                   std::to_string(hi) + " (got " + std::to_string(i) + ")");
    return i;
}

std::optional<bool> boolean(const Object& o, const std::string& name) {
    auto v = field(o, name);
    if (!v) return std::nullopt;
    if (!v->isBoolean()) wrong_type(name, "true or false");
    return v->convert<bool>();
}

std::optional<std::string> string(const Object& o, const std::string& name) {
    auto v = field(o, name);
    if (!v) return std::nullopt;
    if (!v->isString()) wrong_type(name, "a string");
    return v->convert<std::string>();
}

// content: a string, or an array of {"type":"text","text":...} parts (joined).
std::string message_content(const Var& v, const std::string& where) {
    if (v.isEmpty()) return "";
    if (v.isString()) return v.convert<std::string>();
    if (!is_array(v)) wrong_type(where, "a string or an array of text parts");
    std::string out;
    auto parts = v.extract<Array::Ptr>();
    for (size_t i = 0; i < parts->size(); ++i) {
        std::string pw = where + "[" + std::to_string(i) + "]";
        Var p = parts->get(static_cast<unsigned>(i));
        if (!is_object(p)) wrong_type(pw, "an object");
        auto po = p.extract<Object::Ptr>();
        auto type = string(*po, "type");
        if (!type || *type != "text")
            throw invalid_request("unsupported_content", "'" + pw + ".type' must be \"text\" (only text is supported)");
        auto text = string(*po, "text");
        if (!text) wrong_type(pw + ".text", "a string");
        out += *text;
    }
    return out;
}

chat::Messages parse_messages(const Object& body) {
    auto v = field(body, "messages");
    if (!v) throw invalid_request("missing_field", "'messages' is required");
    if (!is_array(*v)) wrong_type("messages", "an array of messages");
    auto arr = v->extract<Array::Ptr>();
    if (arr->size() == 0) throw invalid_request("invalid_value", "'messages' must not be empty");
    chat::Messages out;
    for (size_t i = 0; i < arr->size(); ++i) {
        std::string where = "messages[" + std::to_string(i) + "]";
        Var m = arr->get(static_cast<unsigned>(i));
        if (!is_object(m)) wrong_type(where, "an object with 'role' and 'content'");
        auto mo = m.extract<Object::Ptr>();
        auto role = field(*mo, "role");
        if (!role || !role->isString()) wrong_type(where + ".role", "a string");
        std::string r = role->convert<std::string>();
        if (r == "developer") r = "system";  // OpenAI's newer name for the system role
        Var content = mo->has("content") ? mo->get("content") : Var();
        out.push_back({r, message_content(content, where + ".content")});
    }
    return out;
}

void parse_prompt(const Object& body, CompletionRequest& r) {
    auto v = field(body, "prompt");
    if (!v) throw invalid_request("missing_field", "'prompt' is required");
    if (v->isString()) {
        r.prompt = v->convert<std::string>();
        return;
    }
    if (!is_array(*v)) wrong_type("prompt", "a string, an array with one string, or an array of token ids");
    auto arr = v->extract<Array::Ptr>();
    if (arr->size() == 1 && arr->get(0).isString()) {
        r.prompt = arr->get(0).convert<std::string>();
        return;
    }
    for (size_t i = 0; i < arr->size(); ++i) {
        Var t = arr->get(static_cast<unsigned>(i));
        if (t.isString()) throw invalid_request("invalid_value", "'prompt' may hold only one string (n prompts per request are not supported)");
        if (!t.isInteger() || t.isBoolean()) wrong_type("prompt[" + std::to_string(i) + "]", "a token id (integer)");
        int64_t id = t.convert<int64_t>();
        if (id < 0 || id > INT32_MAX) throw invalid_request("invalid_value", "'prompt' holds an invalid token id");
        r.prompt_tokens.push_back(static_cast<int32_t>(id));
    }
    if (r.prompt_tokens.empty()) throw invalid_request("invalid_value", "'prompt' must not be empty");
}

std::vector<std::string> parse_stop(const Object& body) {
    auto v = field(body, "stop");
    if (!v) return {};
    if (v->isString()) return {v->convert<std::string>()};
    if (!is_array(*v)) wrong_type("stop", "a string or an array of strings");
    auto arr = v->extract<Array::Ptr>();
    if (arr->size() > 16) throw invalid_request("invalid_value", "'stop' holds at most 16 strings");
    std::vector<std::string> out;
    for (size_t i = 0; i < arr->size(); ++i) {
        Var s = arr->get(static_cast<unsigned>(i));
        if (!s.isString()) wrong_type("stop[" + std::to_string(i) + "]", "a string");
        if (!s.convert<std::string>().empty()) out.push_back(s.convert<std::string>());
    }
    return out;
}

}  // namespace

CompletionRequest parse_completion_request(const Object& body, bool chat) {
    CompletionRequest r;
    r.chat = chat;
    if (auto m = string(body, "model")) r.model = *m;
    if (chat)
        r.messages = parse_messages(body);
    else
        parse_prompt(body, r);

    if (auto n = integer(body, "n", INT32_MIN, INT32_MAX); n && *n != 1)
        throw invalid_request("invalid_value", "'n' must be 1 (one choice per request is supported)");
    auto max_tokens = integer(body, "max_tokens", 1, UINT32_MAX);
    if (!max_tokens) max_tokens = integer(body, "max_completion_tokens", 1, UINT32_MAX);
    if (max_tokens) r.max_tokens = static_cast<uint32_t>(*max_tokens);

    SamplingParams& s = r.sampling;
    if (auto v = number(body, "temperature", 0, 2)) s.temperature = static_cast<float>(*v);
    if (auto v = number(body, "top_p", 0, 1)) s.top_p = static_cast<float>(*v);
    if (auto v = integer(body, "top_k", 0, INT32_MAX)) s.top_k = static_cast<int32_t>(*v);
    if (auto v = number(body, "min_p", 0, 1)) s.min_p = static_cast<float>(*v);
    if (auto v = number(body, "presence_penalty", -2, 2)) s.presence_penalty = static_cast<float>(*v);
    if (auto v = number(body, "frequency_penalty", -2, 2)) s.frequency_penalty = static_cast<float>(*v);
    if (auto v = number(body, "repeat_penalty", 0, 10)) s.repeat_penalty = static_cast<float>(*v);
    if (auto v = integer(body, "seed", INT64_MIN, INT64_MAX))
        s.seed = static_cast<uint64_t>(*v);
    else
        s.seed = std::random_device{}();  // unseeded requests should differ, as with OpenAI
    r.stop = parse_stop(body);

    r.stream = boolean(body, "stream").value_or(false);
    if (auto so = field(body, "stream_options")) {
        if (!is_object(*so)) wrong_type("stream_options", "an object");
        r.include_usage = boolean(*so->extract<Object::Ptr>(), "include_usage").value_or(false);
    }
    return r;
}

}  // namespace veil::server
