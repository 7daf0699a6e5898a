// Request bodies in and JSON out: bounded reads (413) and JSON parsing into objects (400).
#pragma once

#include <cstdint>
#include <string>

#include <Poco/JSON/Object.h>

namespace Poco::Net {
class HTTPServerRequest;
class HTTPServerResponse;
}  // namespace Poco::Net

namespace veil::server {

// Reads the whole body, refusing (ApiError 413) a declared Content-Length above `max_bytes` before
// reading anything, and a body that turns out larger while reading (chunked uploads); and (408) a
// body that takes longer than `read_timeout_seconds` plus a second per 8 KiB received: a client
// trickling bytes would otherwise hold a server thread indefinitely.
std::string read_body(Poco::Net::HTTPServerRequest& request, uint64_t max_bytes, double read_timeout_seconds);

// After refusing a body without reading it all (413), reads and discards what the client still
// sends, for at most a few seconds and tens of MiB, before the connection closes. Closing a socket
// with unread data sends a reset, and a client still uploading would see "connection reset by
// peer" instead of the 413 (nginx calls this lingering close). Never throws.
void discard_unread_body(Poco::Net::HTTPServerRequest& request);

// Parses `body` as a JSON object; ApiError 400 (invalid_json / invalid_type) otherwise.
Poco::JSON::Object::Ptr parse_json_object(const std::string& body);

std::string to_json(const Poco::JSON::Object& object);

// Sends a complete JSON response with `status`.
void send_json(Poco::Net::HTTPServerResponse& response, const Poco::JSON::Object& object, int status = 200);
void send_text(Poco::Net::HTTPServerResponse& response, const std::string& content_type, const std::string& body,
               int status = 200);

}  // namespace veil::server
