#include "server/peer.h"

#include <sys/socket.h>

#include <cerrno>

#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/StreamSocket.h>

namespace veil::server {

bool peer_closed(Poco::Net::HTTPServerRequest& request) {
    auto* impl = dynamic_cast<Poco::Net::HTTPServerRequestImpl*>(&request);
    if (impl == nullptr) return false;
    int fd = impl->socket().impl()->sockfd();
    if (fd < 0) return true;
    char c;
    ssize_t n = ::recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n > 0) return false;
    if (n == 0) return true;  // orderly shutdown by the peer
    return !(errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR);
}

}  // namespace veil::server
