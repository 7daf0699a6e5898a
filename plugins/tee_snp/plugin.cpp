// tee_snp: the AMD SEV-SNP attestation provider (evidence, EPC estimate, verification); the
// provider shape it shares with tee_tdx is tee_common's PlatformProvider.
#include <memory>

#include "acquire.hpp"
#include "simulate.hpp"
#include "verify.hpp"
#include "veil/tee_common/provider.hpp"

namespace veil::tee::snp {

struct SnpPlatform {
    static constexpr const char* kName = "tee_snp";
    static constexpr const char* kNoDevice = snp::kNoDevice;
    static constexpr const char* kSimulationWarning =
        "evidence is signed by a throw-away chain, not by AMD hardware";
    using Simulator = snp::Simulator;
    static std::unique_ptr<Simulator> simulator(const ProviderConfig& cfg) {
        return std::make_unique<Simulator>(cfg.vmpl);
    }
    static bool present(const ProviderConfig& cfg) { return guest_interface_present(cfg); }
    static sdk::Evidence acquire(const ProviderConfig& cfg, ByteView rd) { return acquire_evidence(cfg, rd); }
    static std::string verify(ByteView evidence, const std::string& format, const uint8_t* rd, const Policy& policy) {
        return verify_evidence(evidence, format, rd, policy);
    }
};

class SnpProvider final : public PlatformProvider<SnpPlatform> {
public:
    static constexpr const char* kVersion = "0.1.0";
    using PlatformProvider::PlatformProvider;
};

}  // namespace veil::tee::snp

VEIL_EXPORT_PLUGIN(veil::tee::snp::SnpProvider)
