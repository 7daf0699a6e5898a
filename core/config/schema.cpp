#include "config/schema.h"

#include <charconv>
#include <cmath>

namespace veil {

Schema Schema::map(std::vector<Field> fields) {
    Schema s;
    s.type = Type::Map;
    s.fields = std::move(fields);
    return s;
}

Schema Schema::open_map() {
    Schema s;
    s.type = Type::Map;
    s.open = true;
    return s;
}

Schema Schema::list(Schema item) {
    Schema s;
    s.type = Type::List;
    s.item = std::make_shared<Schema>(std::move(item));
    return s;
}

Schema Schema::string(std::vector<std::string> one_of) {
    Schema s;
    s.type = Type::String;
    s.one_of = std::move(one_of);
    return s;
}

Schema Schema::scalar(Type t) {
    Schema s;
    s.type = t;
    return s;
}

std::string located(const SourceContext& ctx, const YAML::Node& node, const std::string& path,
                    const std::string& message) {
    std::string where;
    if (auto it = ctx.env_paths.find(path); it != ctx.env_paths.end()) {
        where = "environment variable " + it->second;
    } else {
        YAML::Mark m = node.Mark();
        where = ctx.file;
        if (!m.is_null()) where += ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
    }
    return where + ": " + (path.empty() ? "" : path + ": ") + message;
}

namespace {

const char* type_name(Schema::Type t) {
    switch (t) {
        case Schema::Type::Map: return "a mapping";
        case Schema::Type::List: return "a list";
        case Schema::Type::String: return "a string";
        case Schema::Type::Int: return "an integer";
        case Schema::Type::UInt: return "a non-negative integer";
        case Schema::Type::Float: return "a number";
        case Schema::Type::Bool: return "true or false";
        default: return "a value";
    }
}

template <class T>
bool parses_as(const std::string& s) {
    T v{};
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return ec == std::errc() && p == s.data() + s.size() && !s.empty();
}

bool scalar_matches(const YAML::Node& node, Schema::Type t) {
    const std::string& s = node.Scalar();
    switch (t) {
        case Schema::Type::String: return true;
        case Schema::Type::Int: return parses_as<long long>(s);
        case Schema::Type::UInt: return parses_as<unsigned long long>(s);
        case Schema::Type::Float: {
            if (!parses_as<double>(s)) return false;
            double d = 0;
            std::from_chars(s.data(), s.data() + s.size(), d);
            return std::isfinite(d);
        }
        case Schema::Type::Bool: {
            bool b;
            return YAML::convert<bool>::decode(node, b);
        }
        default: return true;
    }
}

std::string join_path(const std::string& base, const std::string& key) { return base.empty() ? key : base + "." + key; }

}  // namespace

void validate(const YAML::Node& node, const Schema& schema, const SourceContext& ctx, const std::string& path) {
    auto fail = [&](const std::string& msg) { throw ConfigError(located(ctx, node, path, msg)); };
    switch (schema.type) {
        case Schema::Type::Any: return;
        case Schema::Type::Map: {
            if (node.IsNull()) {
                // An empty section ("server:") is an empty mapping; required keys are still checked.
            } else if (!node.IsMap()) {
                fail(std::string("expected ") + type_name(schema.type));
            }
            if (node.IsMap() && !schema.open) {
                for (const auto& kv : node) {
                    const std::string key = kv.first.Scalar();
                    const Schema::Field* field = nullptr;
                    for (const auto& f : schema.fields)
                        if (f.key == key) field = &f;
                    if (field == nullptr) {
                        std::string allowed;
                        for (const auto& f : schema.fields) allowed += (allowed.empty() ? "" : ", ") + f.key;
                        throw ConfigError(located(ctx, kv.first, join_path(path, key),
                                                  "unknown key (allowed here: " + allowed + ")"));
                    }
                    validate(kv.second, field->schema, ctx, join_path(path, key));
                }
            }
            for (const auto& f : schema.fields)
                if (f.required && (!node.IsMap() || !node[f.key]))
                    fail("missing required key '" + f.key + "'");
            return;
        }
        case Schema::Type::List: {
            if (!node.IsSequence()) fail("expected a list");
            for (size_t i = 0; i < node.size(); ++i)
                validate(node[i], *schema.item, ctx, path + "[" + std::to_string(i) + "]");
            return;
        }
        default: {
            if (!node.IsScalar()) fail(std::string("expected ") + type_name(schema.type));
            if (!scalar_matches(node, schema.type))
                fail(std::string("expected ") + type_name(schema.type) + ", got '" + node.Scalar() + "'");
            if (!schema.one_of.empty()) {
                std::string allowed;
                for (const auto& v : schema.one_of) {
                    if (v == node.Scalar()) return;
                    allowed += (allowed.empty() ? "" : ", ") + v;
                }
                fail("'" + node.Scalar() + "' is not one of: " + allowed);
            }
            return;
        }
    }
}

}  // namespace veil
