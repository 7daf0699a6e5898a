#include "socket_listener.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <linux/vm_sockets.h>

#include <cerrno>
#include <cstring>

namespace veil::transport_vsock {

namespace {

std::string errno_text(int e) { return std::string(std::strerror(e)) + " (errno " + std::to_string(e) + ")"; }

std::string describe_vsock(const sockaddr_vm& a) {
    return "vsock://" + std::to_string(a.svm_cid) + ":" + std::to_string(a.svm_port);
}

}  // namespace

SocketListener::SocketListener(const std::string& url, const Address& address) : url_(url), address_(address) {
    auto fail = [&](const std::string& step, int e) {
        if (fd_ >= 0) ::close(fd_);
        if (wake_fd_ >= 0) ::close(wake_fd_);
        fd_ = wake_fd_ = -1;
        throw sdk::Error(VEIL_ERR_IO,
                         "listen on '" + url + "': " + step + " failed: " + errno_text(e));
    };
    wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wake_fd_ < 0) fail("eventfd", errno);

    if (address.kind == Address::Kind::Vsock) {
        fd_ = ::socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd_ < 0) fail("socket(AF_VSOCK)", errno);
        sockaddr_vm sa{};
        sa.svm_family = AF_VSOCK;
        sa.svm_cid = address.cid;
        sa.svm_port = address.port;
        if (::bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) < 0) fail("bind", errno);
    } else {
        fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd_ < 0) fail("socket(AF_UNIX)", errno);
        // A socket file left by a previous run would make bind fail with EADDRINUSE. Remove it only
        // when it is a socket nobody accepts on; never touch other files.
        struct stat st{};
        if (::lstat(address.path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) {
            int probe = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
            sockaddr_un sa{};
            sa.sun_family = AF_UNIX;
            std::memcpy(sa.sun_path, address.path.c_str(), address.path.size() + 1);
            bool live = probe >= 0 && ::connect(probe, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) == 0;
            if (probe >= 0) ::close(probe);
            if (live) fail("bind", EADDRINUSE);
            ::unlink(address.path.c_str());
        }
        sockaddr_un sa{};
        sa.sun_family = AF_UNIX;
        std::memcpy(sa.sun_path, address.path.c_str(), address.path.size() + 1);
        if (::bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) < 0) fail("bind", errno);
    }
    if (::listen(fd_, 64) < 0) fail("listen", errno);
}

SocketListener::~SocketListener() {
    if (fd_ >= 0) ::close(fd_);
    if (wake_fd_ >= 0) ::close(wake_fd_);
    if (address_.kind == Address::Kind::Unix) ::unlink(address_.path.c_str());
}

int SocketListener::accept(std::string& peer) {
    {
        std::lock_guard lock(mu_);
        if (closed_) throw sdk::Error(VEIL_ERR_CLOSED, "listener on '" + url_ + "' is closed");
        in_accept_ = true;
    }
    struct Done {
        SocketListener* self;
        ~Done() {
            std::lock_guard lock(self->mu_);
            self->in_accept_ = false;
            self->cv_.notify_all();
        }
    } done{this};

    while (true) {
        pollfd fds[2] = {{fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
        int n = ::poll(fds, 2, -1);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw sdk::Error(VEIL_ERR_IO, "accept on '" + url_ + "': poll failed: " + errno_text(errno));
        }
        if (fds[1].revents != 0) throw sdk::Error(VEIL_ERR_CLOSED, "listener on '" + url_ + "' is closed");
        if (fds[0].revents == 0) continue;

        sockaddr_storage ss{};
        socklen_t len = sizeof(ss);
        int c = ::accept4(fd_, reinterpret_cast<sockaddr*>(&ss), &len, SOCK_CLOEXEC);
        if (c < 0) {
            // The peer gave up between poll and accept, or a signal interrupted us: keep waiting.
            if (errno == EINTR || errno == EAGAIN || errno == ECONNABORTED || errno == EPROTO) continue;
            throw sdk::Error(VEIL_ERR_IO, "accept on '" + url_ + "' failed: " + errno_text(errno));
        }
        if (ss.ss_family == AF_VSOCK)
            peer = describe_vsock(*reinterpret_cast<sockaddr_vm*>(&ss));
        else
            peer = "unix:" + address_.path;
        return c;
    }
}

void SocketListener::close() {
    std::unique_lock lock(mu_);
    closed_ = true;
    uint64_t one = 1;
    // A full eventfd counter still wakes poll, so a failed write changes nothing.
    [[maybe_unused]] ssize_t w = ::write(wake_fd_, &one, sizeof(one));
    // A 1.0 host releases the listener as soon as this returns, possibly while accept is still
    // blocked: wait until it has left. (The SDK glue's accept touches nothing of the listener
    // after ours returns: it copied what it needs first.)
    cv_.wait(lock, [&] { return !in_accept_; });
}

}  // namespace veil::transport_vsock
