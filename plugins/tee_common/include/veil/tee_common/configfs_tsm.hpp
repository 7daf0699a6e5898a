// Linux configfs-tsm attestation reports (Documentation/ABI/testing/configfs-tsm):
//   <sys>/kernel/config/tsm/report/<entry>/{inblob, outblob, auxblob, provider, generation, privlevel}
// One entry is created per request (mkdir), 64 bytes written to inblob, outblob (and auxblob)
// read back. `generation` counts writes to the entry; reading it before and after the blobs
// detects another writer racing us on a shared entry.
#pragma once

#include <optional>
#include <string>

#include "veil/tee_common/bytes.hpp"

namespace veil::tee {

struct TsmReport {
    Bytes outblob;                // SNP: the 1184-byte report; TDX: the quote
    std::optional<Bytes> auxblob; // SNP: the GHCB certificate table, when the host supplies one
    std::string provider;
};

// "<sys_root>/kernel/config/tsm/report"
std::string tsm_report_dir(const std::string& sys_root);
// True when the configfs-tsm report directory exists.
bool tsm_available(const std::string& sys_root);

// Runs one request. `entry_name` empty = create a unique entry and remove it afterwards; a given
// name is used as-is (created if missing, kept afterwards). `expected_provider` ("sev_guest",
// "tdx_guest") must match the entry's provider. Throws Error(VEIL_ERR_IO / VEIL_ERR_UNSUPPORTED).
TsmReport tsm_get_report(const std::string& sys_root, const std::string& entry_name,
                         const std::string& expected_provider, ByteView report_data64,
                         std::optional<uint32_t> privlevel);

}  // namespace veil::tee
