// transport_vsock: the plugin object. Listening itself is in socket_listener.cpp.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <linux/vm_sockets.h>

#include <cerrno>
#include <cstring>

#include "address.hpp"
#include "socket_listener.hpp"
#include "veil/plugin.hpp"

namespace veil::transport_vsock {

class VsockTransport final : public sdk::Transport {
public:
    static constexpr const char* kName = "transport_vsock";
    static constexpr const char* kVersion = "1.0.0";
    static constexpr uint64_t kCapabilities = VEIL_CAP_TRANSPORT_VSOCK | VEIL_CAP_TRANSPORT_UNIX;
    static constexpr const char* kSchemes[] = {"vsock", "unix", nullptr};

    // Usable when either family works here; the log says which (a VM without a vsock device, or a
    // container that forbids AF_VSOCK, still gets unix sockets).
    static sdk::ProbeResult probe(const sdk::Host& host, const std::string& config_json) {
        check_config(config_json);
        std::string vsock = family_status(AF_VSOCK), unix_status = family_status(AF_UNIX);
        if (vsock.empty() && unix_status.empty()) {
            host.log(VEIL_LOG_INFO, "AF_VSOCK and AF_UNIX sockets available");
            return {100, ""};
        }
        if (unix_status.empty()) {
            host.log(VEIL_LOG_WARN, "AF_VSOCK unavailable here (" + vsock + "); only unix:// addresses work");
            return {10, ""};
        }
        if (vsock.empty()) {
            host.log(VEIL_LOG_WARN, "AF_UNIX unavailable here (" + unix_status + "); only vsock:// addresses work");
            return {50, ""};
        }
        return {0, "neither AF_VSOCK (" + vsock + ") nor AF_UNIX (" + unix_status + ") sockets can be created"};
    }

    VsockTransport(const sdk::Host&, const std::string& config_json) { check_config(config_json); }

    std::unique_ptr<sdk::Listener> listen(const std::string& address) override {
        return std::make_unique<SocketListener>(address, parse_address(address));
    }

private:
    // There is nothing to configure: any key is a mistake the operator should hear about. (The
    // host hands a config section over as compact JSON, so "no keys" is exactly "{}".)
    static void check_config(const std::string& config_json) {
        std::string compact;
        for (char c : config_json)
            if (c != ' ' && c != '\n' && c != '\t' && c != '\r') compact += c;
        if (!compact.empty() && compact != "{}")
            throw sdk::Error(VEIL_ERR_INVALID_ARGUMENT, "transport_vsock takes no configuration, got " + config_json);
    }

    // "" when a stream socket of `family` can be created, else the errno text.
    static std::string family_status(int family) {
        int fd = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) return std::strerror(errno);
        ::close(fd);
        return "";
    }
};

}  // namespace veil::transport_vsock

VEIL_EXPORT_PLUGIN(veil::transport_vsock::VsockTransport)
