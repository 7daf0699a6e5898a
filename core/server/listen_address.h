// Where the server listens: tcp://HOST:PORT on the built-in listener, any other scheme
// (vsock://, unix://) through a transport plugin that serves that scheme.
#pragma once

#include <cstdint>
#include <string>

namespace veil::server {

struct ListenAddress {
    std::string url;     // as given
    std::string scheme;  // "tcp", "vsock", "unix", ...
    // tcp only:
    std::string host;
    uint16_t port = 0;
};

// Throws std::invalid_argument naming the address and what is wrong with it.
ListenAddress parse_listen_address(const std::string& url);

}  // namespace veil::server
