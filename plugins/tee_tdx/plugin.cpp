// tee_tdx: the Intel TDX attestation provider (quotes, EPC estimate, verification); the provider
// shape it shares with tee_snp is tee_common's PlatformProvider.
#include <memory>

#include "acquire.hpp"
#include "simulate.hpp"
#include "verify.hpp"
#include "veil/tee_common/provider.hpp"

namespace veil::tee::tdx {

struct TdxPlatform {
    static constexpr const char* kName = "tee_tdx";
    static constexpr const char* kNoDevice = tdx::kNoDevice;
    static constexpr const char* kSimulationWarning =
        "quotes are signed by a throw-away chain, not by Intel's QE";
    using Simulator = tdx::Simulator;
    static std::unique_ptr<Simulator> simulator(const ProviderConfig&) { return std::make_unique<Simulator>(); }
    static bool present(const ProviderConfig& cfg) { return guest_interface_present(cfg); }
    static sdk::Evidence acquire(const ProviderConfig& cfg, ByteView rd) { return acquire_evidence(cfg, rd); }
    static std::string verify(ByteView evidence, const std::string& format, const uint8_t* rd, const Policy& policy) {
        return verify_evidence(evidence, format, rd, policy);
    }
};

class TdxProvider final : public PlatformProvider<TdxPlatform> {
public:
    static constexpr const char* kVersion = "0.1.0";
    using PlatformProvider::PlatformProvider;
};

}  // namespace veil::tee::tdx

VEIL_EXPORT_PLUGIN(veil::tee::tdx::TdxProvider)
