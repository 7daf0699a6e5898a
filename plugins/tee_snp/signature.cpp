#include "signature.hpp"

#include <algorithm>

#include "report.hpp"
#include "veil/tee_common/ecdsa.hpp"

namespace veil::tee::snp {

void verify_report_signature(ByteView report, EVP_PKEY* vcek_key) {
    if (!is_ec_on(vcek_key, kP384)) fail("VCEK public key is not an EC P-384 key");
    // Little-endian on the wire; OpenSSL wants big-endian. Only 48 bytes are significant.
    Bytes r(report.begin() + kSigROffset, report.begin() + kSigROffset + kSigComponent);
    Bytes s(report.begin() + kSigSOffset, report.begin() + kSigSOffset + kSigComponent);
    std::reverse(r.begin(), r.end());
    std::reverse(s.begin(), s.end());
    if (!ecdsa_verify_rs(vcek_key, EVP_sha384(), report.subspan(0, kSignedSize), r, s))
        fail("SNP report signature does not verify with the VCEK");
}

void sign_report(Bytes& report, EVP_PKEY* key) {
    Bytes rs = ecdsa_sign_rs(key, EVP_sha384(), ByteView(report).subspan(0, kSignedSize), 48);
    std::fill(report.begin() + kSigROffset, report.begin() + kSignedSize + 512, 0);
    for (size_t i = 0; i < 48; ++i) {
        report[kSigROffset + i] = rs[47 - i];
        report[kSigSOffset + i] = rs[95 - i];
    }
}

}  // namespace veil::tee::snp
