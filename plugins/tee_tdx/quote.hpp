// Intel TDX DCAP quote, versions 4 and 5 (Intel "TDX DCAP Quoting Library API", Appendix A).
//   v4: header (48) | TD report body (584)                        | sig_data_len u32 | sig data
//   v5: header (48) | body type u16 | body size u32 | body (584/648) | sig_data_len u32 | sig data
// Body type 2 is a TDX 1.0 report (584 bytes), type 3 a TDX 1.5 report (648: + tee_tcb_svn_2,
// mr_servicetd). Signature data: quote signature (r||s, 64) | attestation key (x||y, 64) |
// certification data {type u16, size u32, data}; type 6 = QE report certification data:
// QE report (384) | QE report signature (64) | QE auth data {size u16, data} |
// certification data {type u16 (5 = PCK chain PEM), size u32, data}.
// Everything is located through these size fields: bytes after the signature data are ignored.
#pragma once

#include <array>

#include "veil/tee_common/bytes.hpp"

namespace veil::tee::tdx {

inline constexpr size_t kHeaderSize = 48;
inline constexpr size_t kBodyV10 = 584;
inline constexpr size_t kBodyV15 = 648;
inline constexpr size_t kQeReportSize = 384;
inline constexpr size_t kQeReportDataOffset = 320;
inline constexpr uint32_t kTeeTypeTdx = 0x81;
inline constexpr uint16_t kAttKeyEcdsaP256 = 2;
inline constexpr uint16_t kCertTypeQeReport = 6;
inline constexpr uint16_t kCertTypePckChain = 5;
inline constexpr uint64_t kTdAttrDebug = 1;  // TUD.DEBUG, bit 0 of TD attributes

struct TdReport {
    ByteView tee_tcb_svn, mr_seam, mrsigner_seam, seam_attributes, td_attributes, xfam, mr_td, mr_config_id,
        mr_owner, mr_owner_config, report_data;
    std::array<ByteView, 4> rtmr;
    ByteView tee_tcb_svn_2, mr_servicetd;  // TDX 1.5 only (empty otherwise)
};

struct Quote {
    uint16_t version = 0, att_key_type = 0, qe_svn = 0, pce_svn = 0;
    uint32_t tee_type = 0;
    ByteView qe_vendor_id, user_data;
    uint16_t body_type = 0;  // 2 (TDX 1.0) or 3 (TDX 1.5)
    ByteView body;
    TdReport td;
    ByteView signed_part;    // header..end of body: what the attestation key signed
    size_t sig_data_len_offset = 0;
    ByteView signature, attestation_key;
    ByteView qe_report, qe_report_signature, qe_auth_data;
    size_t outer_cert_size_offset = 0, pck_cert_size_offset = 0;  // for tools that rebuild quotes
    uint16_t pck_cert_type = 0;
    ByteView pck_chain_pem;
    size_t total_size = 0;   // header..end of signature data
};

// Throws invalid() naming the truncated/unsupported part.
Quote parse_quote(ByteView bytes);
TdReport parse_td_report(ByteView body);

}  // namespace veil::tee::tdx
