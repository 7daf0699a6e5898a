// Loads the built transport_vsock plugin through the host, as `veil serve` does.
#pragma once

#include <sys/socket.h>
#include <unistd.h>
#include <linux/vm_sockets.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>

#include "plugin_host/plugin_host.h"

namespace veil::test {

// One host for the whole test binary, never destroyed: the host keeps a plugin's HostApi for the
// life of the process by design, so a host per test would look like a leak to LeakSanitizer.
inline PluginHost* load_transport() {
    static PluginHost* host = [] {
        auto* h = new PluginHost;
        PluginSpec spec;
        spec.name = "transport_vsock";
        spec.path = VEIL_TRANSPORT_VSOCK_PLUGIN;
        spec.display_path = "libveil-transport-vsock.so";
        h->load(spec);
        return h;
    }();
    return host;
}

// "" when this kernel lets us create and bind an AF_VSOCK socket, else why not.
inline std::string vsock_unavailable(uint32_t port) {
    int fd = ::socket(AF_VSOCK, SOCK_STREAM, 0);
    if (fd < 0) return std::string("socket(AF_VSOCK): ") + std::strerror(errno) + " (errno " + std::to_string(errno) + ")";
    sockaddr_vm sa{};
    sa.svm_family = AF_VSOCK;
    sa.svm_cid = VMADDR_CID_ANY;
    sa.svm_port = port;
    int rc = ::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa));
    int e = errno;
    ::close(fd);
    if (rc < 0) return std::string("bind(AF_VSOCK): ") + std::strerror(e) + " (errno " + std::to_string(e) + ")";
    return "";
}

inline uint32_t test_port(uint32_t salt) { return 20000 + static_cast<uint32_t>(::getpid() % 20000) + salt; }

inline std::string temp_socket_path(const std::string& tag) {
    return "/tmp/veil-test-" + tag + "-" + std::to_string(::getpid()) + ".sock";
}

}  // namespace veil::test
