#include "config/yaml_json.h"

#include <charconv>
#include <sstream>

#include <Poco/Dynamic/Var.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>

namespace veil {

namespace {

Poco::Dynamic::Var scalar_value(const YAML::Node& node) {
    const std::string& s = node.Scalar();
    if (node.Tag() == "!") return s;  // quoted in the file: the user said "string"
    bool b;
    if (YAML::convert<bool>::decode(node, b)) return b;
    long long i;
    if (auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), i); ec == std::errc() && p == s.data() + s.size())
        return static_cast<Poco::Int64>(i);
    double d;
    if (auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), d); ec == std::errc() && p == s.data() + s.size())
        return d;
    return s;
}

Poco::Dynamic::Var convert(const YAML::Node& node) {
    switch (node.Type()) {
        case YAML::NodeType::Map: {
            Poco::JSON::Object::Ptr obj = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
            for (const auto& kv : node) obj->set(kv.first.Scalar(), convert(kv.second));
            return obj;
        }
        case YAML::NodeType::Sequence: {
            Poco::JSON::Array::Ptr arr = new Poco::JSON::Array();
            for (const auto& item : node) arr->add(convert(item));
            return arr;
        }
        case YAML::NodeType::Scalar: return scalar_value(node);
        default: return Poco::Dynamic::Var();
    }
}

}  // namespace

std::string yaml_to_json(const YAML::Node& node) {
    if (!node || node.IsNull()) return "{}";
    std::ostringstream out;
    Poco::JSON::Stringifier::condense(convert(node), out);
    return out.str();
}

}  // namespace veil
