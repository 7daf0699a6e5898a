#include "server/openai_response.h"

#include <chrono>
#include <cstdio>
#include <random>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include "server/http_io.h"

namespace veil::server {

namespace {

using Poco::Dynamic::Var;
using Poco::JSON::Array;
using Poco::JSON::Object;

Object::Ptr base(const ResponseIdentity& who, const char* object) {
    Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("id", who.id);
    o->set("object", std::string(object));
    o->set("created", who.created);
    o->set("model", who.model);
    return o;
}

Object::Ptr usage_object(const Usage& u) {
    Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("prompt_tokens", u.prompt_tokens);
    o->set("completion_tokens", u.completion_tokens);
    o->set("total_tokens", u.prompt_tokens + u.completion_tokens);
    return o;
}

Var or_null(const std::optional<std::string>& s) { return s ? Var(*s) : Var(); }

}  // namespace

ResponseIdentity new_identity(bool chat, const std::string& model) {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    char hex[25];
    std::snprintf(hex, sizeof(hex), "%016llx%08x", static_cast<unsigned long long>(rng()),
                  static_cast<unsigned>(rng() & 0xffffffffu));
    ResponseIdentity who;
    who.chat = chat;
    who.id = std::string(chat ? "chatcmpl-" : "cmpl-") + hex;
    who.model = model;
    who.created = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
                      .count();
    return who;
}

std::string completion_json(const ResponseIdentity& who, const std::string& text, const std::string& finish_reason,
                            const Usage& usage) {
    Object::Ptr o = base(who, who.chat ? "chat.completion" : "text_completion");
    Object::Ptr choice = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    choice->set("index", 0);
    if (who.chat) {
        Object::Ptr message = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
        message->set("role", std::string("assistant"));
        message->set("content", text);
        choice->set("message", message);
    } else {
        choice->set("text", text);
    }
    choice->set("logprobs", Var());
    choice->set("finish_reason", finish_reason);
    Array::Ptr choices = new Array;
    choices->add(choice);
    o->set("choices", choices);
    o->set("usage", usage_object(usage));
    return to_json(*o);
}

std::string chunk_json(const ResponseIdentity& who, const std::optional<std::string>& role, const std::string& text,
                       const std::optional<std::string>& finish_reason, bool usage_null) {
    Object::Ptr o = base(who, who.chat ? "chat.completion.chunk" : "text_completion");
    Object::Ptr choice = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    choice->set("index", 0);
    if (who.chat) {
        Object::Ptr delta = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
        if (role) delta->set("role", *role);
        // The final chunk has an empty delta; every other one carries content (maybe "").
        if (role || !finish_reason) delta->set("content", text);
        choice->set("delta", delta);
    } else {
        choice->set("text", text);
    }
    choice->set("logprobs", Var());
    choice->set("finish_reason", or_null(finish_reason));
    Array::Ptr choices = new Array;
    choices->add(choice);
    o->set("choices", choices);
    if (usage_null) o->set("usage", Var());
    return to_json(*o);
}

std::string usage_chunk_json(const ResponseIdentity& who, const Usage& usage) {
    Object::Ptr o = base(who, who.chat ? "chat.completion.chunk" : "text_completion");
    o->set("choices", Array::Ptr(new Array));
    o->set("usage", usage_object(usage));
    return to_json(*o);
}

}  // namespace veil::server
