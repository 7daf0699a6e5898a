#include "cert_table.hpp"

#include <cstdio>

namespace veil::tee::snp {

namespace {

constexpr size_t kEntrySize = 24;

Bytes guid_bytes(const std::string& text) {
    std::string hex;
    for (char c : text)
        if (c != '-') hex.push_back(c);
    return from_hex(hex);
}

std::string guid_text(ByteView b) {
    std::string h = to_hex(b);
    return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20);
}

// Mixed-endian form: the first three fields little-endian.
Bytes swap_mixed(ByteView b) {
    Bytes o(b.begin(), b.end());
    std::swap(o[0], o[3]);
    std::swap(o[1], o[2]);
    std::swap(o[4], o[5]);
    std::swap(o[6], o[7]);
    return o;
}

}  // namespace

std::map<std::string, Bytes> parse_cert_table(ByteView table) {
    static const std::string known[] = {kGuidVcek, kGuidVlek, kGuidAsk, kGuidArk};
    std::map<std::string, Bytes> out;
    for (size_t off = 0;; off += kEntrySize) {
        ByteView e = slice(table, off, kEntrySize, "SEV-SNP certificate table entry");
        if (all_zero(e)) break;
        std::string guid = guid_text(e.subspan(0, 16));
        bool is_known = false;
        for (const auto& k : known) is_known |= (k == guid);
        if (!is_known) {
            std::string alt = guid_text(swap_mixed(e.subspan(0, 16)));
            for (const auto& k : known)
                if (k == alt) guid = alt;
        }
        uint32_t cert_off = le32(e, 16), cert_len = le32(e, 20);
        ByteView cert = slice(table, cert_off, cert_len, ("SEV-SNP certificate " + guid).c_str());
        out[guid] = Bytes(cert.begin(), cert.end());
    }
    return out;
}

Bytes build_cert_table(const std::map<std::string, Bytes>& certs) {
    size_t header = (certs.size() + 1) * kEntrySize;
    Bytes out(header, 0);
    size_t i = 0;
    for (const auto& [guid, der] : certs) {
        Bytes g = guid_bytes(guid);
        std::copy(g.begin(), g.end(), out.begin() + static_cast<long>(i * kEntrySize));
        put_le32(out, i * kEntrySize + 16, static_cast<uint32_t>(out.size()));
        put_le32(out, i * kEntrySize + 20, static_cast<uint32_t>(der.size()));
        out.insert(out.end(), der.begin(), der.end());
        ++i;
    }
    return out;
}

}  // namespace veil::tee::snp
