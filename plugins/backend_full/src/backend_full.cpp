// The backend_full plugin: every weight resident in plugin-owned memory, LLaMA-family models.
#include "full_model.h"
#include "options.h"
#include "veil/plugin.hpp"

namespace veil::backend_full {

class FullBackend final : public sdk::Backend {
public:
    static constexpr const char* kName = "backend_full";
    static constexpr const char* kVersion = "0.1.0";
    static constexpr uint64_t kCapabilities = VEIL_CAP_BACKEND_FULL_RESIDENT;

    // Needs nothing beyond x86-64 (kernels pick their ISA at run time): usable wherever its
    // configuration is valid (a bad one throws, and the host refuses the plugin).
    static sdk::ProbeResult probe(const sdk::Host&, const std::string& config_json) {
        parse_config(config_json);
        return {100, {}};
    }

    // The plugin's own configuration (YAML `config:`) takes the load options' keys ("threads",
    // "mlock"); they are the defaults for loads whose options leave them out.
    FullBackend(const sdk::Host& host, const std::string& config_json)
        : host_(host), defaults_(parse_config(config_json)) {}

    std::unique_ptr<sdk::Model> load(const veil_model_source& source, const std::string& options_json) override {
        const LoadOptions opt = parse_load_options(options_json, defaults_);
        auto model = std::make_unique<FullModel>(host_, source, opt);
        host_.log(VEIL_LOG_INFO, std::string("loaded '") + (source.model_id ? source.model_id : "?") + "': " +
                                     model->stats_json());
        return model;
    }

private:
    sdk::Host host_;
    LoadOptions defaults_;
};

}  // namespace veil::backend_full

VEIL_EXPORT_PLUGIN(veil::backend_full::FullBackend)
