// Test helpers for the LLaMA forward-pass tests: reference JSONL files, a GGUF-backed model
// source, aligned copies of the weights, and logit comparisons.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include "model/gguf_model_source.h"
#include "plugin_host/host_api.h"
#include "veil/backend.h"

namespace veil::test {

inline std::filesystem::path testdata_dir() { return VEIL_TESTDATA_DIR; }

// ---- models -------------------------------------------------------------------------------------

// A GGUF file as the host presents it to backends (core's model source).
inline std::unique_ptr<GgufModelSource> open_gguf(const std::filesystem::path& path) {
    return GgufModelSource::open(path.string(), [](veil_error_code code, const std::string& msg) {
        return HostApi::new_error(code, msg);
    });
}

// ---- reference logits ----------------------------------------------------------------------------

struct RefStep {
    int32_t argmax = 0;
    std::vector<float> logits;
};

struct Reference {
    std::string name;                 // file stem, e.g. "synth-d256-Q4_K_M.once"
    std::filesystem::path model;      // models/<text before the prompt name>.gguf
    std::vector<int32_t> prompt;
    std::vector<RefStep> steps;
};

inline Reference load_reference(const std::filesystem::path& file) {
    Reference r;
    r.name = file.stem().string();
    const std::string stem = r.name;
    r.model = testdata_dir() / "models" / (stem.substr(0, stem.rfind('.')) + ".gguf");
    std::ifstream in(file);
    if (!in) throw std::runtime_error("cannot open " + file.string());
    std::string line;
    Poco::JSON::Parser parser;
    bool first = true;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        parser.reset();
        auto obj = parser.parse(line).extract<Poco::JSON::Object::Ptr>();
        if (first) {
            auto toks = obj->getArray("prompt_tokens");
            for (size_t i = 0; i < toks->size(); ++i) r.prompt.push_back(toks->getElement<int>(static_cast<unsigned>(i)));
            first = false;
            continue;
        }
        if (obj->getValue<size_t>("step") != r.steps.size()) throw std::runtime_error(file.string() + ": steps out of order");
        RefStep s;
        s.argmax = obj->getValue<int32_t>("argmax");
        auto logits = obj->getArray("logits");
        s.logits.resize(logits->size());
        for (size_t i = 0; i < logits->size(); ++i) s.logits[i] = static_cast<float>(logits->getElement<double>(static_cast<unsigned>(i)));
        r.steps.push_back(std::move(s));
    }
    if (r.prompt.empty() || r.steps.empty()) throw std::runtime_error(file.string() + ": no prompt or no steps");
    return r;
}

inline std::vector<std::filesystem::path> reference_files() {
    std::vector<std::filesystem::path> out;
    for (const auto& e : std::filesystem::directory_iterator(testdata_dir() / "reference"))
        if (e.path().extension() == ".jsonl") out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
}

// ---- logit comparisons ---------------------------------------------------------------------------

inline double cosine(const std::vector<float>& a, const std::vector<float>& b) {
    double ab = 0, aa = 0, bb = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        ab += double(a[i]) * b[i];
        aa += double(a[i]) * a[i];
        bb += double(b[i]) * b[i];
    }
    return ab / std::sqrt(aa * bb);
}

inline int32_t argmax(const float* v, size_t n) {
    size_t best = 0;
    for (size_t i = 1; i < n; ++i)
        if (v[i] > v[best]) best = i;
    return static_cast<int32_t>(best);
}

inline double stddev(const std::vector<float>& v) {
    double m = 0;
    for (float x : v) m += x;
    m /= double(v.size());
    double s = 0;
    for (float x : v) s += (x - m) * (x - m);
    return std::sqrt(s / double(v.size()));
}

// ---- aligned weight copies -----------------------------------------------------------------------

struct AlignedFree {
    void operator()(void* p) const noexcept { std::free(p); }
};
using AlignedBytes = std::unique_ptr<uint8_t, AlignedFree>;

inline AlignedBytes aligned_bytes(size_t n) {
    void* p = std::aligned_alloc(64, (n + 63) / 64 * 64 + 64);
    if (!p) throw std::bad_alloc();
    return AlignedBytes(static_cast<uint8_t*>(p));
}

// Copies every tensor of `src` into its own 64-byte aligned buffer (what a backend does).
class OwnedTensors {
public:
    explicit OwnedTensors(const veil_model_source& src) {
        for (size_t i = 0; i < src.n_tensors; ++i) {
            bufs_.push_back(aligned_bytes(src.tensors[i].n_bytes));
            veil_error* err = src.read(src.ctx, i, 0, bufs_.back().get(), src.tensors[i].n_bytes, 0);
            if (err != nullptr) {
                std::string msg = err->message;
                ErrorDeleter()(err);
                throw std::runtime_error(std::string("read of ") + src.tensors[i].name + " failed: " + msg);
            }
        }
    }
    const void* data(size_t i) const { return bufs_.at(i).get(); }

private:
    std::vector<AlignedBytes> bufs_;
};

}  // namespace veil::test
