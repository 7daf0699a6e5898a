// Obtaining SEV-SNP evidence on a guest: configfs-tsm (provider "sev_guest") when the kernel
// has it, else /dev/sev-guest. Both yield the report plus, when the host provides it, the GHCB
// certificate table, returned as format "sev-snp-report+certs/v1".
#pragma once

#include "veil/plugin.hpp"
#include "veil/tee_common/bytes.hpp"
#include "veil/tee_common/config.hpp"

namespace veil::tee::snp {

inline constexpr const char* kNoDevice = "no SEV-SNP guest device or configfs-tsm provider found";

// True when either interface is present under the configured roots.
bool guest_interface_present(const ProviderConfig& cfg);

sdk::Evidence acquire_evidence(const ProviderConfig& cfg, ByteView report_data64);

}  // namespace veil::tee::snp
