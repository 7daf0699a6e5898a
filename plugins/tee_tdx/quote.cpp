#include "quote.hpp"

namespace veil::tee::tdx {

TdReport parse_td_report(ByteView b) {
    TdReport t;
    t.tee_tcb_svn = slice(b, 0, 16, "TD report");
    t.mr_seam = b.subspan(16, 48);
    t.mrsigner_seam = b.subspan(64, 48);
    t.seam_attributes = b.subspan(112, 8);
    t.td_attributes = b.subspan(120, 8);
    t.xfam = b.subspan(128, 8);
    t.mr_td = b.subspan(136, 48);
    t.mr_config_id = b.subspan(184, 48);
    t.mr_owner = b.subspan(232, 48);
    t.mr_owner_config = b.subspan(280, 48);
    for (size_t i = 0; i < 4; ++i) t.rtmr[i] = b.subspan(328 + 48 * i, 48);
    t.report_data = slice(b, 520, 64, "TD report");
    if (b.size() >= kBodyV15) {
        t.tee_tcb_svn_2 = b.subspan(584, 16);
        t.mr_servicetd = b.subspan(600, 48);
    }
    return t;
}

Quote parse_quote(ByteView in) {
    Quote q;
    ByteView h = slice(in, 0, kHeaderSize, "TDX quote header");
    q.version = le16(h, 0);
    q.att_key_type = le16(h, 2);
    q.tee_type = le32(h, 4);
    q.qe_svn = le16(h, 8);
    q.pce_svn = le16(h, 10);
    q.qe_vendor_id = h.subspan(12, 16);
    q.user_data = h.subspan(28, 20);
    if (q.version != 4 && q.version != 5) invalid("TDX quote version " + std::to_string(q.version) + " is not supported (4 or 5)");
    if (q.tee_type != kTeeTypeTdx) invalid("quote TEE type " + std::to_string(q.tee_type) + " is not TDX (0x81)");
    if (q.att_key_type != kAttKeyEcdsaP256)
        invalid("quote attestation key type " + std::to_string(q.att_key_type) + " is not ECDSA P-256 (2)");

    size_t off = kHeaderSize;
    if (q.version == 4) {
        q.body_type = 2;
        q.body = slice(in, off, kBodyV10, "TDX quote body");
    } else {
        q.body_type = le16(slice(in, off, 6, "TDX quote v5 body descriptor"), 0);
        uint32_t size = le32(in, off + 2);
        off += 6;
        size_t want = q.body_type == 2 ? kBodyV10 : q.body_type == 3 ? kBodyV15 : 0;
        if (want == 0) invalid("TDX quote v5 body type " + std::to_string(q.body_type) + " is not a TD report (2 or 3)");
        if (size != want)
            invalid("TDX quote v5 body size " + std::to_string(size) + " does not match body type " +
                    std::to_string(q.body_type) + " (" + std::to_string(want) + ")");
        q.body = slice(in, off, size, "TDX quote body");
    }
    off += q.body.size();
    q.td = parse_td_report(q.body);
    q.signed_part = in.subspan(0, off);

    q.sig_data_len_offset = off;
    uint32_t sig_len = le32(slice(in, off, 4, "TDX quote signature length"), 0);
    off += 4;
    ByteView sig = slice(in, off, sig_len, "TDX quote signature data");
    q.total_size = off + sig_len;
    q.signature = slice(sig, 0, 64, "TDX quote signature");
    q.attestation_key = slice(sig, 64, 64, "TDX attestation key");
    uint16_t cert_type = le16(slice(sig, 128, 6, "TDX certification data header"), 0);
    uint32_t cert_size = le32(sig, 130);
    q.outer_cert_size_offset = off + 130;
    if (cert_type != kCertTypeQeReport)
        invalid("TDX certification data type " + std::to_string(cert_type) + " is not QE report data (6)");
    ByteView cd = slice(sig, 134, cert_size, "TDX certification data");
    size_t cd_base = off + 134;

    q.qe_report = slice(cd, 0, kQeReportSize, "QE report");
    q.qe_report_signature = slice(cd, kQeReportSize, 64, "QE report signature");
    size_t p = kQeReportSize + 64;
    uint16_t auth_size = le16(slice(cd, p, 2, "QE auth data size"), 0);
    q.qe_auth_data = slice(cd, p + 2, auth_size, "QE auth data");
    p += 2 + auth_size;
    q.pck_cert_type = le16(slice(cd, p, 6, "PCK certification data header"), 0);
    uint32_t pck_size = le32(cd, p + 2);
    q.pck_cert_size_offset = cd_base + p + 2;
    if (q.pck_cert_type != kCertTypePckChain)
        invalid("QE certification data type " + std::to_string(q.pck_cert_type) + " is not a PCK chain (5)");
    q.pck_chain_pem = slice(cd, p + 6, pck_size, "PCK certificate chain");
    return q;
}

}  // namespace veil::tee::tdx
