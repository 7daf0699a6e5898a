// SEV-SNP ATTESTATION_REPORT (AMD SEV-SNP firmware ABI, "ATTESTATION_REPORT Structure"): a
// fixed 1184-byte little-endian layout. Versions 2, 3 and 5 share the layout; v3 fills the CPUID
// identity bytes and v5 the mitigation vectors, which older reports leave zero.
#pragma once

#include <string>

#include "veil/tee_common/bytes.hpp"

namespace veil::tee::snp {

inline constexpr size_t kReportSize = 0x4A0;    // 1184
inline constexpr size_t kSignedSize = 0x2A0;    // bytes 0x000-0x29F are signed
inline constexpr size_t kSigROffset = 0x2A0;    // r: 72 bytes little-endian
inline constexpr size_t kSigSOffset = 0x2E8;    // s: 72 bytes little-endian
inline constexpr size_t kSigComponent = 72;
inline constexpr size_t kReportDataOffset = 0x50;
inline constexpr size_t kMeasurementOffset = 0x90;
inline constexpr size_t kChipIdOffset = 0x1A0;

inline constexpr uint64_t kPolicyDebug = 1ull << 19;

// Parsed fields; byte arrays are views into the caller's buffer.
struct Report {
    ByteView raw;  // exactly 1184 bytes
    uint32_t version, guest_svn;
    uint64_t policy;
    ByteView family_id, image_id;
    uint32_t vmpl, signature_algo;
    uint64_t current_tcb, platform_info;
    uint32_t key_info;  // bit 0 AUTHOR_KEY_EN, bit 1 MASK_CHIP_KEY, bits 4:2 SIGNING_KEY
    ByteView report_data, measurement, host_data, id_key_digest, author_key_digest, report_id, report_id_ma;
    uint64_t reported_tcb;
    uint8_t cpuid_fam, cpuid_mod, cpuid_step;  // v3+
    ByteView chip_id;
    uint64_t committed_tcb;
    uint8_t current_build, current_minor, current_major;
    uint8_t committed_build, committed_minor, committed_major;
    uint64_t launch_tcb;
    uint64_t launch_mit_vector, current_mit_vector;  // v5+

    uint32_t signing_key() const { return (key_info >> 2) & 7; }  // 0 VCEK, 1 VLEK, 7 none
    bool mask_chip_key() const { return (key_info >> 1) & 1; }
};

// Throws invalid() when `raw` is not 1184 bytes.
Report parse_report(ByteView raw);

}  // namespace veil::tee::snp
