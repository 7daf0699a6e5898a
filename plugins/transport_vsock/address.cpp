#include "address.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <linux/vm_sockets.h>

#include <charconv>

#include "veil/plugin.hpp"

namespace veil::transport_vsock {

namespace {

[[noreturn]] void bad(const std::string& url, const std::string& what) {
    throw sdk::Error(VEIL_ERR_INVALID_ARGUMENT, "address '" + url + "': " + what);
}

bool parse_u32(const std::string& s, uint32_t& out) {
    if (s.empty()) return false;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

Address parse_address(const std::string& url) {
    Address a;
    const std::string vsock = "vsock://", unix_scheme = "unix://";
    if (url.rfind(vsock, 0) == 0) {
        std::string rest = url.substr(vsock.size());
        size_t colon = rest.rfind(':');
        if (colon == std::string::npos) bad(url, "expected vsock://ANY:PORT or vsock://CID:PORT");
        std::string cid = rest.substr(0, colon), port = rest.substr(colon + 1);
        if (cid == "ANY" || cid == "any") {
            a.cid = VMADDR_CID_ANY;
        } else if (!parse_u32(cid, a.cid)) {
            bad(url, "CID '" + cid + "' is not ANY or a decimal number");
        }
        if (!parse_u32(port, a.port)) bad(url, "port '" + port + "' is not a decimal number");
        if (a.port == VMADDR_PORT_ANY) bad(url, "port " + port + " is reserved (VMADDR_PORT_ANY)");
        a.kind = Address::Kind::Vsock;
        return a;
    }
    if (url.rfind(unix_scheme, 0) == 0) {
        a.kind = Address::Kind::Unix;
        a.path = url.substr(unix_scheme.size());
        if (a.path.empty() || a.path[0] != '/') bad(url, "expected an absolute path: unix:///path/to/socket");
        if (a.path.size() >= sizeof(sockaddr_un::sun_path))
            bad(url, "the path is " + std::to_string(a.path.size()) + " bytes; AF_UNIX allows at most " +
                         std::to_string(sizeof(sockaddr_un::sun_path) - 1));
        return a;
    }
    bad(url, "unsupported scheme (this transport serves vsock:// and unix://)");
}

}  // namespace veil::transport_vsock
