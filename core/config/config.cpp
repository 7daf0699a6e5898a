#include "config/config.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>

#include <unistd.h>

#include "config/config_schema.h"
#include "config/yaml_json.h"
#include "util/regular_file.h"
#include "util/sha256.h"

namespace veil {

namespace fs = std::filesystem;

namespace {

std::string upper(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return s;
}

// VEIL_<SECTION>_<KEY> overrides any scalar key of a mapping section (server, policy, logging).
// A variable with a section's prefix but no such key is refused, as an unknown YAML key is: a
// misspelt override would otherwise be ignored without a word.
void apply_env_overrides(YAML::Node& root, SourceContext& ctx) {
    for (const auto& section : config_schema().fields) {
        if (section.schema.type != Schema::Type::Map || section.schema.open) continue;
        const std::string prefix = "VEIL_" + upper(section.key) + "_";
        for (char** env = environ; *env != nullptr; ++env) {
            const std::string_view entry(*env);
            if (entry.rfind(prefix, 0) != 0) continue;
            const std::string var(entry.substr(0, entry.find('=')));
            const bool known = std::any_of(section.schema.fields.begin(), section.schema.fields.end(),
                                           [&](const auto& f) { return prefix + upper(f.key) == var; });
            if (known) continue;
            std::string allowed;
            for (const auto& f : section.schema.fields) allowed += (allowed.empty() ? "" : ", ") + prefix + upper(f.key);
            throw ConfigError("environment variable " + var + ": " + section.key + " has no such key (allowed: " +
                              allowed + ")");
        }
        for (const auto& field : section.schema.fields) {
            const std::string var = prefix + upper(field.key);
            const char* value = std::getenv(var.c_str());
            if (value == nullptr) continue;
            if (!root[section.key] || root[section.key].IsNull()) root[section.key] = YAML::Node(YAML::NodeType::Map);
            if (!root[section.key].IsMap()) continue;  // validation reports the section's type
            root[section.key][field.key] = std::string(value);
            ctx.env_paths[section.key + "." + field.key] = var;
        }
    }
}

std::string resolve(const fs::path& base, const std::string& p) {
    fs::path path(p);
    return (path.is_absolute() ? path : (base / path)).lexically_normal().string();
}

std::optional<std::string> sha256_pin(const YAML::Node& node, const SourceContext& ctx, const std::string& path) {
    if (!node) return std::nullopt;
    std::string v = node.Scalar();
    if (v.rfind("sha256:", 0) == 0) v = v.substr(7);
    std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    bool hex = v.size() == 64 && std::all_of(v.begin(), v.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
    if (!hex) throw ConfigError(located(ctx, node, path, "expected 64 hexadecimal digits (a SHA-256), got '" + node.Scalar() + "'"));
    return v;
}

template <class T>
T get(const YAML::Node& map, const char* key, T fallback) {
    return map && map[key] ? map[key].as<T>() : fallback;
}

// map[key] (validated as a non-negative integer) as uint32_t within [lo, hi], or fallback.
uint32_t get_u32(const YAML::Node& map, const char* key, uint32_t fallback, uint32_t lo, uint32_t hi,
                 const SourceContext& ctx, const std::string& path) {
    if (!map || !map[key]) return fallback;
    const uint64_t v = map[key].as<uint64_t>();
    if (v < lo || v > hi)
        throw ConfigError(located(ctx, map[key], path,
                                  "must be in " + std::to_string(lo) + ".." + std::to_string(hi) + ", got " + map[key].Scalar()));
    return static_cast<uint32_t>(v);
}

}  // namespace

Config load_config(const std::string& path, const std::string& default_plugin_dir) {
    SourceContext ctx{path, {}};
    try {
        util::require_regular_file(path);
    } catch (const std::runtime_error& e) {
        throw ConfigError(e.what());
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ConfigError(path + ": cannot open the configuration file");
    std::stringstream buf;
    buf << in.rdbuf();
    const std::string text = buf.str();

    YAML::Node root;
    try {
        root = YAML::Load(text);
    } catch (const YAML::ParserException& e) {
        throw ConfigError(path + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) +
                          ": invalid YAML: " + e.msg);
    }
    if (!root.IsMap()) throw ConfigError(located(ctx, root, "", "the configuration must be a mapping of sections"));
    apply_env_overrides(root, ctx);
    validate(root, config_schema(), ctx);

    Config c;
    c.file = path;
    c.sha256 = sha256_hex(text.data(), text.size());
    const fs::path base = fs::absolute(fs::path(path)).parent_path();
    c.plugin_dir = root["plugin_dir"] ? resolve(base, root["plugin_dir"].Scalar()) : default_plugin_dir;

    std::vector<std::string> names;
    const YAML::Node plugins = root["plugins"];
    for (size_t i = 0; i < plugins.size(); ++i) {
        const YAML::Node p = plugins[i];
        std::string where = "plugins[" + std::to_string(i) + "]";
        if (!get<bool>(p, "enabled", true)) continue;
        PluginSpec spec;
        spec.name = p["name"].Scalar();
        if (std::find(names.begin(), names.end(), spec.name) != names.end())
            throw ConfigError(located(ctx, p["name"], where + ".name", "plugin '" + spec.name + "' is listed twice"));
        names.push_back(spec.name);
        spec.display_path = p["path"].Scalar();
        spec.path = resolve(c.plugin_dir, spec.display_path);
        spec.sha256 = sha256_pin(p["sha256"], ctx, where + ".sha256");
        spec.config_json = yaml_to_json(p["config"]);
        c.plugins.push_back(std::move(spec));
    }

    c.tee = get<std::string>(root, "tee", "auto");

    if (const YAML::Node models = root["models"]) {
        for (size_t i = 0; i < models.size(); ++i) {
            const YAML::Node m = models[i];
            std::string where = "models[" + std::to_string(i) + "]";
            ModelConfig mc;
            mc.id = m["id"].Scalar();
            for (const auto& other : c.models)
                if (other.id == mc.id)
                    throw ConfigError(located(ctx, m["id"], where + ".id", "model id '" + mc.id + "' is used twice"));
            mc.path = resolve(base, m["path"].Scalar());
            mc.sha256 = sha256_pin(m["sha256"], ctx, where + ".sha256");
            mc.format = get<std::string>(m, "format", "gguf");
            mc.backend = get<std::string>(m, "backend", "auto");
            if (m["key_file"]) mc.key_file = resolve(base, m["key_file"].Scalar());
            if (m["key_env"]) mc.key_env = m["key_env"].Scalar();
            mc.n_ctx = get_u32(m, "n_ctx", 0, 0, 1u << 24, ctx, where + ".n_ctx");
            if (mc.format == "sealed" && !mc.key_file && !mc.key_env)
                throw ConfigError(located(ctx, m, where, "a sealed model needs key_file or key_env"));
            c.models.push_back(std::move(mc));
        }
    }

    const YAML::Node policy = root["policy"];
    if (policy && policy["epc_bytes"]) c.policy.epc_bytes = policy["epc_bytes"].as<uint64_t>();
    c.policy.stream_threshold = get<double>(policy, "stream_threshold", c.policy.stream_threshold);
    if (!(c.policy.stream_threshold > 0 && c.policy.stream_threshold <= 1))
        throw ConfigError(located(ctx, policy["stream_threshold"], "policy.stream_threshold", "must be in (0, 1]"));
    c.policy.reserve_bytes = get<uint64_t>(policy, "reserve_bytes", c.policy.reserve_bytes);

    const YAML::Node server = root["server"];
    c.server.listen = get<std::string>(server, "listen", c.server.listen);
    // Every running or waiting request holds a server thread: both stay within what threads allow.
    c.server.parallel = get_u32(server, "parallel", c.server.parallel, 1, 1024, ctx, "server.parallel");
    c.server.queue = get_u32(server, "queue", c.server.queue, 0, 4096, ctx, "server.queue");
    c.server.max_body_bytes = get<uint64_t>(server, "max_body_bytes", c.server.max_body_bytes);
    if (c.server.max_body_bytes == 0)
        throw ConfigError(located(ctx, server["max_body_bytes"], "server.max_body_bytes", "must be at least 1"));
    c.server.drain_seconds = get<double>(server, "drain_seconds", c.server.drain_seconds);
    if (!(c.server.drain_seconds >= 0 && c.server.drain_seconds <= 24 * 3600))
        throw ConfigError(located(ctx, server["drain_seconds"], "server.drain_seconds", "must be 0..86400 seconds"));
    if (server && server["api_key_env"]) c.server.api_key_env = server["api_key_env"].Scalar();

    const YAML::Node logging = root["logging"];
    c.logging.level = get<std::string>(logging, "level", c.logging.level);
    c.logging.format = get<std::string>(logging, "format", c.logging.format);
    if (logging && logging["log_content"]) c.logging.log_content = logging["log_content"].as<bool>();

    if (c.tee != "auto" && c.tee != "none" && std::find(names.begin(), names.end(), c.tee) == names.end())
        throw ConfigError(located(ctx, root["tee"], "tee", "'" + c.tee + "' is not a configured plugin (use auto, none or a tee plugin's name)"));
    return c;
}

}  // namespace veil
