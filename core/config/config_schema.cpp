#include "config/config_schema.h"

namespace veil {

const Schema& config_schema() {
    using T = Schema::Type;
    static const Schema schema = Schema::map({
        {"plugin_dir", Schema::string(), false},
        {"plugins", Schema::list(Schema::map({
                        {"name", Schema::string(), true},
                        {"path", Schema::string(), true},
                        {"sha256", Schema::string(), false},
                        {"enabled", Schema::scalar(T::Bool), false},
                        {"config", Schema::open_map(), false},
                    })),
         true},
        {"tee", Schema::string(), false},
        {"models", Schema::list(Schema::map({
                       {"id", Schema::string(), true},
                       {"path", Schema::string(), true},
                       {"sha256", Schema::string(), false},
                       {"format", Schema::string({"gguf", "sealed"}), false},
                       {"backend", Schema::string({"auto", "full", "stream"}), false},
                       {"key_file", Schema::string(), false},
                       {"key_env", Schema::string(), false},
                       {"n_ctx", Schema::scalar(T::UInt), false},
                   })),
         false},
        {"policy", Schema::map({
                       {"epc_bytes", Schema::scalar(T::UInt), false},
                       {"stream_threshold", Schema::scalar(T::Float), false},
                       {"reserve_bytes", Schema::scalar(T::UInt), false},
                   }),
         false},
        {"server", Schema::map({
                       {"listen", Schema::string(), false},
                       {"parallel", Schema::scalar(T::UInt), false},
                       {"queue", Schema::scalar(T::UInt), false},
                       {"max_body_bytes", Schema::scalar(T::UInt), false},
                       {"drain_seconds", Schema::scalar(T::Float), false},
                       {"api_key_env", Schema::string(), false},
                   }),
         false},
        {"logging", Schema::map({
                        {"level", Schema::string({"trace", "debug", "info", "warn", "error"}), false},
                        {"format", Schema::string({"text", "json"}), false},
                        {"log_content", Schema::scalar(T::Bool), false},
                    }),
         false},
    });
    return schema;
}

}  // namespace veil
