#include "report.hpp"

namespace veil::tee::snp {

Report parse_report(ByteView raw) {
    if (raw.size() != kReportSize)
        invalid("SEV-SNP report must be " + std::to_string(kReportSize) + " bytes, got " + std::to_string(raw.size()));
    Report r{};
    r.raw = raw;
    r.version = le32(raw, 0x00);
    r.guest_svn = le32(raw, 0x04);
    r.policy = le64(raw, 0x08);
    r.family_id = raw.subspan(0x10, 16);
    r.image_id = raw.subspan(0x20, 16);
    r.vmpl = le32(raw, 0x30);
    r.signature_algo = le32(raw, 0x34);
    r.current_tcb = le64(raw, 0x38);
    r.platform_info = le64(raw, 0x40);
    r.key_info = le32(raw, 0x48);
    r.report_data = raw.subspan(kReportDataOffset, 64);
    r.measurement = raw.subspan(kMeasurementOffset, 48);
    r.host_data = raw.subspan(0xC0, 32);
    r.id_key_digest = raw.subspan(0xE0, 48);
    r.author_key_digest = raw.subspan(0x110, 48);
    r.report_id = raw.subspan(0x140, 32);
    r.report_id_ma = raw.subspan(0x160, 32);
    r.reported_tcb = le64(raw, 0x180);
    r.cpuid_fam = raw[0x188];
    r.cpuid_mod = raw[0x189];
    r.cpuid_step = raw[0x18A];
    r.chip_id = raw.subspan(kChipIdOffset, 64);
    r.committed_tcb = le64(raw, 0x1E0);
    r.current_build = raw[0x1E8];
    r.current_minor = raw[0x1E9];
    r.current_major = raw[0x1EA];
    r.committed_build = raw[0x1EC];
    r.committed_minor = raw[0x1ED];
    r.committed_major = raw[0x1EE];
    r.launch_tcb = le64(raw, 0x1F0);
    r.launch_mit_vector = le64(raw, 0x1F8);
    r.current_mit_vector = le64(raw, 0x200);
    return r;
}

}  // namespace veil::tee::snp
