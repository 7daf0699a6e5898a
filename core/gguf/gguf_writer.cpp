#include "gguf/gguf_writer.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <stdexcept>

#include "gguf/gguf_error.h"
#include "gguf/gguf_types.h"
#include "sealed/atomic_output.h"

namespace veil {

namespace {

template <typename T>
void append(std::vector<uint8_t>& out, T v) {
    uint8_t b[sizeof(T)];
    std::memcpy(b, &v, sizeof v);
    out.insert(out.end(), b, b + sizeof v);
}

void append_string(std::vector<uint8_t>& out, std::string_view s) {
    append<uint64_t>(out, s.size());
    out.insert(out.end(), s.begin(), s.end());
}

template <typename T>
std::vector<uint8_t> scalar(T v) {
    std::vector<uint8_t> out;
    append(out, v);
    return out;
}

// Value bytes (without the leading type id) of a value read by GgufFile.
void encode_value(std::vector<uint8_t>& out, const GgufValue& v) {
    switch (v.type) {
        case GgufValueType::UINT8:
        case GgufValueType::BOOL: append<uint8_t>(out, static_cast<uint8_t>(v.u)); break;
        case GgufValueType::INT8: append<int8_t>(out, static_cast<int8_t>(v.i)); break;
        case GgufValueType::UINT16: append<uint16_t>(out, static_cast<uint16_t>(v.u)); break;
        case GgufValueType::INT16: append<int16_t>(out, static_cast<int16_t>(v.i)); break;
        case GgufValueType::UINT32: append<uint32_t>(out, static_cast<uint32_t>(v.u)); break;
        case GgufValueType::INT32: append<int32_t>(out, static_cast<int32_t>(v.i)); break;
        case GgufValueType::UINT64: append<uint64_t>(out, v.u); break;
        case GgufValueType::INT64: append<int64_t>(out, v.i); break;
        case GgufValueType::FLOAT32: append<float>(out, static_cast<float>(v.f)); break;
        case GgufValueType::FLOAT64: append<double>(out, v.f); break;
        case GgufValueType::STRING: append_string(out, v.str); break;
        case GgufValueType::ARRAY: {
            append<uint32_t>(out, static_cast<uint32_t>(v.elem_type));
            append<uint64_t>(out, v.count);
            if (v.elem_type == GgufValueType::STRING) {
                for (auto s : v.strings) append_string(out, s);
            } else if (v.elem_type == GgufValueType::ARRAY) {
                for (const auto& item : v.items) encode_value(out, item);
            } else {
                out.insert(out.end(), v.raw, v.raw + v.count * gguf_value_type_size(v.elem_type));
            }
            break;
        }
    }
}

uint64_t align_up(uint64_t n, uint64_t a) { return (n + a - 1) / a * a; }

}  // namespace

GgufWriter::GgufWriter() = default;
GgufWriter::~GgufWriter() = default;  // an unfinished output's temporary file is removed

void GgufWriter::require_declaring(const char* what) const {
    if (out_ || finished_) throw GgufError(std::string("GGUF writer: ") + what + " after begin()");
}

void GgufWriter::put(const std::string& key, GgufValueType type, std::vector<uint8_t> payload) {
    require_declaring("metadata set");
    std::vector<uint8_t> bytes;
    append<uint32_t>(bytes, static_cast<uint32_t>(type));
    bytes.insert(bytes.end(), payload.begin(), payload.end());
    for (auto& kv : kvs_)
        if (kv.first == key) {
            kv.second = std::move(bytes);
            return;
        }
    kvs_.emplace_back(key, std::move(bytes));
}

void GgufWriter::set_u8(const std::string& k, uint8_t v) { put(k, GgufValueType::UINT8, scalar(v)); }
void GgufWriter::set_i8(const std::string& k, int8_t v) { put(k, GgufValueType::INT8, scalar(v)); }
void GgufWriter::set_u16(const std::string& k, uint16_t v) { put(k, GgufValueType::UINT16, scalar(v)); }
void GgufWriter::set_i16(const std::string& k, int16_t v) { put(k, GgufValueType::INT16, scalar(v)); }
void GgufWriter::set_u32(const std::string& k, uint32_t v) { put(k, GgufValueType::UINT32, scalar(v)); }
void GgufWriter::set_i32(const std::string& k, int32_t v) { put(k, GgufValueType::INT32, scalar(v)); }
void GgufWriter::set_u64(const std::string& k, uint64_t v) { put(k, GgufValueType::UINT64, scalar(v)); }
void GgufWriter::set_i64(const std::string& k, int64_t v) { put(k, GgufValueType::INT64, scalar(v)); }
void GgufWriter::set_f32(const std::string& k, float v) { put(k, GgufValueType::FLOAT32, scalar(v)); }
void GgufWriter::set_f64(const std::string& k, double v) { put(k, GgufValueType::FLOAT64, scalar(v)); }
void GgufWriter::set_bool(const std::string& k, bool v) { put(k, GgufValueType::BOOL, scalar<uint8_t>(v ? 1 : 0)); }

void GgufWriter::set_string(const std::string& k, std::string_view v) {
    std::vector<uint8_t> p;
    append_string(p, v);
    put(k, GgufValueType::STRING, std::move(p));
}

void GgufWriter::set_string_array(const std::string& k, const std::vector<std::string>& v) {
    std::vector<uint8_t> p;
    append<uint32_t>(p, static_cast<uint32_t>(GgufValueType::STRING));
    append<uint64_t>(p, v.size());
    for (const auto& s : v) append_string(p, s);
    put(k, GgufValueType::ARRAY, std::move(p));
}

void GgufWriter::set_f32_array(const std::string& k, const std::vector<float>& v) {
    std::vector<uint8_t> p;
    append<uint32_t>(p, static_cast<uint32_t>(GgufValueType::FLOAT32));
    append<uint64_t>(p, v.size());
    for (float f : v) append(p, f);
    put(k, GgufValueType::ARRAY, std::move(p));
}

void GgufWriter::set_i32_array(const std::string& k, const std::vector<int32_t>& v) {
    std::vector<uint8_t> p;
    append<uint32_t>(p, static_cast<uint32_t>(GgufValueType::INT32));
    append<uint64_t>(p, v.size());
    for (int32_t x : v) append(p, x);
    put(k, GgufValueType::ARRAY, std::move(p));
}

void GgufWriter::set_value(const std::string& k, const GgufValue& v) {
    require_declaring("metadata set");
    if (k == "general.alignment") {
        auto a = v.as_u64();
        if (!a || *a == 0 || !std::has_single_bit(*a) || *a > (1ull << 30)) throw GgufError("general.alignment must be a power of two");
        alignment_ = *a;
    }
    std::vector<uint8_t> p;
    encode_value(p, v);
    put(k, v.type, std::move(p));
}

void GgufWriter::set_alignment(uint32_t alignment) {
    require_declaring("alignment set");
    if (alignment == 0 || !std::has_single_bit(alignment) || alignment > (1u << 30))
        throw GgufError("general.alignment must be a power of two, not " + std::to_string(alignment));
    alignment_ = alignment;
    set_u32("general.alignment", alignment);
}

uint64_t GgufWriter::add_tensor(const std::string& name, uint32_t type, const std::vector<uint64_t>& dims) {
    require_declaring("tensor declared");
    auto ti = gguf_tensor_type_info(type);
    if (!ti) throw GgufError("tensor '" + name + "': unknown tensor type " + std::to_string(type));
    if (dims.empty() || dims.size() > 4) throw GgufError("tensor '" + name + "': needs 1..4 dims");
    if (dims[0] % ti->block_elems != 0)
        throw GgufError("tensor '" + name + "': ne[0] = " + std::to_string(dims[0]) + " is not a multiple of the " +
                        std::string(ti->name) + " block size " + std::to_string(ti->block_elems));
    uint64_t n = 1;
    for (uint64_t d : dims)
        if (__builtin_mul_overflow(n, d, &n)) throw GgufError("tensor '" + name + "': dims product overflows");
    uint64_t n_bytes = 0;
    if (__builtin_mul_overflow(n / ti->block_elems, uint64_t{ti->block_bytes}, &n_bytes))
        throw GgufError("tensor '" + name + "': byte size overflows");
    for (const auto& t : tensors_)
        if (t.name == name) throw GgufError("tensor '" + name + "': declared twice");
    tensors_.push_back(Tensor{name, type, dims, n_bytes});
    return n_bytes;
}

std::vector<uint8_t> GgufWriter::header_bytes() const {
    std::vector<uint8_t> out;
    out.insert(out.end(), {'G', 'G', 'U', 'F'});
    append<uint32_t>(out, 3);
    append<uint64_t>(out, tensors_.size());
    append<uint64_t>(out, kvs_.size());
    for (const auto& [key, bytes] : kvs_) {
        append_string(out, key);
        out.insert(out.end(), bytes.begin(), bytes.end());
    }
    uint64_t offset = 0;
    for (const auto& t : tensors_) {
        append_string(out, t.name);
        append<uint32_t>(out, static_cast<uint32_t>(t.dims.size()));
        for (uint64_t d : t.dims) append<uint64_t>(out, d);
        append<uint32_t>(out, t.type);
        append<uint64_t>(out, offset);
        offset = align_up(offset + t.n_bytes, alignment_);
    }
    out.resize(align_up(out.size(), alignment_), 0);
    return out;
}

void GgufWriter::begin(const std::string& path, bool overwrite) {
    require_declaring("begin()");
    try {
        out_ = std::make_unique<AtomicOutput>(path, overwrite, 0644);
    } catch (const std::runtime_error& e) {
        throw GgufError(e.what());
    }
    std::vector<uint8_t> header = header_bytes();
    uint64_t total = header.size();
    for (const Tensor& t : tensors_) total += align_up(t.n_bytes, alignment_);
    try {
        out_->reserve(total);  // a model too large for the disk is refused before any work
    } catch (const std::runtime_error& e) {
        out_.reset();
        throw GgufError(e.what());
    }
    out_->write(header.data(), header.size());
    current_ = 0;
    current_done_ = 0;
    while (current_ < tensors_.size() && tensors_[current_].n_bytes == 0) ++current_;
}

void GgufWriter::pad_to_alignment(uint64_t written) {
    static const uint8_t zeros[64] = {};
    uint64_t pad = align_up(written, alignment_) - written;
    while (pad > 0) {
        const size_t n = static_cast<size_t>(std::min<uint64_t>(pad, sizeof zeros));
        out_->write(zeros, n);
        pad -= n;
    }
}

void GgufWriter::write_tensor_data(const void* data, size_t n) {
    if (!out_) throw GgufError("GGUF writer: tensor data written outside begin()..finish()");
    if (n == 0) return;
    if (current_ >= tensors_.size())
        throw GgufError(out_->path() + ": " + std::to_string(n) + " bytes of tensor data beyond the last tensor");
    const Tensor& t = tensors_[current_];
    if (n > t.n_bytes - current_done_)
        throw GgufError(out_->path() + ": tensor '" + t.name + "': " + std::to_string(n) + " bytes given, only " +
                        std::to_string(t.n_bytes - current_done_) + " left of its " + std::to_string(t.n_bytes));
    out_->write(data, n);
    current_done_ += n;
    if (current_done_ == t.n_bytes) {
        pad_to_alignment(t.n_bytes);
        current_done_ = 0;
        ++current_;
        while (current_ < tensors_.size() && tensors_[current_].n_bytes == 0) ++current_;
    }
}

void GgufWriter::finish() {
    if (!out_) throw GgufError("GGUF writer: finish() without begin()");
    if (current_ < tensors_.size())
        throw GgufError(out_->path() + ": tensor '" + tensors_[current_].name + "' incomplete (" +
                        std::to_string(current_done_) + " of " + std::to_string(tensors_[current_].n_bytes) +
                        " bytes); file not written");
    try {
        out_->commit();
    } catch (const std::runtime_error& e) {
        throw GgufError(e.what());
    }
    out_.reset();
    finished_ = true;
}

}  // namespace veil
