// A veil_model_source wrapping another one, with tensors removed or altered and metadata
// overridden: how the tests build malformed models without writing files.
#pragma once

#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "veil/backend.h"

namespace veil::test {

class ProxySource {
public:
    explicit ProxySource(const veil_model_source& inner) : inner_(inner) {
        for (size_t i = 0; i < inner.n_tensors; ++i) {
            descs_.push_back(inner.tensors[i]);
            origin_.push_back(i);
        }
    }

    void remove_tensor(const std::string& name) {
        for (size_t i = 0; i < descs_.size(); ++i)
            if (name == descs_[i].name) {
                descs_.erase(descs_.begin() + static_cast<long>(i));
                origin_.erase(origin_.begin() + static_cast<long>(i));
                return;
            }
    }
    veil_tensor_desc* find(const std::string& name) {
        for (auto& d : descs_)
            if (name == d.name) return &d;
        return nullptr;
    }
    // Adds a copy of tensor `from` under `name` (an unexpected extra tensor).
    void add_alias(const std::string& from, const std::string& name) {
        names_.push_back(name);
        for (size_t i = 0; i < descs_.size(); ++i)
            if (from == descs_[i].name) {
                veil_tensor_desc d = descs_[i];
                d.name = nullptr;
                descs_.push_back(d);
                origin_.push_back(origin_[i]);
                alias_index_.push_back(descs_.size() - 1);
                return;
            }
    }
    // Reads of tensor `name` see `bytes` at byte `at` of its data instead of the file's (corrupt
    // weights without writing a file).
    void patch(const std::string& name, uint64_t at, std::vector<uint8_t> bytes) {
        patches_.push_back({name, at, std::move(bytes)});
    }
    void set_string(const std::string& key, const std::string& value) {
        strings_[key] = value;
        veil_meta_value v{};
        v.kind = VEIL_META_STRING;
        v.str = strings_[key].c_str();
        v.str_len = strings_[key].size();
        overrides_[key] = v;
    }
    void set_uint(const std::string& key, uint64_t value) {
        veil_meta_value v{};
        v.kind = VEIL_META_UINT;
        v.u = value;
        overrides_[key] = v;
    }
    void erase_meta(const std::string& key) {
        veil_meta_value v{};
        v.kind = VEIL_META_NONE;
        overrides_[key] = v;
    }

    const veil_model_source& abi() {
        for (size_t k = 0; k < alias_index_.size(); ++k) descs_[alias_index_[k]].name = names_[k].c_str();
        src_ = inner_;
        src_.ctx = this;
        src_.n_tensors = descs_.size();
        src_.tensors = descs_.data();
        src_.meta_get = &ProxySource::meta_get;
        src_.read = &ProxySource::read;
        src_.map = nullptr;
        return src_;
    }

private:
    static void meta_get(void* ctx, const char* key, veil_meta_value* out) {
        auto* self = static_cast<ProxySource*>(ctx);
        auto it = self->overrides_.find(key);
        if (it != self->overrides_.end()) {
            *out = it->second;
            return;
        }
        self->inner_.meta_get(self->inner_.ctx, key, out);
    }
    static veil_error* read(void* ctx, size_t i, uint64_t offset, void* dst, size_t size, uint32_t flags) {
        auto* self = static_cast<ProxySource*>(ctx);
        const veil_tensor_desc& d = self->descs_.at(i);
        const veil_tensor_desc& o = self->inner_.tensors[self->origin_.at(i)];
        // A tensor whose size was altered reads as much of the original as fits, zero past it.
        size_t avail = offset < o.n_bytes ? static_cast<size_t>(o.n_bytes - offset) : 0;
        size_t n = size < avail ? size : avail;
        if (offset + size > d.n_bytes) return nullptr;
        if (n) {
            veil_error* e = self->inner_.read(self->inner_.ctx, self->origin_.at(i), offset, dst, n, flags);
            if (e) return e;
        }
        if (n < size) std::memset(static_cast<char*>(dst) + n, 0, size - n);
        for (const Patch& p : self->patches_) {
            if (d.name == nullptr || p.tensor != d.name) continue;
            for (size_t k = 0; k < p.bytes.size(); ++k)
                if (p.at + k >= offset && p.at + k < offset + size) static_cast<uint8_t*>(dst)[p.at + k - offset] = p.bytes[k];
        }
        return nullptr;
    }

    struct Patch {
        std::string tensor;
        uint64_t at;
        std::vector<uint8_t> bytes;
    };

    veil_model_source inner_;
    veil_model_source src_{};
    std::vector<veil_tensor_desc> descs_;
    std::vector<size_t> origin_;
    std::vector<std::string> names_;
    std::vector<size_t> alias_index_;
    std::map<std::string, std::string> strings_;
    std::map<std::string, veil_meta_value> overrides_;
    std::vector<Patch> patches_;
};

}  // namespace veil::test
