// VCEK -> ASK -> ARK. Real evidence must end in AMD's ARK for the VCEK's product, pinned here by
// the SHA-256 fingerprint of the ARK certificate (so a chain with a look-alike root never
// verifies); simulated evidence ends in the throw-away ARK it carries and is only reached when
// the policy allows simulation. Signatures are RSASSA-PSS/SHA-384, checked by X509_STORE at the
// policy's fixed time.
#pragma once

#include <string>

#include "tcb.hpp"
#include "veil/tee_common/ossl.hpp"

namespace veil::tee::snp {

// Lower-case hex SHA-256 of AMD's ARK certificate for `p`, or nullptr when unknown.
const char* pinned_ark_fingerprint(Product p);

// `ask` may be an ASVK when `vcek` is a VLEK. Fails with the check's name.
void verify_vcek_chain(X509* vcek, X509* ask, X509* ark, Product product, time_t at, bool simulated);

}  // namespace veil::tee::snp
