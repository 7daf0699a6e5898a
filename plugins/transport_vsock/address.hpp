// Listen addresses this transport understands:
//   vsock://ANY:PORT   every CID of this VM (VMADDR_CID_ANY)
//   vsock://CID:PORT   one CID (decimal)
//   unix:///path       an AF_UNIX stream socket at an absolute path
#pragma once

#include <cstdint>
#include <string>

namespace veil::transport_vsock {

struct Address {
    enum class Kind { Vsock, Unix } kind = Kind::Vsock;
    uint32_t cid = 0;   // vsock; VMADDR_CID_ANY for ANY
    uint32_t port = 0;  // vsock
    std::string path;   // unix
};

// Throws veil::sdk::Error(VEIL_ERR_INVALID_ARGUMENT) naming the address and what is wrong.
Address parse_address(const std::string& url);

}  // namespace veil::transport_vsock
