// API key check: when server.api_key_env names a variable that is set, every request (except the
// open probes) needs "Authorization: Bearer <key>".
#pragma once

#include <string>

namespace Poco::Net {
class HTTPServerRequest;
}

namespace veil::server {

// True when the request carries `key` as a Bearer token. Compares in constant time, so response
// timing does not reveal how much of a guess was right.
bool bearer_matches(const Poco::Net::HTTPServerRequest& request, const std::string& key);

}  // namespace veil::server
