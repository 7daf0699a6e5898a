// Plugin configuration JSON shared by tee_snp and tee_tdx (the deployment YAML section, as JSON).
// The filesystem roots are injectable so tests can stand temp directories in for /sys, /dev and
// /proc and drive every branch of evidence acquisition and the EPC estimate.
#pragma once

#include <cstdint>
#include <string>

namespace veil::tee {

enum class Mode {
    Hardware,  // real evidence from the guest device (default)
    Simulate,  // evidence signed by a throw-away chain; labelled "simulated" everywhere
    Verify     // verifier only (e.g. the client CLI): no evidence, probe never fails
};

struct ProviderConfig {
    Mode mode = Mode::Hardware;
    std::string sys_root = "/sys";
    std::string dev_root = "/dev";
    std::string proc_root = "/proc";
    uint64_t epc_reserve_bytes = 0;  // subtracted from the protected-memory estimate
    std::string tsm_report_name;     // fixed configfs-tsm entry (default: a fresh one per call)
    uint32_t vmpl = 0;               // SNP: VMPL requested in the report
    uint32_t qgs_cid = 2;            // TDX: vsock CID of the quote service (2 = host)
    uint32_t qgs_port = 4050;        // TDX: vsock port of the quote service
    bool use_configfs = true;        // try configfs-tsm before the legacy device path
};

// Throws Error(VEIL_ERR_INVALID_ARGUMENT) on unknown keys or wrong types.
ProviderConfig parse_provider_config(const std::string& json);

}  // namespace veil::tee
