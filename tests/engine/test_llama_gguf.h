// A minimal GGUF reader for the LLaMA tests, exposing a file as a veil_model_source (whole file in
// memory; enough for the small test models). Stand-in until core's GgufModelSource is available.
#pragma once

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <list>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "veil/backend.h"
#include "veil/engine/ggml_types.h"

namespace veil::test {

class TestGguf {
public:
    explicit TestGguf(const std::filesystem::path& path) : id_(path.stem().string()) {
        std::ifstream in(path, std::ios::binary);
        if (!in) throw std::runtime_error("cannot open " + path.string());
        bytes_.assign(std::istreambuf_iterator<char>(in), {});
        parse();
        src_.struct_size = sizeof(src_);
        src_.ctx = this;
        src_.model_id = id_.c_str();
        src_.n_tensors = descs_.size();
        src_.tensors = descs_.data();
        src_.meta_get = &TestGguf::meta_get;
        src_.read = &TestGguf::read;
        src_.map = nullptr;
    }
    TestGguf(const TestGguf&) = delete;
    TestGguf& operator=(const TestGguf&) = delete;

    const veil_model_source* abi() const { return &src_; }
    veil_model_source& mutable_abi() { return src_; }
    std::vector<veil_tensor_desc>& descs() { return descs_; }
    std::map<std::string, veil_meta_value>& meta() { return meta_; }

private:
    template <class T>
    T get() {
        if (pos_ + sizeof(T) > bytes_.size()) throw std::runtime_error("gguf truncated");
        T v;
        std::memcpy(&v, bytes_.data() + pos_, sizeof(T));
        pos_ += sizeof(T);
        return v;
    }
    std::string str() {
        uint64_t n = get<uint64_t>();
        if (pos_ + n > bytes_.size()) throw std::runtime_error("gguf truncated");
        std::string s(bytes_.data() + pos_, n);
        pos_ += n;
        return s;
    }
    veil_meta_value value(uint32_t type, std::list<std::string>& strings) {
        veil_meta_value v{};
        switch (type) {
            case 0: v.kind = VEIL_META_UINT; v.u = get<uint8_t>(); break;
            case 1: v.kind = VEIL_META_INT; v.i = get<int8_t>(); break;
            case 2: v.kind = VEIL_META_UINT; v.u = get<uint16_t>(); break;
            case 3: v.kind = VEIL_META_INT; v.i = get<int16_t>(); break;
            case 4: v.kind = VEIL_META_UINT; v.u = get<uint32_t>(); break;
            case 5: v.kind = VEIL_META_INT; v.i = get<int32_t>(); break;
            case 6: v.kind = VEIL_META_FLOAT; v.f = get<float>(); break;
            case 7: v.kind = VEIL_META_BOOL; v.u = get<uint8_t>(); break;
            case 8: {
                strings.push_back(str());
                v.kind = VEIL_META_STRING;
                v.str = strings.back().c_str();
                v.str_len = strings.back().size();
                break;
            }
            case 9: {
                uint32_t et = get<uint32_t>();
                uint64_t n = get<uint64_t>();
                std::list<std::string> scratch;
                for (uint64_t k = 0; k < n; ++k) value(et, scratch);
                v.kind = VEIL_META_ARRAY;
                v.array_elem_kind = et == 8 ? VEIL_META_STRING : VEIL_META_NONE;
                v.array_len = n;
                break;
            }
            case 10: v.kind = VEIL_META_UINT; v.u = get<uint64_t>(); break;
            case 11: v.kind = VEIL_META_INT; v.i = get<int64_t>(); break;
            case 12: v.kind = VEIL_META_FLOAT; v.f = get<double>(); break;
            default: throw std::runtime_error("gguf: bad value type " + std::to_string(type));
        }
        return v;
    }
    void parse() {
        if (get<uint32_t>() != 0x46554747u) throw std::runtime_error("not a gguf file");
        get<uint32_t>();  // version
        uint64_t n_tensors = get<uint64_t>(), n_kv = get<uint64_t>();
        for (uint64_t k = 0; k < n_kv; ++k) {
            std::string key = str();
            meta_[key] = value(get<uint32_t>(), strings_);
        }
        uint64_t alignment = 32;
        if (auto it = meta_.find("general.alignment"); it != meta_.end()) alignment = it->second.u;
        for (uint64_t t = 0; t < n_tensors; ++t) {
            names_.push_back(str());
            veil_tensor_desc d{};
            d.n_dims = get<uint32_t>();
            for (int i = 0; i < VEIL_MAX_DIMS; ++i) d.dims[i] = 1;
            for (uint32_t i = 0; i < d.n_dims; ++i) d.dims[i] = get<uint64_t>();
            d.type = get<uint32_t>();
            d.offset = get<uint64_t>();
            uint64_t rows = 1;
            for (uint32_t i = 1; i < d.n_dims; ++i) rows *= d.dims[i];
            d.n_bytes = rows * engine::row_bytes(static_cast<engine::GgmlType>(d.type), static_cast<int64_t>(d.dims[0]));
            descs_.push_back(d);
        }
        data_start_ = (pos_ + alignment - 1) / alignment * alignment;
        for (size_t t = 0; t < descs_.size(); ++t) {
            descs_[t].name = names_[t].c_str();
            if (data_start_ + descs_[t].offset + descs_[t].n_bytes > bytes_.size())
                throw std::runtime_error("gguf: tensor " + names_[t] + " past end of file");
        }
    }

    static void meta_get(void* ctx, const char* key, veil_meta_value* out) {
        auto* self = static_cast<TestGguf*>(ctx);
        auto it = self->meta_.find(key);
        if (it == self->meta_.end()) {
            *out = veil_meta_value{};
            out->kind = VEIL_META_NONE;
        } else {
            *out = it->second;
        }
    }
    static veil_error* read(void* ctx, size_t i, uint64_t offset, void* dst, size_t size, uint32_t) {
        auto* self = static_cast<TestGguf*>(ctx);
        const veil_tensor_desc& d = self->descs_.at(i);
        if (offset + size > d.n_bytes) throw std::runtime_error("test gguf: read outside tensor");
        std::memcpy(dst, self->bytes_.data() + self->data_start_ + d.offset + offset, size);
        return nullptr;
    }

    std::string id_;
    std::vector<char> bytes_;
    size_t pos_ = 0;
    size_t data_start_ = 0;
    std::map<std::string, veil_meta_value> meta_;
    std::list<std::string> strings_;  // stable storage for string values
    std::vector<std::string> names_;
    std::vector<veil_tensor_desc> descs_;
    veil_model_source src_{};
};

}  // namespace veil::test
