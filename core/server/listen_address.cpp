#include "server/listen_address.h"

#include <charconv>
#include <stdexcept>

namespace veil::server {

ListenAddress parse_listen_address(const std::string& url) {
    auto fail = [&](const std::string& what) {
        throw std::invalid_argument("listen address '" + url + "': " + what);
    };
    ListenAddress a;
    a.url = url;
    size_t sep = url.find("://");
    if (sep == std::string::npos || sep == 0) fail("expected SCHEME://..., e.g. tcp://127.0.0.1:8080");
    a.scheme = url.substr(0, sep);
    if (a.scheme != "tcp") return a;  // the transport plugin validates its own address syntax

    std::string rest = url.substr(sep + 3);
    size_t colon = rest.rfind(':');
    if (colon == std::string::npos) fail("tcp addresses need a port (tcp://HOST:PORT)");
    a.host = rest.substr(0, colon);
    if (a.host.size() >= 2 && a.host.front() == '[' && a.host.back() == ']') a.host = a.host.substr(1, a.host.size() - 2);
    if (a.host.empty()) fail("missing host (use 0.0.0.0 for every interface)");
    std::string port = rest.substr(colon + 1);
    unsigned value = 0;
    auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc() || p != port.data() + port.size() || value > 65535)
        fail("port '" + port + "' is not a number from 0 to 65535");
    a.port = static_cast<uint16_t>(value);
    return a;
}

}  // namespace veil::server
