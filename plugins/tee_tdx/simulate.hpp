// Simulation mode: a throw-away root CA -> PCK leaf (P-256, with an SGX extension carrying a
// zero FMSPC) and an attestation key, generated when the provider is created. Each quote is a
// v4 quote of the real layout: the QE report binds the attestation key exactly as Intel's QE
// does and is signed by the simulated PCK, and the PEM chain rides in the quote so a verifier
// with allow_simulated can check it. The root never matches the pinned Intel SGX Root CA.
#pragma once

#include "veil/plugin.hpp"
#include "veil/tee_common/ossl.hpp"

namespace veil::tee::tdx {

class Simulator {
public:
    Simulator();
    // Thread-safe: only reads the keys.
    sdk::Evidence evidence(ByteView report_data64) const;

private:
    PkeyPtr root_key_, pck_key_, ak_key_;
    X509Ptr root_, pck_;
    std::string chain_pem_;
};

// Builds a v4 quote from its parts and signs header+body with `ak` (used by the simulator and by
// tests that re-sign tampered quotes).
Bytes assemble_quote_v4(ByteView header, ByteView body, EVP_PKEY* ak, ByteView qe_report, ByteView qe_report_sig,
                        ByteView qe_auth, std::string_view pck_chain_pem);

}  // namespace veil::tee::tdx
