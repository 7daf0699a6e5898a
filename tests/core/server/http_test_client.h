// Minimal HTTP helpers for server tests (Poco client over TCP or an already connected socket).
#pragma once

#include <map>
#include <sstream>
#include <string>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

namespace veil::test {

struct HttpReply {
    int status = 0;
    std::map<std::string, std::string> headers;
    std::string body;

    Poco::JSON::Object::Ptr json() const {
        return Poco::JSON::Parser().parse(body).extract<Poco::JSON::Object::Ptr>();
    }
    std::string error_code() const { return json()->getObject("error")->getValue<std::string>("code"); }
};

inline HttpReply http_on(Poco::Net::HTTPClientSession& s, const std::string& method, const std::string& path,
                         const std::string& body = "", const std::map<std::string, std::string>& headers = {}) {
    Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    for (const auto& [k, v] : headers) req.set(k, v);
    if (!body.empty() || method == "POST") {
        req.setContentType("application/json");
        req.setContentLength(static_cast<std::streamsize>(body.size()));
    }
    s.sendRequest(req) << body;
    Poco::Net::HTTPResponse resp;
    std::istream& in = s.receiveResponse(resp);
    HttpReply r;
    r.status = static_cast<int>(resp.getStatus());
    for (const auto& [k, v] : resp) r.headers[k] = v;
    std::ostringstream out;
    Poco::StreamCopier::copyStream(in, out);
    r.body = out.str();
    return r;
}

inline HttpReply http(const std::string& base_url, const std::string& method, const std::string& path,
                      const std::string& body = "", const std::map<std::string, std::string>& headers = {}) {
    Poco::URI uri(base_url);
    Poco::Net::HTTPClientSession s(uri.getHost(), uri.getPort());
    s.setTimeout(Poco::Timespan(20, 0));
    return http_on(s, method, path, body, headers);
}

}  // namespace veil::test
