#include "attest/canonical_json.h"

#include <map>
#include <stdexcept>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

namespace veil {

namespace {

void write_string(const std::string& s, std::string& out) {
    static const char* hex = "0123456789abcdef";
    out += '"';
    for (char ch : s) {
        auto c = static_cast<unsigned char>(ch);
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (c < 0x20) {
                    out += "\\u00";
                    out += hex[c >> 4];
                    out += hex[c & 15];
                } else {
                    out += ch;
                }
        }
    }
    out += '"';
}

void write(const Poco::Dynamic::Var& v, std::string& out);

void write_object(const Poco::JSON::Object& obj, std::string& out) {
    std::map<std::string, const Poco::Dynamic::Var*> sorted;
    for (const auto& kv : obj) sorted.emplace(kv.first, &kv.second);
    out += '{';
    bool first = true;
    for (const auto& [key, value] : sorted) {
        if (!first) out += ',';
        first = false;
        write_string(key, out);
        out += ':';
        write(*value, out);
    }
    out += '}';
}

void write_array(const Poco::JSON::Array& arr, std::string& out) {
    out += '[';
    for (size_t i = 0; i < arr.size(); ++i) {
        if (i) out += ',';
        write(arr.get(static_cast<unsigned int>(i)), out);
    }
    out += ']';
}

void write(const Poco::Dynamic::Var& v, std::string& out) {
    if (v.isEmpty()) {
        out += "null";
    } else if (v.type() == typeid(Poco::JSON::Object::Ptr)) {
        write_object(*v.extract<Poco::JSON::Object::Ptr>(), out);
    } else if (v.type() == typeid(Poco::JSON::Object)) {
        write_object(v.extract<Poco::JSON::Object>(), out);
    } else if (v.type() == typeid(Poco::JSON::Array::Ptr)) {
        write_array(*v.extract<Poco::JSON::Array::Ptr>(), out);
    } else if (v.type() == typeid(Poco::JSON::Array)) {
        write_array(v.extract<Poco::JSON::Array>(), out);
    } else if (v.type() == typeid(bool)) {
        out += v.extract<bool>() ? "true" : "false";
    } else if (v.isString()) {
        write_string(v.convert<std::string>(), out);
    } else if (v.isInteger()) {
        out += v.isSigned() ? std::to_string(v.convert<Poco::Int64>()) : std::to_string(v.convert<Poco::UInt64>());
    } else if (v.isNumeric()) {
        throw std::invalid_argument("canonical JSON refuses floating-point numbers (" + v.convert<std::string>() + ")");
    } else {
        throw std::invalid_argument(std::string("canonical JSON: unsupported value type ") + v.type().name());
    }
}

}  // namespace

std::string canonical_json(const Poco::Dynamic::Var& value) {
    std::string out;
    write(value, out);
    return out;
}

std::string canonicalize_json_text(const std::string& json) {
    Poco::JSON::Parser parser;
    return canonical_json(parser.parse(json));
}

}  // namespace veil
