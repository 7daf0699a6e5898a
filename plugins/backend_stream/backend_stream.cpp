// backend_stream — the streaming backend's place in the plugin set.
//
// Layer streaming (prefetching layer i+1 while layer i computes, partial residency, batched
// decode across sessions) is not built yet. Until it is, this plugin loads, identifies itself,
// and its probe returns 0 with that reason, so the host lists it as unusable and the policy
// engine refuses models that would need it — with the numbers — instead of serving them some
// other way.
#include <string>

#include "veil/plugin.hpp"

namespace {

class BackendStream final : public veil::sdk::Backend {
public:
    static constexpr const char* kName = "backend_stream";
    static constexpr const char* kVersion = "0.1.0";
    static constexpr uint64_t kCapabilities = VEIL_CAP_BACKEND_STREAMING;

    static veil::sdk::ProbeResult probe(const veil::sdk::Host&, const std::string&) {
        return {0, "layer streaming under a memory budget is not available in this build of backend_stream; "
                   "models that exceed the policy threshold are refused"};
    }

    BackendStream(const veil::sdk::Host&, const std::string&) {}

    std::unique_ptr<veil::sdk::Model> load(const veil_model_source&, const std::string&) override {
        throw veil::sdk::Error(VEIL_ERR_UNSUPPORTED, "backend_stream cannot load models in this build");
    }
};

}  // namespace

VEIL_EXPORT_PLUGIN(BackendStream)
