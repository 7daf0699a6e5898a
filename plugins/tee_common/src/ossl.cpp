#include "veil/tee_common/ossl.hpp"

#include <openssl/err.h>
#include <openssl/rand.h>

#include <cstdio>

namespace veil::tee {

std::string ossl_error() {
    unsigned long e = ERR_get_error();
    ERR_clear_error();
    if (e == 0) return "no OpenSSL error detail";
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    return buf;
}

static Bytes digest(const EVP_MD* md, ByteView data) {
    Bytes out(static_cast<size_t>(EVP_MD_get_size(md)));
    unsigned int n = 0;
    if (EVP_Digest(data.data(), data.size(), out.data(), &n, md, nullptr) != 1)
        throw sdk::Error(VEIL_ERR_INTERNAL, "digest failed: " + ossl_error());
    out.resize(n);
    return out;
}

Bytes sha256(ByteView data) { return digest(EVP_sha256(), data); }
Bytes sha384(ByteView data) { return digest(EVP_sha384(), data); }

Bytes random_bytes(size_t n) {
    Bytes out(n);
    if (n != 0 && RAND_bytes(out.data(), static_cast<int>(n)) != 1)
        throw sdk::Error(VEIL_ERR_INTERNAL, "RAND_bytes failed: " + ossl_error());
    return out;
}

time_t parse_rfc3339(const std::string& text) {
    int y, mo, d, h, mi, s, consumed = 0;
    if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &consumed) != 6 &&
        std::sscanf(text.c_str(), "%4d-%2d-%2dt%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &consumed) != 6)
        invalid("policy 'at' is not an RFC 3339 time: '" + text + "'");
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
        invalid("policy 'at' has an out-of-range field: '" + text + "'");
    size_t i = static_cast<size_t>(consumed);
    if (i < text.size() && text[i] == '.') {
        ++i;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    }
    long offset = 0;
    std::string zone = text.substr(i);
    if (zone == "Z" || zone == "z") {
        offset = 0;
    } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') {
        int oh = 0, om = 0;
        if (std::sscanf(zone.c_str() + 1, "%2d:%2d", &oh, &om) != 2) invalid("policy 'at' has a bad offset: '" + text + "'");
        offset = (zone[0] == '-' ? -1 : 1) * (oh * 3600L + om * 60L);
    } else {
        invalid("policy 'at' needs a 'Z' or ±hh:mm offset: '" + text + "'");
    }
    std::tm tm{};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = s;
    return timegm(&tm) - offset;
}

std::string format_rfc3339(time_t t) {
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

}  // namespace veil::tee
