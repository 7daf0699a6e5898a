#include "simulate.hpp"

#include <algorithm>
#include <cstring>
#include <map>

#include "cert_table.hpp"
#include "report.hpp"
#include "signature.hpp"
#include "tcb.hpp"
#include "verify.hpp"
#include "veil/tee_common/cert_builder.hpp"
#include "veil/tee_common/der.hpp"
#include "veil/tee_common/ecdsa.hpp"
#include "veil/tee_common/x509_chain.hpp"

namespace veil::tee::snp {

namespace {
// The TCB the simulated platform reports (Milan layout, plausible values).
const Tcb kSimTcb{3, 0, 8, 115, std::nullopt};  // bootloader, tee, snp, microcode, fmc
}  // namespace

Simulator::Simulator(uint32_t vmpl) : vmpl_(vmpl) {
    time_t now = std::time(nullptr);
    time_t nb = now - 86400, na = now + 10L * 365 * 86400;
    ark_key_ = generate_rsa(2048);
    ask_key_ = generate_rsa(2048);
    vcek_key_ = generate_ec(kP384);
    chip_id_ = random_bytes(64);

    // Field-by-field (not designated initializers) so -Wmissing-field-initializers stays quiet.
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
        s.sig = CertSig::RsaPssSha384;
        return s;
    };
    ark_ = build_cert(spec("ARK-Milan (simulated)", ark_key_.get(), nullptr, ark_key_.get(), true, 1));
    ask_ = build_cert(spec("SEV-Milan (simulated)", ask_key_.get(), ark_.get(), ark_key_.get(), true, 2));
    // The product name says Milan so the real path reaches (and fails) the ARK pin check.
    std::string product = "Milan-B0";
    CertSpec vcek = spec("SEV-VCEK (simulated)", vcek_key_.get(), ask_.get(), ask_key_.get(), false, 3);
    Bytes name(product.begin(), product.end());
    vcek.extensions = {{kOidStructVersion, der::integer(0)},
                       {kOidProductName, der::tlv(der::kIa5String, name)},
                       {kOidBlSpl, der::integer(kSimTcb.bootloader)},
                       {kOidTeeSpl, der::integer(kSimTcb.tee)},
                       {kOidSnpSpl, der::integer(kSimTcb.snp)},
                       {kOidUcodeSpl, der::integer(kSimTcb.microcode)},
                       {kOidHwId, chip_id_}};
    vcek_ = build_cert(vcek);
    cert_table_ = build_cert_table({{kGuidVcek, x509_to_der(vcek_.get())},
                                    {kGuidAsk, x509_to_der(ask_.get())},
                                    {kGuidArk, x509_to_der(ark_.get())}});
}

sdk::Evidence Simulator::evidence(ByteView rd) const {
    if (rd.size() != 64) invalid("report_data must be 64 bytes");
    Bytes r(kReportSize, 0);
    uint64_t tcb = encode_tcb(kSimTcb, Product::Milan);
    put_le32(r, 0x00, 3);                  // version 3: carries the CPUID identity
    put_le32(r, 0x04, 0);                  // guest_svn
    put_le64(r, 0x08, (1ull << 17) | (1ull << 16));  // policy: reserved-1 bit, SMT allowed, no DEBUG
    put_le32(r, 0x30, vmpl_);
    put_le32(r, 0x34, 1);                  // ECDSA P-384 with SHA-384
    put_le64(r, 0x38, tcb);                // current_tcb
    put_le64(r, 0x40, 1);                  // platform_info: SMT enabled
    put_le32(r, 0x48, 0);                  // signed by the VCEK
    std::copy(rd.begin(), rd.end(), r.begin() + kReportDataOffset);
    std::string tag = "veil simulated SEV-SNP guest";
    Bytes m = sha384(ByteView(reinterpret_cast<const uint8_t*>(tag.data()), tag.size()));
    std::copy(m.begin(), m.end(), r.begin() + kMeasurementOffset);
    Bytes id = random_bytes(32);
    std::copy(id.begin(), id.end(), r.begin() + 0x140);  // report_id
    std::fill(r.begin() + 0x160, r.begin() + 0x180, 0xFF);  // report_id_ma: no migration agent
    put_le64(r, 0x180, tcb);               // reported_tcb
    r[0x188] = 0x19;                       // CPUID family (Zen 3)
    r[0x189] = 0x01;
    r[0x18A] = 0x01;
    std::copy(chip_id_.begin(), chip_id_.end(), r.begin() + kChipIdOffset);
    put_le64(r, 0x1E0, tcb);               // committed_tcb
    r[0x1E8] = 3, r[0x1E9] = 55, r[0x1EA] = 1;  // current firmware 1.55.3
    r[0x1EC] = 3, r[0x1ED] = 55, r[0x1EE] = 1;
    put_le64(r, 0x1F0, tcb);               // launch_tcb
    sign_report(r, vcek_key_.get());

    sdk::Evidence ev;
    ev.format = kFormatSimulated;
    ev.bytes = std::move(r);
    ev.bytes.insert(ev.bytes.end(), cert_table_.begin(), cert_table_.end());
    return ev;
}

}  // namespace veil::tee::snp
