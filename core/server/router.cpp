#include "server/router.h"

namespace veil::server {

void Router::add(const std::string& method, const std::string& path, Handler handler, bool open) {
    for (auto& r : routes_) {
        if (r.method == method && r.path == path) {
            r.handler = std::move(handler);
            r.open = open;
            return;
        }
    }
    routes_.push_back(Route{method, path, std::move(handler), open});
}

Router::Match Router::match(const std::string& method, const std::string& path) const {
    Match m;
    for (const auto& r : routes_) {
        if (r.path != path) continue;
        m.path_known = true;
        m.allowed += (m.allowed.empty() ? "" : ", ") + r.method;
        if (r.method == method) m.route = &r;
    }
    return m;
}

}  // namespace veil::server
