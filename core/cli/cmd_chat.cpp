// veil chat: an interactive client for a running `veil serve` — reads lines from stdin, streams
// each reply over SSE, keeps the conversation history, prints tok/s after each reply.
#include <cstdlib>
#include <iostream>
#include <optional>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include "cli/command.h"
#include "cli/options.h"
#include "client/openai_client.h"

namespace veil::cli {

namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

// Sends the conversation, prints the streamed reply, returns it (empty on error).
std::string stream_reply(const client::OpenAiClient& c, const std::string& model, const Array::Ptr& history,
                         uint64_t max_tokens) {
    Object body;
    body.set("model", model);
    body.set("max_tokens", max_tokens);
    body.set("messages", history);
    client::StreamResult r;
    try {
        r = c.stream("/v1/chat/completions", body, [](std::string_view text) { std::cout << text << std::flush; });
    } catch (const std::exception& e) {
        std::cerr << "\nerror: " << e.what() << '\n';
        return "";
    }
    std::cout << "\n[" << r.completion_tokens << " tokens";
    if (double tps = r.tokens_per_second(); tps > 0) std::cout << ", " << static_cast<int>(tps * 10) / 10.0 << " tok/s";
    std::cout << ", first token after " << static_cast<int>(r.first_piece_seconds * 1000) << " ms]\n";
    return r.text;
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

    const char* key = std::getenv("VEIL_API_KEY");
    std::optional<client::OpenAiClient> c;
    try {
        c.emplace(cl.get("url"), key ? key : "");
    } catch (const std::invalid_argument& e) {
        throw UsageError(std::string("--url ") + e.what());
    }
    std::string model = cl.has("model") ? cl.get("model") : c->first_model();
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
        std::string reply = stream_reply(*c, model, history, cl.get_uint("max-tokens", 256));
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
