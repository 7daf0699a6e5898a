// Writes GGUF v3 files in one streaming pass: metadata and the tensor table are declared first
// (offsets follow from the declared shapes, padded to general.alignment, default 32), begin()
// writes them, then each tensor's bytes are appended in declaration order, possibly in pieces.
// Memory use is the metadata plus whatever piece the caller hands over, so files far larger
// than RAM can be written. The file goes through a temporary file renamed into place by
// finish() (AtomicOutput): an interrupted write leaves nothing under the final name.
//
// Used by `veil model quantize/synth` and by tests that need GGUF files of a particular shape.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gguf/gguf_value.h"

namespace veil {

class AtomicOutput;

class GgufWriter {
public:
    GgufWriter();
    ~GgufWriter();
    GgufWriter(const GgufWriter&) = delete;
    GgufWriter& operator=(const GgufWriter&) = delete;

    // ---- declaration (before begin) --------------------------------------------------------
    // Setting a key twice replaces its value (keeping its first position).
    void set_u8(const std::string& key, uint8_t v);
    void set_i8(const std::string& key, int8_t v);
    void set_u16(const std::string& key, uint16_t v);
    void set_i16(const std::string& key, int16_t v);
    void set_u32(const std::string& key, uint32_t v);
    void set_i32(const std::string& key, int32_t v);
    void set_u64(const std::string& key, uint64_t v);
    void set_i64(const std::string& key, int64_t v);
    void set_f32(const std::string& key, float v);
    void set_f64(const std::string& key, double v);
    void set_bool(const std::string& key, bool v);
    void set_string(const std::string& key, std::string_view v);
    void set_string_array(const std::string& key, const std::vector<std::string>& v);
    void set_f32_array(const std::string& key, const std::vector<float>& v);
    void set_i32_array(const std::string& key, const std::vector<int32_t>& v);
    // Copies a value read from another file (any type, nested arrays included).
    void set_value(const std::string& key, const GgufValue& v);
    // Sets general.alignment (a power of two).
    void set_alignment(uint32_t alignment);

    // Declares the next tensor; its data is written later with write_tensor_data. Returns the
    // byte size its type and dims imply. Throws GgufError on an unknown type, bad dims, a row not
    // a whole number of blocks, or a duplicate name.
    uint64_t add_tensor(const std::string& name, uint32_t type, const std::vector<uint64_t>& dims);

    // Header, metadata and tensor table as bytes (what begin() writes first).
    std::vector<uint8_t> header_bytes() const;

    // ---- streaming ---------------------------------------------------------------------------
    // Creates the temporary file next to `path` and writes the header. Refuses (GgufError) when
    // `path` exists and !overwrite; no declarations are accepted afterwards.
    void begin(const std::string& path, bool overwrite = false);
    // Appends the next bytes of the current tensor (declaration order); a piece may not run past
    // the end of its tensor. Padding follows each completed tensor automatically.
    void write_tensor_data(const void* data, size_t n);
    // Every declared tensor complete: fsync and rename into place. Throws otherwise.
    void finish();

    size_t n_tensors() const noexcept { return tensors_.size(); }
    uint64_t tensor_bytes(size_t index) const { return tensors_.at(index).n_bytes; }
    uint64_t alignment() const noexcept { return alignment_; }

private:
    struct Tensor {
        std::string name;
        uint32_t type;
        std::vector<uint64_t> dims;
        uint64_t n_bytes;
    };
    void put(const std::string& key, GgufValueType type, std::vector<uint8_t> payload);
    void require_declaring(const char* what) const;
    void pad_to_alignment(uint64_t written);

    std::vector<std::pair<std::string, std::vector<uint8_t>>> kvs_;  // key -> type id + value bytes
    std::vector<Tensor> tensors_;
    uint64_t alignment_ = 32;

    std::unique_ptr<AtomicOutput> out_;  // non-null between begin() and finish()
    bool finished_ = false;
    size_t current_ = 0;        // tensor being written
    uint64_t current_done_ = 0; // its bytes written so far
};

}  // namespace veil
