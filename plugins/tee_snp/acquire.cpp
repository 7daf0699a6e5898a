#include "acquire.hpp"

#include "device.hpp"
#include "report.hpp"
#include "verify.hpp"
#include "veil/tee_common/configfs_tsm.hpp"

namespace veil::tee::snp {

static std::string device_path(const ProviderConfig& cfg) { return cfg.dev_root + "/sev-guest"; }

bool guest_interface_present(const ProviderConfig& cfg) {
    return (cfg.use_configfs && tsm_available(cfg.sys_root)) || path_exists(device_path(cfg));
}

sdk::Evidence acquire_evidence(const ProviderConfig& cfg, ByteView rd) {
    sdk::Evidence ev;
    ev.format = kFormatWithCerts;
    if (cfg.use_configfs && tsm_available(cfg.sys_root)) {
        try {
            TsmReport r = tsm_get_report(cfg.sys_root, cfg.tsm_report_name, "sev_guest", rd,
                                         cfg.vmpl != 0 ? std::optional<uint32_t>(cfg.vmpl) : std::nullopt);
            if (r.outblob.size() != kReportSize)
                throw sdk::Error(VEIL_ERR_IO, "configfs-tsm outblob is " + std::to_string(r.outblob.size()) +
                                                  " bytes, expected a 1184-byte SEV-SNP report");
            ev.bytes = std::move(r.outblob);
            if (r.auxblob) {
                Bytes table = trim_cert_table(*r.auxblob);
                ev.bytes.insert(ev.bytes.end(), table.begin(), table.end());
            }
            return ev;
        } catch (const sdk::Error& e) {
            // configfs-tsm of another TEE (e.g. tdx_guest): the device may still be there.
            if (e.code() != VEIL_ERR_UNSUPPORTED || !path_exists(device_path(cfg))) throw;
        }
    }
    if (!path_exists(device_path(cfg))) throw sdk::Error(VEIL_ERR_NOT_FOUND, kNoDevice);
    SevGuestDevice dev(device_path(cfg));
    DeviceReport r = device_get_report(dev, rd, cfg.vmpl);
    ev.bytes = std::move(r.report);
    ev.bytes.insert(ev.bytes.end(), r.certs.begin(), r.certs.end());
    return ev;
}

}  // namespace veil::tee::snp
