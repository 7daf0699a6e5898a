#include "pck.hpp"

#include "veil/tee_common/der.hpp"
#include "veil/tee_common/x509_chain.hpp"

namespace veil::tee::tdx {

PckChain verify_pck_chain(std::string_view pem, time_t at, bool simulated) {
    // The PEM data may carry a trailing NUL (C tooling does that).
    while (!pem.empty() && pem.back() == '\0') pem.remove_suffix(1);
    PckChain chain;
    chain.certs = x509_chain_from_pem(pem, "PCK certification data");
    if (chain.certs.size() < 2) fail("PCK certificate chain has no root (only one certificate)");
    X509* root = chain.certs.back().get();
    if (!self_signed(root)) fail("PCK chain's last certificate is not a self-signed root");
    if (!simulated && sha256_fingerprint(root) != kIntelSgxRootFingerprint)
        fail("PCK chain root (SHA-256 " + sha256_fingerprint(root) + ") is not the pinned Intel SGX Root CA");
    std::vector<X509*> untrusted;
    for (size_t i = 1; i + 1 < chain.certs.size(); ++i) untrusted.push_back(chain.certs[i].get());
    verify_chain(chain.leaf(), untrusted, root, at,
                 simulated ? "PCK certificate chain does not verify to the simulated root"
                           : "PCK certificate chain does not verify to the Intel SGX Root CA");
    return chain;
}

SgxExtensions sgx_extensions(X509* pck) {
    SgxExtensions out;
    auto v = extension_value(pck, kOidSgxExtensions);
    if (!v) return out;
    auto seq = der::read(*v);
    if (!seq || seq->tag != der::kSequence) return out;
    auto items = der::children(seq->value);
    if (!items) return out;
    for (const auto& item : *items) {
        if (item.tag != der::kSequence) continue;
        auto kv = der::children(item.value);
        if (!kv || kv->size() != 2 || (*kv)[0].tag != der::kOid) continue;
        std::string oid = der::oid_text((*kv)[0].value);
        const der::Tlv& val = (*kv)[1];
        if (val.tag != der::kOctetString) continue;
        if (oid == kOidSgxFmspc) out.fmspc.assign(val.value.begin(), val.value.end());
        if (oid == kOidSgxPceId) out.pceid.assign(val.value.begin(), val.value.end());
    }
    return out;
}

Bytes build_sgx_extension(ByteView fmspc, ByteView pceid) {
    auto entry = [](const char* oid, ByteView value) {
        Bytes c = der::oid(oid);
        Bytes v = der::tlv(der::kOctetString, value);
        c.insert(c.end(), v.begin(), v.end());
        return der::tlv(der::kSequence, c);
    };
    Bytes items = entry(kOidSgxPceId, pceid);
    Bytes f = entry(kOidSgxFmspc, fmspc);
    items.insert(items.end(), f.begin(), f.end());
    return der::tlv(der::kSequence, items);
}

}  // namespace veil::tee::tdx
