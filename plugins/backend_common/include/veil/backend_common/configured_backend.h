// What backend_full and backend_stream share as plugins: their configuration (YAML `config:`)
// takes the load options' keys and gives the defaults of every load, and a load logs the model's
// stats. A backend derives from ConfiguredBackend<Options, Model, parse_config, parse_load_options>
// and adds its name, version, capabilities and probe.
#pragma once

#include <memory>
#include <string>

#include "veil/plugin.hpp"

namespace veil::backend_common {

// Options: the backend's load options. Model: an sdk::Model constructed from (host, source,
// options), with stats_json(). parse_config(config_json) reads the plugin's configuration (only
// the options' keys; throws sdk::Error VEIL_ERR_INVALID_ARGUMENT otherwise);
// parse_load_options(json, defaults) reads a load's options over the defaults.
template <class Options, class Model, Options (*parse_config)(const std::string&),
          Options (*parse_load_options)(const std::string&, Options)>
class ConfiguredBackend : public sdk::Backend {
public:
    ConfiguredBackend(const sdk::Host& host, const std::string& config_json)
        : host_(host), defaults_(parse_config(config_json)) {}

    std::unique_ptr<sdk::Model> load(const veil_model_source& source, const std::string& options_json) override {
        auto model = std::make_unique<Model>(host_, source, parse_load_options(options_json, defaults_));
        host_.log(VEIL_LOG_INFO, std::string("loaded '") + (source.model_id ? source.model_id : "?") + "': " +
                                     model->stats_json());
        return model;
    }

protected:
    // For probe(): a configuration the backend would refuse throws, so the host refuses the plugin.
    static void check_config(const std::string& config_json) { parse_config(config_json); }

private:
    sdk::Host host_;
    Options defaults_;
};

}  // namespace veil::backend_common
