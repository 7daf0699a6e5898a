// The backend_stream plugin: LLaMA-family models under a hard memory budget, layers streamed
// through a prefetched window, what fits kept resident, batched decode across sessions.
#include <string>

#include "options.h"
#include "stream_model.h"
#include "veil/backend_common/configured_backend.h"
#include "veil/plugin.hpp"

namespace veil::backend_stream {

// Its configuration takes the load options' keys ("threads", "memory_budget", "n_ctx") as
// defaults: the policy gives no budget when no EPC is known.
class StreamBackend final
    : public backend_common::ConfiguredBackend<LoadOptions, StreamModel, parse_config, parse_load_options> {
public:
    static constexpr const char* kName = "backend_stream";
    static constexpr const char* kVersion = "0.2.0";
    static constexpr uint64_t kCapabilities = VEIL_CAP_BACKEND_STREAMING | VEIL_CAP_BACKEND_BATCHED_DECODE;

    // Usable everywhere the engine runs (x86-64; kernels pick their ISA at run time) with a valid
    // configuration. Scored below backend_full: streaming is the choice for models that do not
    // fit, which the policy engine decides from the model's size, not from this score.
    static sdk::ProbeResult probe(const sdk::Host&, const std::string& config_json) {
        check_config(config_json);
        return {50, {}};
    }

    using ConfiguredBackend::ConfiguredBackend;
};

}  // namespace veil::backend_stream

VEIL_EXPORT_PLUGIN(veil::backend_stream::StreamBackend)
