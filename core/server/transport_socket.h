// Serving HTTP on connections accepted by a transport plugin, through the very same Poco
// HTTPServer as TCP.
//
// Poco's TCPServer only needs two things from its listening socket: poll() ("is a connection
// ready?") and acceptConnection(). TransportServerSocket provides both on top of the plugin's
// blocking accept: a thread calls the plugin's accept and queues each connected descriptor; poll()
// waits on that queue and acceptConnection() wraps the next descriptor in a Poco StreamSocket. So
// vsock/unix connections get the identical request handling, thread pool, timeouts and shutdown.
#pragma once

#include <string>

#include <Poco/Net/ServerSocket.h>

#include "plugin_host/plugin.h"

namespace veil::server {

class TransportServerSocket : public Poco::Net::ServerSocket {
public:
    // Listens on `address` with `plugin` (a Ready transport). Throws PluginCallError with the
    // plugin's message (bad address, bind failure) on failure.
    TransportServerSocket(const Plugin& plugin, const std::string& address);
};

// A connected descriptor from a transport as a Poco StreamSocket (takes ownership of `fd`).
// Poco has no AF_VSOCK address type, so the socket presents itself as a local (unix) socket whose
// "path" is the peer description: Poco then skips TCP-only options (TCP_NODELAY) and
// request.clientAddress() names the peer.
Poco::Net::StreamSocket adopt_transport_fd(int fd, const std::string& peer);

}  // namespace veil::server
