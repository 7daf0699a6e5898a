#include "options.h"

#include "veil/backend_common/load_options_json.h"

namespace veil::backend_stream {

LoadOptions parse_load_options(const std::string& json, LoadOptions base) {
    using namespace backend_common;
    const Poco::JSON::Object::Ptr obj = parse_options_object(json);
    LoadOptions opt = base;
    if (obj->has("threads")) opt.threads = static_cast<int>(integer_option(*obj, "threads", 1, 1024));
    if (obj->has("memory_budget"))
        opt.memory_budget = static_cast<uint64_t>(integer_option(*obj, "memory_budget", 1, (1LL << 50)));
    if (obj->has("n_ctx")) opt.n_ctx = static_cast<uint32_t>(integer_option(*obj, "n_ctx", 1, 1 << 24));
    if (opt.threads == 0) opt.threads = default_threads();
    return opt;
}

LoadOptions parse_config(const std::string& config_json) {
    backend_common::reject_unknown_keys(*backend_common::parse_options_object(config_json), {"threads", "memory_budget", "n_ctx"});
    return parse_load_options(config_json);
}

}  // namespace veil::backend_stream
