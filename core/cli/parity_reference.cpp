#include "cli/parity_reference.h"

#include <fstream>
#include <limits>
#include <stdexcept>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include "util/regular_file.h"

namespace veil::cli {

namespace {

std::string describe(const Poco::Dynamic::Var& v) {
    if (v.isEmpty()) return "nothing";
    if (v.isArray() || v.type() == typeid(Poco::JSON::Array::Ptr)) return "an array";
    if (v.isStruct() || v.type() == typeid(Poco::JSON::Object::Ptr)) return "an object";
    return v.isString() ? "\"" + v.toString() + "\"" : v.toString();
}

int32_t int32_value(const Poco::Dynamic::Var& v, const std::string& what) {
    if (!v.isInteger()) throw std::runtime_error(what + " must be an integer, got " + describe(v));
    const int64_t n = v.convert<int64_t>();
    if (n < std::numeric_limits<int32_t>::min() || n > std::numeric_limits<int32_t>::max())
        throw std::runtime_error(what + " = " + std::to_string(n) + " is out of range");
    return static_cast<int32_t>(n);
}

Poco::JSON::Array::Ptr array_field(const Poco::JSON::Object& o, const std::string& key) {
    auto a = o.getArray(key);
    if (!a) throw std::runtime_error("no " + key + " array");
    return a;
}

std::vector<float> floats(const Poco::JSON::Array& a, const std::string& what) {
    std::vector<float> v(a.size());
    for (size_t i = 0; i < v.size(); ++i) {
        const Poco::Dynamic::Var e = a.get(static_cast<unsigned>(i));
        if (!e.isNumeric()) throw std::runtime_error(what + "[" + std::to_string(i) + "] is not a number");
        v[i] = static_cast<float>(e.convert<double>());
    }
    return v;
}

}  // namespace

ParityReference read_parity_reference(const std::string& path) {
    util::require_regular_file(path);
    std::ifstream in(path);
    if (!in) throw std::runtime_error(path + ": cannot open the reference file");
    ParityReference ref;
    std::string line;
    size_t line_no = 0;
    while (std::getline(in, line)) {
        ++line_no;
        if (line.empty()) continue;
        try {
            const auto o = Poco::JSON::Parser().parse(line).extract<Poco::JSON::Object::Ptr>();
            if (line_no == 1) {
                const auto p = array_field(*o, "prompt_tokens");
                for (size_t i = 0; i < p->size(); ++i)
                    ref.prompt.push_back(int32_value(p->get(static_cast<unsigned>(i)), "prompt_tokens[" + std::to_string(i) + "]"));
                continue;
            }
            if (int32_value(o->get("step"), "step") != static_cast<int64_t>(ref.steps.size()))
                throw std::runtime_error("steps are not numbered 0, 1, 2, ...");
            ReferenceStep step{int32_value(o->get("argmax"), "argmax"), floats(*array_field(*o, "logits"), "logits")};
            if (step.logits.empty()) throw std::runtime_error("the logits array is empty");
            if (!ref.steps.empty() && step.logits.size() != ref.steps[0].logits.size())
                throw std::runtime_error("step " + std::to_string(ref.steps.size()) + " has " +
                                         std::to_string(step.logits.size()) + " logits, step 0 has " +
                                         std::to_string(ref.steps[0].logits.size()));
            if (step.argmax < 0 || static_cast<size_t>(step.argmax) >= step.logits.size())
                throw std::runtime_error("argmax " + std::to_string(step.argmax) + " is not one of the " +
                                         std::to_string(step.logits.size()) + " logits");
            ref.steps.push_back(std::move(step));
        } catch (const Poco::Exception& e) {
            throw std::runtime_error(path + ":" + std::to_string(line_no) + ": " + e.displayText());
        } catch (const std::exception& e) {
            throw std::runtime_error(path + ":" + std::to_string(line_no) + ": " + e.what());
        }
    }
    if (ref.prompt.empty() || ref.steps.empty()) throw std::runtime_error(path + ": no prompt or no steps");
    return ref;
}

}  // namespace veil::cli
