#include "acquire.hpp"

#include "qgs.hpp"
#include "quote.hpp"
#include "verify.hpp"
#include "veil/tee_common/configfs_tsm.hpp"

namespace veil::tee::tdx {

static std::string device_path(const ProviderConfig& cfg) { return cfg.dev_root + "/tdx_guest"; }

bool guest_interface_present(const ProviderConfig& cfg) {
    return (cfg.use_configfs && tsm_available(cfg.sys_root)) || path_exists(device_path(cfg));
}

// A quote we return must at least parse: catches a TDREPORT or garbage passed off as a quote.
static void check_is_quote(ByteView q, const char* source) {
    try {
        parse_quote(q);
    } catch (const sdk::Error& e) {
        throw sdk::Error(VEIL_ERR_IO, std::string(source) + " did not return a TDX quote: " + e.what());
    }
}

sdk::Evidence acquire_evidence(const ProviderConfig& cfg, ByteView rd) {
    sdk::Evidence ev;
    ev.format = kFormatQuote;
    if (cfg.use_configfs && tsm_available(cfg.sys_root)) {
        try {
            TsmReport r = tsm_get_report(cfg.sys_root, cfg.tsm_report_name, "tdx_guest", rd, std::nullopt);
            check_is_quote(r.outblob, "configfs-tsm");
            ev.bytes = std::move(r.outblob);
            return ev;
        } catch (const sdk::Error& e) {
            if (e.code() != VEIL_ERR_UNSUPPORTED || !path_exists(device_path(cfg))) throw;
        }
    }
    if (!path_exists(device_path(cfg))) throw sdk::Error(VEIL_ERR_NOT_FOUND, kNoDevice);
    Bytes tdreport = read_tdreport(device_path(cfg), rd);
    Bytes msg = qgs_exchange(cfg.qgs_cid, cfg.qgs_port, build_qgs_get_quote_request(tdreport));
    ev.bytes = parse_qgs_get_quote_response(msg);
    check_is_quote(ev.bytes, "the quote service");
    return ev;
}

}  // namespace veil::tee::tdx
