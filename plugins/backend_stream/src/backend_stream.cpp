// The backend_stream plugin: LLaMA-family models under a hard memory budget, layers streamed
// through a prefetched window, what fits kept resident, batched decode across sessions.
#include <string>

#include "options.h"
#include "stream_model.h"
#include "veil/plugin.hpp"

namespace veil::backend_stream {

class StreamBackend final : public sdk::Backend {
public:
    static constexpr const char* kName = "backend_stream";
    static constexpr const char* kVersion = "0.2.0";
    static constexpr uint64_t kCapabilities = VEIL_CAP_BACKEND_STREAMING | VEIL_CAP_BACKEND_BATCHED_DECODE;

    // Usable everywhere the engine runs (x86-64; kernels pick their ISA at run time). Scored below
    // backend_full: streaming is the choice for models that do not fit, which the policy engine
    // decides from the model's size, not from this score.
    // A bad configuration throws, and the host refuses the plugin.
    static sdk::ProbeResult probe(const sdk::Host&, const std::string& config_json) {
        parse_config(config_json);
        return {50, {}};
    }

    // The plugin's own configuration (YAML `config:`) takes the same keys; they are the defaults
    // for loads whose options leave them out (the policy gives no budget when no EPC is known).
    StreamBackend(const sdk::Host& host, const std::string& config_json)
        : host_(host), defaults_(parse_config(config_json)) {}

    std::unique_ptr<sdk::Model> load(const veil_model_source& source, const std::string& options_json) override {
        const LoadOptions opt = parse_load_options(options_json, defaults_);
        auto model = std::make_unique<StreamModel>(host_, source, opt);
        host_.log(VEIL_LOG_INFO, std::string("loaded '") + (source.model_id ? source.model_id : "?") + "': " +
                                     model->stats_json());
        return model;
    }

private:
    sdk::Host host_;
    LoadOptions defaults_;
};

}  // namespace veil::backend_stream

VEIL_EXPORT_PLUGIN(veil::backend_stream::StreamBackend)
