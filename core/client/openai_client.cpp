#include "client/openai_client.h"

#include <istream>
#include <iterator>
#include <sstream>

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

namespace veil::client {

namespace {

using Poco::JSON::Object;
using Clock = std::chrono::steady_clock;

// The message of an OpenAI error object, or the text itself when it is not one.
std::string error_message(const std::string& text) {
    try {
        auto obj = Poco::JSON::Parser().parse(text).extract<Object::Ptr>();
        return obj->getObject("error")->getValue<std::string>("message");
    } catch (const std::exception&) {
        return text.empty() ? "(empty body)" : text;
    }
}

std::string read_all(std::istream& in) {
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// The text an SSE chunk carries: choices[0].delta.content (chat) or choices[0].text (completion).
std::string chunk_text(const Object& chunk) {
    auto choices = chunk.getArray("choices");
    if (!choices || choices->size() == 0) return "";
    auto choice = choices->getObject(0);
    if (auto delta = choice->getObject("delta")) {
        if (delta->has("content") && !delta->isNull("content")) return delta->getValue<std::string>("content");
        return "";
    }
    if (choice->has("text") && !choice->isNull("text")) return choice->getValue<std::string>("text");
    return "";
}

std::string chunk_finish_reason(const Object& chunk) {
    auto choices = chunk.getArray("choices");
    if (!choices || choices->size() == 0) return "";
    auto choice = choices->getObject(0);
    return choice->has("finish_reason") && !choice->isNull("finish_reason")
               ? choice->getValue<std::string>("finish_reason")
               : "";
}

}  // namespace

double StreamResult::tokens_per_second() const {
    if (stream_seconds <= 0 || completion_tokens < 2) return 0;
    return (completion_tokens - 1) / stream_seconds;
}

OpenAiClient::OpenAiClient(const std::string& url, std::string api_key) : url_(url), api_key_(std::move(api_key)) {
    try {
        base_ = Poco::URI(url);
    } catch (const std::exception&) {
        throw std::invalid_argument("'" + url + "' is not a URL");
    }
    if (base_.getScheme() == "unix")
        unix_path_ = base_.getPath();
    else if (base_.getScheme() != "http" || base_.getHost().empty())
        throw std::invalid_argument("'" + url + "' must be http://HOST:PORT or unix:///path");
    std::string path = base_.getPath();
    while (!path.empty() && path.back() == '/') path.pop_back();
    base_.setPath(path);
}

std::unique_ptr<Poco::Net::HTTPClientSession> OpenAiClient::session() const {
    std::unique_ptr<Poco::Net::HTTPClientSession> s;
    if (unix_path_.empty()) {
        s = std::make_unique<Poco::Net::HTTPClientSession>(base_.getHost(), base_.getPort());
    } else {
        // One connection per request: a session on a given socket cannot reconnect by itself.
        Poco::Net::StreamSocket sock(Poco::Net::SocketAddress(Poco::Net::SocketAddress::UNIX_LOCAL, unix_path_));
        s = std::make_unique<Poco::Net::HTTPClientSession>(sock);
    }
    s->setTimeout(Poco::Timespan(300, 0));  // a long reply on a slow model still streams
    return s;
}

Poco::Net::HTTPRequest OpenAiClient::request(const std::string& method, const std::string& path) const {
    Poco::Net::HTTPRequest req(method, (unix_path_.empty() ? base_.getPath() : "") + path,
                               Poco::Net::HTTPMessage::HTTP_1_1);
    if (!unix_path_.empty()) req.setHost("veil");
    if (!api_key_.empty()) req.set("Authorization", "Bearer " + api_key_);
    return req;
}

std::string OpenAiClient::first_model() const {
    try {
        return first_model_unguarded();
    } catch (const Poco::Exception& e) {
        throw std::runtime_error(url_ + ": " + e.displayText());
    }
}

StreamResult OpenAiClient::stream(const std::string& path, Object body,
                                  const std::function<void(std::string_view)>& on_text) const {
    try {
        return stream_unguarded(path, std::move(body), on_text);
    } catch (const Poco::Exception& e) {
        throw std::runtime_error(url_ + ": " + e.displayText());
    }
}

std::string OpenAiClient::first_model_unguarded() const {
    auto s = session();
    auto req = request("GET", "/v1/models");
    s->sendRequest(req);
    Poco::Net::HTTPResponse resp;
    std::istream& in = s->receiveResponse(resp);
    std::string text = read_all(in);
    if (resp.getStatus() != Poco::Net::HTTPResponse::HTTP_OK)
        throw ServerError(static_cast<int>(resp.getStatus()), error_message(text));
    auto data = Poco::JSON::Parser().parse(text).extract<Object::Ptr>()->getArray("data");
    if (!data || data->size() == 0) throw std::runtime_error(url_ + ": the server serves no model");
    return data->getObject(0)->getValue<std::string>("id");
}

StreamResult OpenAiClient::stream_unguarded(const std::string& path, Object body,
                                            const std::function<void(std::string_view)>& on_text) const {
    body.set("stream", true);
    Object::Ptr options = new Object;
    options->set("include_usage", true);
    body.set("stream_options", options);
    std::ostringstream payload;
    Poco::JSON::Stringifier::condense(body, payload);

    auto s = session();
    auto req = request("POST", path);
    req.setContentType("application/json");
    req.setContentLength(static_cast<std::streamsize>(payload.str().size()));
    const auto start = Clock::now();
    s->sendRequest(req) << payload.str();
    Poco::Net::HTTPResponse resp;
    std::istream& in = s->receiveResponse(resp);
    if (resp.getStatus() != Poco::Net::HTTPResponse::HTTP_OK)
        throw ServerError(static_cast<int>(resp.getStatus()), error_message(read_all(in)));

    StreamResult r;
    Clock::time_point first;
    std::string line;
    bool done = false;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.rfind("data:", 0) != 0) continue;  // blank separators, comments, other fields
        std::string data = line.substr(line.size() > 5 && line[5] == ' ' ? 6 : 5);
        if (data == "[DONE]") {
            done = true;
            break;
        }
        Object::Ptr chunk;
        try {
            chunk = Poco::JSON::Parser().parse(data).extract<Object::Ptr>();
        } catch (const std::exception&) {
            throw std::runtime_error("the server sent an event that is not a JSON object: " + data.substr(0, 200));
        }
        if (chunk->has("error")) throw ServerError(0, error_message(data));
        if (chunk->has("usage") && !chunk->isNull("usage")) {
            auto usage = chunk->getObject("usage");
            r.prompt_tokens = usage->optValue<uint32_t>("prompt_tokens", 0);
            r.completion_tokens = usage->optValue<uint32_t>("completion_tokens", 0);
        }
        if (std::string reason = chunk_finish_reason(*chunk); !reason.empty()) r.finish_reason = reason;
        std::string text = chunk_text(*chunk);
        if (text.empty()) continue;
        if (r.pieces++ == 0) first = Clock::now();
        r.text += text;
        on_text(text);
    }
    if (!done) throw std::runtime_error("the stream ended before its [DONE] event (connection closed)");
    if (r.completion_tokens == 0) r.completion_tokens = r.pieces;
    if (r.pieces) {
        r.first_piece_seconds = std::chrono::duration<double>(first - start).count();
        // To the end of the stream, not the last piece: tokens that render as nothing (or wait for
        // the rest of a UTF-8 character) still took their time.
        r.stream_seconds = std::chrono::duration<double>(Clock::now() - first).count();
    }
    return r;
}

}  // namespace veil::client
