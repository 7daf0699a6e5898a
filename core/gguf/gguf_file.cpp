// Parsing and validation of the header, metadata and tensor directory.
#include "gguf/gguf_file.h"

#include <algorithm>
#include <bit>

#include "gguf/gguf_cursor.h"

namespace veil {

static_assert(std::endian::native == std::endian::little, "the GGUF reader assumes a little-endian host");

namespace {

constexpr uint64_t kHeaderBytes = 4 + 4 + 8 + 8;
// Smallest encodings, used to reject counts no file of this size could hold before reserving.
constexpr uint64_t kMinKvBytes = 8 + 4 + 1;              // empty key, type, one-byte value
constexpr uint64_t kMinTensorInfoBytes = 8 + 4 + 8 + 4 + 8;  // empty name, n_dims, 1 dim, type, offset
constexpr int kMaxArrayNesting = 8;  // bounds recursion on hostile nested arrays

std::string quoted(std::string_view s) {
    // Keep messages readable when a name is binary garbage or huge.
    std::string out = "'";
    for (char ch : s.substr(0, 80)) out += (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) ? '?' : ch;
    if (s.size() > 80) out += "...";
    return out + "'";
}

void read_value(GgufCursor& c, GgufValueType type, GgufValue& v, const std::string& field, int depth);

void read_array(GgufCursor& c, GgufValue& v, const std::string& field, int depth) {
    uint64_t at = c.pos();
    uint32_t elem = c.read<uint32_t>(field + " array element type");
    if (!gguf_value_type_known(elem)) c.fail(field, at, "unknown array element type " + std::to_string(elem));
    v.elem_type = static_cast<GgufValueType>(elem);
    uint64_t count_at = c.pos();
    v.count = c.read<uint64_t>(field + " array length");
    size_t elem_size = gguf_value_type_size(v.elem_type);
    if (elem_size > 0) {
        if (v.count > c.left() / elem_size)
            c.fail(field, count_at, "array of " + std::to_string(v.count) + " " +
                                         std::string(gguf_value_type_name(v.elem_type)) + " exceeds the " +
                                         std::to_string(c.left()) + " bytes left in the file");
        v.raw = c.here();
        c.skip(v.count * elem_size, field);
        return;
    }
    // Strings need at least their 8-byte length, nested arrays 12 bytes: bound the count first.
    uint64_t min_elem = v.elem_type == GgufValueType::STRING ? 8 : 12;
    if (v.count > c.left() / min_elem)
        c.fail(field, count_at, "array length " + std::to_string(v.count) + " is impossible with " +
                                     std::to_string(c.left()) + " bytes left in the file");
    if (v.elem_type == GgufValueType::STRING) {
        v.strings.reserve(v.count);
        for (uint64_t k = 0; k < v.count; ++k) v.strings.push_back(c.read_string(field + " element " + std::to_string(k)));
        return;
    }
    if (depth >= kMaxArrayNesting) c.fail(field, at, "arrays nested deeper than " + std::to_string(kMaxArrayNesting));
    v.items.resize(v.count);
    for (uint64_t k = 0; k < v.count; ++k)
        read_value(c, GgufValueType::ARRAY, v.items[k], field + " element " + std::to_string(k), depth + 1);
}

void read_value(GgufCursor& c, GgufValueType type, GgufValue& v, const std::string& field, int depth) {
    v.type = type;
    v.offset = c.pos();
    switch (type) {
        case GgufValueType::UINT8: v.u = c.read<uint8_t>(field); break;
        case GgufValueType::INT8: v.i = c.read<int8_t>(field); break;
        case GgufValueType::UINT16: v.u = c.read<uint16_t>(field); break;
        case GgufValueType::INT16: v.i = c.read<int16_t>(field); break;
        case GgufValueType::UINT32: v.u = c.read<uint32_t>(field); break;
        case GgufValueType::INT32: v.i = c.read<int32_t>(field); break;
        case GgufValueType::UINT64: v.u = c.read<uint64_t>(field); break;
        case GgufValueType::INT64: v.i = c.read<int64_t>(field); break;
        case GgufValueType::FLOAT32: v.f = c.read<float>(field); break;
        case GgufValueType::FLOAT64: v.f = c.read<double>(field); break;
        case GgufValueType::BOOL: {
            uint8_t b = c.read<uint8_t>(field);
            if (b > 1) c.fail(field, v.offset, "bool value " + std::to_string(b) + " is neither 0 nor 1");
            v.u = b;
            break;
        }
        case GgufValueType::STRING: v.str = c.read_string(field); break;
        case GgufValueType::ARRAY: read_array(c, v, field, depth); break;
    }
}

}  // namespace

std::unique_ptr<GgufFile> GgufFile::open(const std::string& path) {
    std::unique_ptr<GgufFile> f(new GgufFile());
    f->map_ = std::make_unique<MappedFile>(path);
    f->name_ = path;
    f->data_ = f->map_->data();
    f->size_ = f->map_->size();
    f->in_memory_ = f->size_;
    f->parse_all();
    return f;
}

std::unique_ptr<GgufFile> GgufFile::parse(const void* data, size_t size, const std::string& name) {
    std::unique_ptr<GgufFile> f(new GgufFile());
    f->name_ = name;
    f->data_ = static_cast<const uint8_t*>(data);
    f->size_ = size;
    f->in_memory_ = size;
    f->parse_all();
    return f;
}

std::unique_ptr<GgufFile> GgufFile::parse_header_region(const void* data, size_t header_size, uint64_t declared_file_size,
                                                        const std::string& name) {
    if (header_size > declared_file_size)
        throw GgufError(name + ": header region of " + std::to_string(header_size) + " bytes exceeds the declared file size " +
                        std::to_string(declared_file_size));
    std::unique_ptr<GgufFile> f(new GgufFile());
    f->name_ = name;
    f->data_ = static_cast<const uint8_t*>(data);
    f->size_ = declared_file_size;
    f->in_memory_ = header_size;
    f->parse_all();
    return f;
}

void GgufFile::parse_all() {
    GgufCursor c(data_, in_memory_, name_);
    parse_header(c);
    parse_metadata(c);
    parse_tensor_infos(c);
    // The data section starts at the next multiple of the alignment after the directory.
    uint64_t end = c.pos();
    uint64_t pad = (alignment_ - end % alignment_) % alignment_;
    data_offset_ = end + pad;
    if (data_offset_ > size_) {
        // A file without tensors may end right after its directory; one with tensors may not.
        if (!tensors_.empty())
            c.fail("data section", end, "padding to alignment " + std::to_string(alignment_) + " runs past the end of the file");
        data_offset_ = size_;
    }
    check_tensor_data();
}

void GgufFile::parse_header(GgufCursor& c) {
    c.need(4, "magic");
    if (std::memcmp(c.here(), "GGUF", 4) != 0) c.fail("magic", 0, "not a GGUF file (magic is not \"GGUF\")");
    c.skip(4, "magic");
    version_ = c.read<uint32_t>("version");
    if (version_ == 1) c.fail("version", 4, "GGUF v1 is not supported (only v2 and v3); convert the file with a newer llama.cpp");
    if (version_ != 2 && version_ != 3)
        c.fail("version", 4, "unsupported GGUF version " + std::to_string(version_) + " (supported: 2, 3)");
    n_tensors_ = c.read<uint64_t>("n_tensors");
    n_kv_ = c.read<uint64_t>("n_kv");
    uint64_t body = size_ - kHeaderBytes;
    if (n_tensors_ > body / kMinTensorInfoBytes)
        c.fail("n_tensors", 8, std::to_string(n_tensors_) + " tensors cannot fit in a " + std::to_string(size_) + "-byte file");
    if (n_kv_ > body / kMinKvBytes)
        c.fail("n_kv", 16, std::to_string(n_kv_) + " metadata entries cannot fit in a " + std::to_string(size_) + "-byte file");
    if (n_tensors_ * kMinTensorInfoBytes + n_kv_ * kMinKvBytes > body)
        c.fail("n_kv", 16, std::to_string(n_kv_) + " metadata entries and " + std::to_string(n_tensors_) +
                               " tensors cannot fit in a " + std::to_string(size_) + "-byte file");
}

void GgufFile::parse_metadata(GgufCursor& c) {
    kvs_.reserve(n_kv_);
    kv_index_.reserve(n_kv_);
    for (uint64_t k = 0; k < n_kv_; ++k) {
        uint64_t at = c.pos();
        std::string_view key = c.read_string("metadata key #" + std::to_string(k));
        std::string field = "key " + quoted(key);
        if (key.empty()) c.fail("metadata key #" + std::to_string(k), at, "empty key");
        if (kv_index_.count(key)) c.fail(field, at, "duplicate key");
        uint64_t type_at = c.pos();
        uint32_t type = c.read<uint32_t>(field + " type");
        if (!gguf_value_type_known(type)) c.fail(field, type_at, "unknown value type " + std::to_string(type));
        GgufKV kv{key, {}};
        read_value(c, static_cast<GgufValueType>(type), kv.value, field, 0);
        kv_index_.emplace(key, kvs_.size());
        kvs_.push_back(std::move(kv));
    }
    if (const GgufValue* a = find("general.alignment")) {
        auto al = a->as_u64();
        if (!al || *al == 0 || !std::has_single_bit(*al) || *al > (1ull << 30))
            c.fail("key 'general.alignment'", a->offset, "must be a power of two in 1..2^30");
        uint64_t al_v = *al;
        alignment_ = al_v;
    }
}

void GgufFile::parse_tensor_infos(GgufCursor& c) {
    tensors_.reserve(n_tensors_);
    tensor_index_.reserve(n_tensors_);
    for (uint64_t k = 0; k < n_tensors_; ++k) {
        GgufTensorInfo t;
        t.info_offset = c.pos();
        t.name = c.read_string("tensor #" + std::to_string(k) + " name");
        std::string field = "tensor " + quoted(t.name);
        if (tensor_index_.count(t.name)) c.fail(field, t.info_offset, "duplicate tensor name");
        uint64_t at = c.pos();
        t.n_dims = c.read<uint32_t>(field + " n_dims");
        if (t.n_dims < 1 || t.n_dims > 4) c.fail(field, at, "n_dims " + std::to_string(t.n_dims) + " is outside 1..4");
        for (uint32_t d = 0; d < t.n_dims; ++d) {
            at = c.pos();
            t.dims[d] = c.read<uint64_t>(field + " dim " + std::to_string(d));
            // ggml stores dims as int64_t; larger values are negative there.
            if (t.dims[d] > static_cast<uint64_t>(INT64_MAX)) c.fail(field, at, "dim " + std::to_string(d) + " is negative");
        }
        at = c.pos();
        t.type = c.read<uint32_t>(field + " type");
        auto ti = gguf_tensor_type_info(t.type);
        if (!ti) c.fail(field, at, "unknown or unsupported tensor type " + std::to_string(t.type));
        if (t.dims[0] % ti->block_elems != 0)
            c.fail(field, t.info_offset, "ne[0] = " + std::to_string(t.dims[0]) + " is not a multiple of the " +
                                             std::string(ti->name) + " block size " + std::to_string(ti->block_elems));
        uint64_t n = 1;
        for (uint32_t d = 0; d < t.n_dims; ++d)
            if (__builtin_mul_overflow(n, t.dims[d], &n) || n > static_cast<uint64_t>(INT64_MAX))
                c.fail(field, t.info_offset, "dims product overflows");
        t.n_elements = n;
        if (__builtin_mul_overflow(n / ti->block_elems, static_cast<uint64_t>(ti->block_bytes), &t.n_bytes))
            c.fail(field, t.info_offset, "byte size overflows");
        at = c.pos();
        t.offset = c.read<uint64_t>(field + " offset");
        tensor_index_.emplace(t.name, tensors_.size());
        tensors_.push_back(t);
    }
}

void GgufFile::check_tensor_data() {
    GgufCursor c(data_, size_, name_);
    const uint64_t data_size = size_ - data_offset_;
    // Offset field of a directory entry: after name, n_dims, dims and type.
    auto offset_field_at = [](const GgufTensorInfo& t) { return t.info_offset + 8 + t.name.size() + 4 + 8ull * t.n_dims + 4; };
    for (const auto& t : tensors_) {
        std::string field = "tensor " + quoted(t.name);
        if (t.offset % alignment_ != 0)
            c.fail(field, offset_field_at(t), "data offset " + std::to_string(t.offset) + " is not a multiple of the alignment " +
                                                  std::to_string(alignment_));
        if (t.offset > data_size || t.n_bytes > data_size - t.offset)
            c.fail(field, offset_field_at(t), "data [" + std::to_string(data_offset_ + t.offset) + ", +" + std::to_string(t.n_bytes) +
                                                  ") runs past the end of the file (" + std::to_string(size_) + " bytes)");
    }
    // Overlap: sort by offset and compare neighbours.
    std::vector<const GgufTensorInfo*> order;
    order.reserve(tensors_.size());
    for (const auto& t : tensors_) order.push_back(&t);
    std::sort(order.begin(), order.end(), [](auto* a, auto* b) { return a->offset < b->offset; });
    for (size_t k = 1; k < order.size(); ++k) {
        const auto* prev = order[k - 1];
        const auto* cur = order[k];
        if (prev->offset + prev->n_bytes > cur->offset && cur->n_bytes > 0 && prev->n_bytes > 0)
            c.fail("tensor " + quoted(cur->name), offset_field_at(*cur),
                   "data overlaps tensor " + quoted(prev->name));
    }
}

}  // namespace veil
