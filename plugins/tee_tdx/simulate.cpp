#include "simulate.hpp"

#include <algorithm>

#include "pck.hpp"
#include "quote.hpp"
#include "verify.hpp"
#include "veil/tee_common/cert_builder.hpp"
#include "veil/tee_common/ecdsa.hpp"
#include "veil/tee_common/x509_chain.hpp"

namespace veil::tee::tdx {

Bytes assemble_quote_v4(ByteView header, ByteView body, EVP_PKEY* ak, ByteView qe_report, ByteView qe_report_sig,
                        ByteView qe_auth, std::string_view pem) {
    Bytes signed_part(header.begin(), header.end());
    signed_part.insert(signed_part.end(), body.begin(), body.end());
    Bytes sig = ecdsa_sign_rs(ak, EVP_sha256(), signed_part, 32);
    Bytes ak_xy = ec_public_xy(ak, 32);

    Bytes qe;  // certification data type 6
    qe.insert(qe.end(), qe_report.begin(), qe_report.end());
    qe.insert(qe.end(), qe_report_sig.begin(), qe_report_sig.end());
    append_le16(qe, static_cast<uint16_t>(qe_auth.size()));
    qe.insert(qe.end(), qe_auth.begin(), qe_auth.end());
    append_le16(qe, kCertTypePckChain);
    append_le32(qe, static_cast<uint32_t>(pem.size()));
    qe.insert(qe.end(), pem.begin(), pem.end());

    Bytes sigdata = sig;
    sigdata.insert(sigdata.end(), ak_xy.begin(), ak_xy.end());
    append_le16(sigdata, kCertTypeQeReport);
    append_le32(sigdata, static_cast<uint32_t>(qe.size()));
    sigdata.insert(sigdata.end(), qe.begin(), qe.end());

    Bytes out = signed_part;
    append_le32(out, static_cast<uint32_t>(sigdata.size()));
    out.insert(out.end(), sigdata.begin(), sigdata.end());
    return out;
}

Simulator::Simulator() {
    time_t now = std::time(nullptr);
    time_t nb = now - 86400, na = now + 10L * 365 * 86400;
    root_key_ = generate_ec(kP256);
    pck_key_ = generate_ec(kP256);
    ak_key_ = generate_ec(kP256);
    auto spec = [&](const char* cn, EVP_PKEY* subject, X509* issuer, EVP_PKEY* issuer_key, bool ca, long serial) {
        CertSpec s;
        s.common_name = cn;
        s.subject_key = subject;
        s.issuer = issuer;
        s.issuer_key = issuer_key;
        s.ca = ca;
        s.serial = serial;
        s.not_before = nb;
        s.not_after = na;
        s.sig = CertSig::EcdsaSha256;
        return s;
    };
    root_ = build_cert(spec("Intel SGX Root CA (simulated)", root_key_.get(), nullptr, root_key_.get(), true, 1));
    Bytes fmspc(6, 0), pceid(2, 0);
    CertSpec pck = spec("Intel SGX PCK Certificate (simulated)", pck_key_.get(), root_.get(), root_key_.get(), false, 2);
    pck.extensions = {{kOidSgxExtensions, build_sgx_extension(fmspc, pceid)}};
    pck_ = build_cert(pck);
    chain_pem_ = x509_to_pem(pck_.get()) + x509_to_pem(root_.get());
}

sdk::Evidence Simulator::evidence(ByteView rd) const {
    if (rd.size() != 64) invalid("report_data must be 64 bytes");
    Bytes header(kHeaderSize, 0);
    put_le16(header, 0, 4);
    put_le16(header, 2, kAttKeyEcdsaP256);
    put_le32(header, 4, kTeeTypeTdx);
    static const uint8_t intel_qe_vendor[16] = {0x93, 0x9a, 0x72, 0x33, 0xf7, 0x9c, 0x4c, 0xa9,
                                                0x94, 0x0a, 0x0d, 0xb3, 0x95, 0x7f, 0x06, 0x07};
    std::copy(std::begin(intel_qe_vendor), std::end(intel_qe_vendor), header.begin() + 12);

    Bytes body(kBodyV10, 0);
    std::string tag = "veil simulated TD";
    Bytes mrtd = sha384(ByteView(reinterpret_cast<const uint8_t*>(tag.data()), tag.size()));
    std::copy(mrtd.begin(), mrtd.end(), body.begin() + 136);
    put_le64(body, 128, 0xE7);       // xfam: x87, SSE, AVX, AVX-512 state
    put_le64(body, 120, 1ull << 28); // td_attributes: SEPT_VE_DISABLE, no DEBUG
    std::copy(rd.begin(), rd.end(), body.begin() + 520);

    Bytes qe_auth(32);
    for (size_t i = 0; i < qe_auth.size(); ++i) qe_auth[i] = static_cast<uint8_t>(i);
    Bytes binding = ec_public_xy(ak_key_.get(), 32);
    binding.insert(binding.end(), qe_auth.begin(), qe_auth.end());
    Bytes digest = sha256(binding);
    Bytes qe_report(kQeReportSize, 0);
    std::copy(digest.begin(), digest.end(), qe_report.begin() + kQeReportDataOffset);
    put_le16(qe_report, 256, 2);  // isvprodid 2: the TD quoting enclave
    Bytes qe_sig = ecdsa_sign_rs(pck_key_.get(), EVP_sha256(), qe_report, 32);

    sdk::Evidence ev;
    ev.format = kFormatSimulated;
    ev.bytes = assemble_quote_v4(header, body, ak_key_.get(), qe_report, qe_sig, qe_auth, chain_pem_);
    return ev;
}

}  // namespace veil::tee::tdx
