// Noticing that a client hung up while its request is still being worked on.
#pragma once

namespace Poco::Net {
class HTTPServerRequest;
}

namespace veil::server {

// True when the connection behind `request` was closed or reset by the peer. Peeks without
// consuming and without blocking; a connection with unread (pipelined) bytes counts as open.
bool peer_closed(Poco::Net::HTTPServerRequest& request);

}  // namespace veil::server
