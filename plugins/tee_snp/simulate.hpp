// Simulation mode: a throw-away ARK -> ASK -> VCEK chain generated when the provider is created
// and reports of the real binary layout signed by that VCEK. ARK/ASK are RSA-2048 with
// RSASSA-PSS/SHA-384 (AMD uses RSA-4096; 2048 keeps plugin start-up fast and exercises the same
// code), the VCEK is P-384 as on hardware. The chain travels in the evidence's certificate table
// so any verifier with allow_simulated can check it; its ARK never matches AMD's pinned ARK, so
// the real path refuses it.
#pragma once

#include "veil/plugin.hpp"
#include "veil/tee_common/ossl.hpp"

namespace veil::tee::snp {

class Simulator {
public:
    explicit Simulator(uint32_t vmpl);
    // Thread-safe: only reads the keys.
    sdk::Evidence evidence(ByteView report_data64) const;

private:
    uint32_t vmpl_;
    PkeyPtr ark_key_, ask_key_, vcek_key_;
    X509Ptr ark_, ask_, vcek_;
    Bytes chip_id_, cert_table_;
};

}  // namespace veil::tee::snp
