// veil chat: an interactive client for a running `veil serve` — reads lines from stdin, streams
// each reply over SSE, keeps the conversation history, prints tok/s after each reply.
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <sstream>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/URI.h>

#include "cli/command.h"
#include "cli/options.h"

namespace veil::cli {

namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

struct Client {
    Poco::URI base;
    std::string unix_path;  // set for unix:///path URLs (a server behind the transport plugin)
    std::string api_key;

    std::unique_ptr<Poco::Net::HTTPClientSession> session() const {
        std::unique_ptr<Poco::Net::HTTPClientSession> s;
        if (unix_path.empty()) {
            s = std::make_unique<Poco::Net::HTTPClientSession>(base.getHost(), base.getPort());
        } else {
            // One connection per request: a session on a given socket cannot reconnect by itself.
            Poco::Net::StreamSocket sock(Poco::Net::SocketAddress(Poco::Net::SocketAddress::UNIX_LOCAL, unix_path));
            s = std::make_unique<Poco::Net::HTTPClientSession>(sock);
        }
        s->setTimeout(Poco::Timespan(300, 0));  // a long reply on a slow model still streams
        return s;
    }
    Poco::Net::HTTPRequest request(const std::string& method, const std::string& path) const {
        Poco::Net::HTTPRequest req(method, (unix_path.empty() ? base.getPath() : "") + path,
                                   Poco::Net::HTTPMessage::HTTP_1_1);
        if (!unix_path.empty()) req.setHost("veil");
        if (!api_key.empty()) req.set("Authorization", "Bearer " + api_key);
        return req;
    }
};

std::string error_message(std::istream& body) {
    std::string text((std::istreambuf_iterator<char>(body)), std::istreambuf_iterator<char>());
    try {
        auto obj = Poco::JSON::Parser().parse(text).extract<Object::Ptr>();
        return obj->getObject("error")->getValue<std::string>("message");
    } catch (const std::exception&) {
        return text;
    }
}

std::string first_model(const Client& c) {
    auto s = c.session();
    auto req = c.request("GET", "/v1/models");
    s->sendRequest(req);
    Poco::Net::HTTPResponse resp;
    std::istream& in = s->receiveResponse(resp);
    if (resp.getStatus() != 200) throw std::runtime_error("GET /v1/models: " + error_message(in));
    auto obj = Poco::JSON::Parser().parse(in).extract<Object::Ptr>();
    auto data = obj->getArray("data");
    if (!data || data->size() == 0) throw std::runtime_error("the server serves no model");
    return data->getObject(0)->getValue<std::string>("id");
}

// Sends the conversation, prints the streamed reply, returns it (empty on error).
std::string stream_reply(const Client& c, const std::string& model, const Array::Ptr& history, uint64_t max_tokens) {
    Object body;
    body.set("model", model);
    body.set("max_tokens", max_tokens);
    body.set("messages", history);
    body.set("stream", true);
    Object::Ptr so = new Object;
    so->set("include_usage", true);
    body.set("stream_options", so);
    std::ostringstream payload;
    Poco::JSON::Stringifier::condense(body, payload);

    auto s = c.session();
    auto req = c.request("POST", "/v1/chat/completions");
    req.setContentType("application/json");
    req.setContentLength(static_cast<std::streamsize>(payload.str().size()));
    auto start = std::chrono::steady_clock::now();
    s->sendRequest(req) << payload.str();
    Poco::Net::HTTPResponse resp;
    std::istream& in = s->receiveResponse(resp);
    if (resp.getStatus() != 200) {
        std::cerr << "error " << static_cast<int>(resp.getStatus()) << ": " << error_message(in) << '\n';
        return "";
    }
    std::string reply, line;
    uint32_t pieces = 0, usage_tokens = 0;
    std::chrono::steady_clock::time_point first;
    while (std::getline(in, line)) {
        if (line.rfind("data: ", 0) != 0) continue;  // blank separators, comments
        std::string data = line.substr(6);
        if (data == "[DONE]") break;
        auto chunk = Poco::JSON::Parser().parse(data).extract<Object::Ptr>();
        if (chunk->has("error")) {
            std::cerr << "\nerror: " << chunk->getObject("error")->getValue<std::string>("message") << '\n';
            break;
        }
        if (chunk->has("usage") && !chunk->isNull("usage"))
            usage_tokens = chunk->getObject("usage")->getValue<uint32_t>("completion_tokens");
        auto choices = chunk->getArray("choices");
        if (!choices || choices->size() == 0) continue;
        auto delta = choices->getObject(0)->getObject("delta");
        if (!delta || !delta->has("content") || delta->isNull("content")) continue;
        std::string text = delta->getValue<std::string>("content");
        if (text.empty()) continue;
        if (pieces++ == 0) first = std::chrono::steady_clock::now();
        std::cout << text << std::flush;
        reply += text;
    }
    auto end = std::chrono::steady_clock::now();
    uint32_t tokens = usage_tokens ? usage_tokens : pieces;
    double secs = pieces > 1 ? std::chrono::duration<double>(end - first).count() : 0;
    double ttft = pieces ? std::chrono::duration<double>(first - start).count() : 0;
    std::cout << "\n[" << tokens << " tokens";
    if (secs > 0) std::cout << ", " << static_cast<int>((tokens > 1 ? tokens - 1 : tokens) / secs * 10) / 10.0 << " tok/s";
    std::cout << ", first token after " << static_cast<int>(ttft * 1000) << " ms]\n";
    return reply;
}

int run(const std::vector<std::string>& args) {
    CommandLine cl("chat", "--url URL [--model ID] [--system TEXT] [--max-tokens N]",
                   "Chats with a running 'veil serve': type a message and press Enter; the reply streams in. "
                   "'/exit' (or end of input) quits, '/reset' forgets the conversation. The API key, if the server "
                   "needs one, is read from $VEIL_API_KEY.");
    cl.option("url", "u", "URL", "server address: http://127.0.0.1:8080 or unix:///path/to/socket", true)
        .option("model", "m", "ID", "model id (default: the server's first model)")
        .option("system", "s", "TEXT", "system prompt")
        .option("max-tokens", "n", "N", "longest reply in tokens (default 256), so the history keeps fitting the context");
    if (!cl.parse(args, std::cout)) return 0;

    Client c;
    try {
        c.base = Poco::URI(cl.get("url"));
    } catch (const std::exception& e) {
        throw UsageError("--url '" + cl.get("url") + "' is not a URL");
    }
    if (c.base.getScheme() == "unix")
        c.unix_path = c.base.getPath();
    else if (c.base.getScheme() != "http")
        throw UsageError("--url must be http://HOST:PORT or unix:///path (got '" + cl.get("url") + "')");
    if (!c.base.getPath().empty() && c.base.getPath().back() == '/') c.base.setPath(c.base.getPath().substr(0, c.base.getPath().size() - 1));
    if (const char* key = std::getenv("VEIL_API_KEY")) c.api_key = key;

    std::string model = cl.has("model") ? cl.get("model") : first_model(c);
    std::cout << "chatting with '" << model << "' at " << cl.get("url") << " (/exit quits, /reset forgets)\n";
    Array::Ptr history = new Array;
    auto add_system = [&] {
        if (!cl.has("system")) return;
        Object::Ptr m = new Object;
        m->set("role", std::string("system"));
        m->set("content", cl.get("system"));
        history->add(m);
    };
    add_system();
    std::string line;
    while (true) {
        std::cout << "> " << std::flush;
        if (!std::getline(std::cin, line) || line == "/exit") break;
        if (line == "/reset") {
            history = new Array;
            add_system();
            continue;
        }
        if (line.empty()) continue;
        Object::Ptr user = new Object;
        user->set("role", std::string("user"));
        user->set("content", line);
        history->add(user);
        std::string reply = stream_reply(c, model, history, cl.get_uint("max-tokens", 256));
        if (reply.empty()) {
            history->remove(history->size() - 1);  // keep the history consistent after an error
            continue;
        }
        Object::Ptr assistant = new Object;
        assistant->set("role", std::string("assistant"));
        assistant->set("content", reply);
        history->add(assistant);
    }
    std::cout << '\n';
    return 0;
}

}  // namespace

Command chat_command() { return {"chat", "chat interactively with a running 'veil serve'", run}; }

}  // namespace veil::cli
