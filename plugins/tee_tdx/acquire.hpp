// Obtaining a TDX quote on a guest: configfs-tsm (provider "tdx_guest") when present, else the
// TDREPORT from /dev/tdx_guest sent to the host's quote service over vsock.
#pragma once

#include "veil/plugin.hpp"
#include "veil/tee_common/bytes.hpp"
#include "veil/tee_common/config.hpp"

namespace veil::tee::tdx {

inline constexpr const char* kNoDevice = "no TDX guest device or configfs-tsm provider found";

bool guest_interface_present(const ProviderConfig& cfg);
sdk::Evidence acquire_evidence(const ProviderConfig& cfg, ByteView report_data64);

}  // namespace veil::tee::tdx
