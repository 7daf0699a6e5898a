// A listening AF_VSOCK or AF_UNIX socket whose blocking accept can be woken from another thread:
// accept polls the socket together with an eventfd, and close() signals the eventfd.
#pragma once

#include <condition_variable>
#include <mutex>
#include <string>

#include "address.hpp"
#include "veil/plugin.hpp"

namespace veil::transport_vsock {

class SocketListener final : public sdk::Listener {
public:
    // Binds and listens; throws sdk::Error naming the address and the errno text on failure.
    SocketListener(const std::string& url, const Address& address);
    ~SocketListener() override;

    int accept(std::string& peer) override;
    // Wakes a blocked accept, makes later ones throw CLOSED, and waits until no accept runs.
    // Idempotent (the host's shutdown, then its close).
    void close() override;

private:
    std::string url_;
    Address address_;
    int fd_ = -1;
    int wake_fd_ = -1;
    std::mutex mu_;
    std::condition_variable cv_;
    bool closed_ = false;
    bool in_accept_ = false;
};

}  // namespace veil::transport_vsock
