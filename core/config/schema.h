// A small declarative schema for YAML configuration: which keys exist, their types, which are
// required. Validation reports the first problem as "file:line:col: key.path: what is wrong".
#pragma once

#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace veil {

class ConfigError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct Schema {
    enum class Type { Map, List, String, Int, UInt, Float, Bool, Any };
    struct Field;

    Type type = Type::Any;
    std::vector<Field> fields;            // Map: allowed keys, in documentation order
    std::shared_ptr<Schema> item;         // List: schema of every element
    std::vector<std::string> one_of;      // String: allowed values (empty = any)
    bool open = false;                    // Map: any keys (a plugin's own config, checked by it)

    static Schema map(std::vector<Field> fields);
    static Schema open_map();
    static Schema list(Schema item);
    static Schema string(std::vector<std::string> one_of = {});
    static Schema scalar(Type t);
};

struct Schema::Field {
    std::string key;
    Schema schema;
    bool required = false;
};

// Where a node came from, for messages.
struct SourceContext {
    std::string file;
    // Key paths set from environment variables, with the variable's name (they have no mark).
    std::map<std::string, std::string> env_paths;
};

// Throws ConfigError for the first unknown key, wrong type or missing required key.
void validate(const YAML::Node& node, const Schema& schema, const SourceContext& ctx, const std::string& path = "");

// "file:line:col: path: message" for `node` (or the env variable that set it).
std::string located(const SourceContext& ctx, const YAML::Node& node, const std::string& path,
                    const std::string& message);

}  // namespace veil
