#include "veil/tee_common/der.hpp"

#include <sstream>

namespace veil::tee::der {

std::optional<Tlv> read(ByteView in) {
    if (in.size() < 2) return std::nullopt;
    Tlv t;
    t.tag = in[0];
    size_t len = in[1], hdr = 2;
    if (len & 0x80) {
        size_t n = len & 0x7F;
        if (n == 0 || n > 4 || in.size() < 2 + n) return std::nullopt;  // indefinite / absurd
        len = 0;
        for (size_t i = 0; i < n; ++i) len = (len << 8) | in[2 + i];
        hdr += n;
    }
    if (len > in.size() - hdr) return std::nullopt;
    t.value = in.subspan(hdr, len);
    t.total = hdr + len;
    return t;
}

std::optional<std::vector<Tlv>> children(ByteView contents) {
    std::vector<Tlv> out;
    while (!contents.empty()) {
        auto t = read(contents);
        if (!t) return std::nullopt;
        out.push_back(*t);
        contents = contents.subspan(t->total);
    }
    return out;
}

std::optional<uint64_t> integer(const Tlv& t) {
    if ((t.tag != kInteger && t.tag != kEnumerated) || t.value.empty()) return std::nullopt;
    if (t.value[0] & 0x80) return std::nullopt;  // negative
    ByteView v = t.value;
    while (v.size() > 1 && v[0] == 0) v = v.subspan(1);
    if (v.size() > 8) return std::nullopt;
    uint64_t x = 0;
    for (uint8_t b : v) x = (x << 8) | b;
    return x;
}

std::string oid_text(ByteView c) {
    if (c.empty()) return "";
    std::ostringstream os;
    os << (c[0] / 40 > 2 ? 2 : c[0] / 40) << '.' << (c[0] >= 80 ? c[0] - 80 : c[0] % 40);
    uint64_t arc = 0;
    for (size_t i = 1; i < c.size(); ++i) {
        arc = (arc << 7) | (c[i] & 0x7F);
        if (!(c[i] & 0x80)) {
            os << '.' << arc;
            arc = 0;
        }
    }
    return os.str();
}

Bytes tlv(uint8_t tag, ByteView contents) {
    Bytes out{tag};
    size_t n = contents.size();
    if (n < 0x80) {
        out.push_back(static_cast<uint8_t>(n));
    } else {
        Bytes len;
        for (size_t x = n; x != 0; x >>= 8) len.insert(len.begin(), static_cast<uint8_t>(x & 0xFF));
        out.push_back(static_cast<uint8_t>(0x80 | len.size()));
        out.insert(out.end(), len.begin(), len.end());
    }
    out.insert(out.end(), contents.begin(), contents.end());
    return out;
}

Bytes integer(uint64_t v) {
    Bytes c;
    do {
        c.insert(c.begin(), static_cast<uint8_t>(v & 0xFF));
        v >>= 8;
    } while (v != 0);
    if (c[0] & 0x80) c.insert(c.begin(), 0);
    return tlv(kInteger, c);
}

Bytes oid(const std::string& dotted) {
    std::vector<uint64_t> arcs;
    std::istringstream is(dotted);
    std::string part;
    while (std::getline(is, part, '.')) arcs.push_back(std::stoull(part));
    if (arcs.size() < 2) invalid("OID needs at least two arcs: " + dotted);
    Bytes c{static_cast<uint8_t>(arcs[0] * 40 + arcs[1])};
    for (size_t i = 2; i < arcs.size(); ++i) {
        Bytes enc;
        uint64_t a = arcs[i];
        enc.insert(enc.begin(), static_cast<uint8_t>(a & 0x7F));
        for (a >>= 7; a != 0; a >>= 7) enc.insert(enc.begin(), static_cast<uint8_t>(0x80 | (a & 0x7F)));
        c.insert(c.end(), enc.begin(), enc.end());
    }
    return tlv(kOid, c);
}

}  // namespace veil::tee::der
