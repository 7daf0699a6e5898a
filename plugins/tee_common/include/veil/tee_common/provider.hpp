// What tee_snp and tee_tdx share as providers: probe scores by mode, the labelled simulator in
// simulate mode, EPC from the guest's memory, and the evidence/verify dispatch. A plugin names
// its platform's parts in `Platform`:
//   static constexpr const char* kName;                 plugin name, e.g. "tee_snp"
//   static constexpr const char* kNoDevice;             why probe refuses hardware mode here
//   static constexpr const char* kSimulationWarning;    logged once when simulating
//   using Simulator = ...;                              has evidence(ByteView) const
//   static std::unique_ptr<Simulator> simulator(const ProviderConfig&);
//   static bool present(const ProviderConfig&);         the guest's attestation interface exists
//   static sdk::Evidence acquire(const ProviderConfig&, ByteView report_data64);
//   static std::string verify(ByteView evidence, const std::string& format,
//                             const uint8_t* expected_report_data, const Policy&);
#pragma once

#include <memory>
#include <string>

#include "veil/plugin.hpp"
#include "veil/tee_common/bytes.hpp"
#include "veil/tee_common/config.hpp"
#include "veil/tee_common/epc.hpp"
#include "veil/tee_common/policy.hpp"

namespace veil::tee {

template <class Platform>
class PlatformProvider : public sdk::TeeProvider {
public:
    static constexpr const char* kName = Platform::kName;
    static constexpr uint64_t kCapabilities = VEIL_CAP_TEE_EVIDENCE | VEIL_CAP_TEE_VERIFY | VEIL_CAP_TEE_SIMULATE;

    static sdk::ProbeResult probe(const sdk::Host&, const std::string& config_json) {
        ProviderConfig cfg = parse_provider_config(config_json);
        if (cfg.mode == Mode::Simulate || cfg.mode == Mode::Verify) return {1, ""};  // always possible, never preferred
        if (!Platform::present(cfg)) return {0, Platform::kNoDevice};
        return {100, ""};
    }

    PlatformProvider(const sdk::Host& host, const std::string& config_json) : cfg_(parse_provider_config(config_json)) {
        if (cfg_.mode == Mode::Simulate) {
            sim_ = Platform::simulator(cfg_);
            host.log(VEIL_LOG_WARN, std::string(kName) + ": SIMULATION mode: " + Platform::kSimulationWarning);
        }
    }

    uint64_t epc_bytes() override { return estimate_epc(cfg_.proc_root, cfg_.sys_root, cfg_.epc_reserve_bytes).bytes; }

    sdk::Evidence get_evidence(const uint8_t (&report_data)[VEIL_REPORT_DATA_SIZE]) override {
        ByteView rd(report_data, VEIL_REPORT_DATA_SIZE);
        if (sim_) return sim_->evidence(rd);
        if (cfg_.mode == Mode::Verify)
            throw sdk::Error(VEIL_ERR_UNSUPPORTED, std::string(kName) + " is in verify-only mode: no evidence");
        return Platform::acquire(cfg_, rd);
    }

    std::string verify(const uint8_t* evidence, size_t size, const std::string& format,
                       const uint8_t* expected_report_data, const std::string& policy_json) override {
        if (evidence == nullptr && size != 0) invalid("evidence is NULL");
        return Platform::verify(ByteView(evidence, size), format, expected_report_data, parse_policy(policy_json));
    }

private:
    ProviderConfig cfg_;
    std::unique_ptr<typename Platform::Simulator> sim_;
};

}  // namespace veil::tee
