// tee_tdx: the Intel TDX attestation provider (quotes, EPC estimate, verification).
#include <memory>

#include "acquire.hpp"
#include "simulate.hpp"
#include "verify.hpp"
#include "veil/plugin.hpp"
#include "veil/tee_common/config.hpp"
#include "veil/tee_common/epc.hpp"
#include "veil/tee_common/policy.hpp"

namespace veil::tee::tdx {

class TdxProvider final : public sdk::TeeProvider {
public:
    static constexpr const char* kName = "tee_tdx";
    static constexpr const char* kVersion = "0.1.0";
    static constexpr uint64_t kCapabilities = VEIL_CAP_TEE_EVIDENCE | VEIL_CAP_TEE_VERIFY | VEIL_CAP_TEE_SIMULATE;

    static sdk::ProbeResult probe(const sdk::Host&, const std::string& config_json) {
        ProviderConfig cfg = parse_provider_config(config_json);
        if (cfg.mode == Mode::Simulate || cfg.mode == Mode::Verify) return {1, ""};
        if (!guest_interface_present(cfg)) return {0, kNoDevice};
        return {100, ""};
    }

    TdxProvider(const sdk::Host& host, const std::string& config_json) : cfg_(parse_provider_config(config_json)) {
        if (cfg_.mode == Mode::Simulate) {
            sim_ = std::make_unique<Simulator>();
            host.log(VEIL_LOG_WARN, "tee_tdx: SIMULATION mode: quotes are signed by a throw-away chain, not by Intel's QE");
        }
    }

    uint64_t epc_bytes() override { return estimate_epc(cfg_.proc_root, cfg_.sys_root, cfg_.epc_reserve_bytes).bytes; }

    sdk::Evidence get_evidence(const uint8_t (&report_data)[VEIL_REPORT_DATA_SIZE]) override {
        ByteView rd(report_data, VEIL_REPORT_DATA_SIZE);
        if (sim_) return sim_->evidence(rd);
        if (cfg_.mode == Mode::Verify) throw sdk::Error(VEIL_ERR_UNSUPPORTED, "tee_tdx is in verify-only mode: no evidence");
        return acquire_evidence(cfg_, rd);
    }

    std::string verify(const uint8_t* evidence, size_t size, const std::string& format,
                       const uint8_t* expected_report_data, const std::string& policy_json) override {
        if (evidence == nullptr && size != 0) invalid("evidence is NULL");
        return verify_evidence(ByteView(evidence, size), format, expected_report_data, parse_policy(policy_json));
    }

private:
    ProviderConfig cfg_;
    std::unique_ptr<Simulator> sim_;
};

}  // namespace veil::tee::tdx

VEIL_EXPORT_PLUGIN(veil::tee::tdx::TdxProvider)
