#include "server/auth.h"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/String.h>

namespace veil::server {

bool bearer_matches(const Poco::Net::HTTPServerRequest& request, const std::string& key) {
    if (!request.has("Authorization")) return false;
    const std::string& value = request.get("Authorization");
    static const std::string scheme = "bearer ";
    if (value.size() < scheme.size() || Poco::icompare(value.substr(0, scheme.size()), scheme) != 0) return false;
    std::string token = Poco::trim(value.substr(scheme.size()));
    unsigned char diff = token.size() == key.size() ? 0 : 1;
    for (size_t i = 0; i < key.size(); ++i)
        diff |= static_cast<unsigned char>(key[i] ^ (i < token.size() ? token[i] : 0));
    return diff == 0;
}

}  // namespace veil::server
