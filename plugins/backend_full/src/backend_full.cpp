// The backend_full plugin: every weight resident in plugin-owned memory, LLaMA-family models.
#include "full_model.h"
#include "options.h"
#include "veil/backend_common/configured_backend.h"
#include "veil/plugin.hpp"

namespace veil::backend_full {

// Its configuration takes the load options' keys ("threads", "mlock") as defaults.
class FullBackend final
    : public backend_common::ConfiguredBackend<LoadOptions, FullModel, parse_config, parse_load_options> {
public:
    static constexpr const char* kName = "backend_full";
    static constexpr const char* kVersion = "0.1.0";
    static constexpr uint64_t kCapabilities = VEIL_CAP_BACKEND_FULL_RESIDENT;

    // Needs nothing beyond x86-64 (kernels pick their ISA at run time): usable wherever its
    // configuration is valid.
    static sdk::ProbeResult probe(const sdk::Host&, const std::string& config_json) {
        check_config(config_json);
        return {100, {}};
    }

    using ConfiguredBackend::ConfiguredBackend;
};

}  // namespace veil::backend_full

VEIL_EXPORT_PLUGIN(veil::backend_full::FullBackend)
