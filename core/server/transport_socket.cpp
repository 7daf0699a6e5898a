#include "server/transport_socket.h"

#include <unistd.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include <Poco/Net/NetException.h>
#include <Poco/Net/ServerSocketImpl.h>
#include <Poco/Net/StreamSocketImpl.h>
#include <spdlog/spdlog.h>

#include "plugin_host/host_api.h"

namespace veil::server {

namespace {

Poco::Net::SocketAddress local_address(const std::string& description) {
    // sun_path holds 108 bytes; a description longer than that is cut (it is only informative).
    return Poco::Net::SocketAddress(Poco::Net::SocketAddress::UNIX_LOCAL, description.substr(0, 100));
}

class AdoptedSocketImpl final : public Poco::Net::StreamSocketImpl {
public:
    AdoptedSocketImpl(int fd, std::string peer) : StreamSocketImpl(fd), peer_(std::move(peer)) {}
    Poco::Net::SocketAddress address() override { return local_address("veil-transport"); }
    Poco::Net::SocketAddress peerAddress() override { return local_address(peer_.empty() ? "transport-peer" : peer_); }

private:
    std::string peer_;
};

class TransportServerSocketImpl final : public Poco::Net::ServerSocketImpl {
public:
    TransportServerSocketImpl(const Plugin& plugin, const std::string& address)
        : vt_(plugin.transport), label_(plugin.label()), address_(address) {
        void* listener = nullptr;
        throw_if_error(vt_.listen(plugin.instance, address.c_str(), &listener),
                       label_ + ": cannot listen on " + address);
        listener_ = listener;
        thread_ = std::thread([this] { accept_loop(); });
    }

    // Poco names its server thread after the listening address; there is no fd to ask.
    Poco::Net::SocketAddress address() override { return local_address(address_); }

    bool poll(const Poco::Timespan& timeout, int mode) override {
        if (!(mode & Poco::Net::Socket::SELECT_READ)) return false;
        std::unique_lock lock(mu_);
        return cv_.wait_for(lock, std::chrono::microseconds(timeout.totalMicroseconds()),
                            [&] { return !ready_.empty() || closing_; }) &&
               !ready_.empty();
    }

    Poco::Net::SocketImpl* acceptConnection(Poco::Net::SocketAddress& client) override {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return !ready_.empty() || closing_; });
        if (ready_.empty()) throw Poco::Net::NetException("transport listener " + address_ + " is closed");
        Accepted a = std::move(ready_.front());
        ready_.pop_front();
        lock.unlock();
        auto* impl = new AdoptedSocketImpl(a.fd, a.peer);
        client = impl->peerAddress();
        return impl;
    }

    void close() override {
        {
            std::lock_guard lock(mu_);
            if (closing_) return;
            closing_ = true;
            cv_.notify_all();
        }
        if (vt_.shutdown != nullptr) {
            // Wake the accept thread, let it leave accept for good, then release the listener:
            // close never overlaps an accept, not even one the thread was just about to start.
            vt_.shutdown(listener_);
            if (thread_.joinable()) thread_.join();
            vt_.close(listener_);
        } else {
            // A 1.0 plugin: its close wakes a blocked accept and releases the listener after that
            // accept returned (the 1.0 contract, see veil/transport.h).
            vt_.close(listener_);
            if (thread_.joinable()) thread_.join();
        }
        std::lock_guard lock(mu_);
        for (auto& a : ready_) ::close(a.fd);
        ready_.clear();
    }

protected:
    ~TransportServerSocketImpl() override { close(); }

private:
    struct Accepted {
        int fd;
        std::string peer;
    };

    void accept_loop() {
        while (true) {
            {
                std::lock_guard lock(mu_);
                if (closing_) return;
            }
            int fd = -1;
            char peer[256] = {0};
            veil_error* err = vt_.accept(listener_, &fd, peer, sizeof(peer));
            if (err != nullptr) {
                ErrorPtr e(err);
                std::unique_lock lock(mu_);
                if (closing_ || e->code == VEIL_ERR_CLOSED) return;
                spdlog::warn("{}: accept on {} failed: {}", label_, address_, e->message);
                // Back off: a persistent failure (e.g. out of descriptors) must not spin a core.
                cv_.wait_for(lock, std::chrono::milliseconds(100), [&] { return closing_; });
                continue;
            }
            std::lock_guard lock(mu_);
            if (closing_) {
                ::close(fd);
                return;
            }
            ready_.push_back(Accepted{fd, peer});
            cv_.notify_all();
        }
    }

    veil_transport_vtable vt_;
    std::string label_, address_;
    void* listener_ = nullptr;
    std::thread thread_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<Accepted> ready_;
    bool closing_ = false;
};

}  // namespace

TransportServerSocket::TransportServerSocket(const Plugin& plugin, const std::string& address)
    : Poco::Net::ServerSocket(new TransportServerSocketImpl(plugin, address), true) {}

Poco::Net::StreamSocket adopt_transport_fd(int fd, const std::string& peer) {
    return Poco::Net::StreamSocket(new AdoptedSocketImpl(fd, peer));
}

}  // namespace veil::server
