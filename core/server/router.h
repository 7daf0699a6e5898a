// The route table: (method, path) -> handler. Other parts of Veil add their endpoints here (e.g.
// GET /v1/attestation from the TEE side) without touching the HTTP plumbing.
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace Poco::Net {
class HTTPServerRequest;
class HTTPServerResponse;
}  // namespace Poco::Net

namespace veil::server {

using Handler = std::function<void(Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse&)>;

struct Route {
    std::string method;  // "GET", "POST"
    std::string path;    // exact path, no query string
    Handler handler;
    bool open = false;   // true = answered without an API key (liveness/readiness probes)
};

class Router {
public:
    // Adds a route; a later route with the same method and path replaces the earlier one.
    void add(const std::string& method, const std::string& path, Handler handler, bool open = false);

    struct Match {
        const Route* route = nullptr;     // the route, when method and path match
        bool path_known = false;          // the path exists for some other method (-> 405)
        std::string allowed;              // "GET, POST" for the Allow header
    };
    // Routes are added before serving starts, so lookups need no lock.
    Match match(const std::string& method, const std::string& path) const;

private:
    std::vector<Route> routes_;
};

}  // namespace veil::server
