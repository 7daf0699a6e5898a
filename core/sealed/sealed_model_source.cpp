#include "sealed/sealed_model_source.h"

#include <fcntl.h>

#include <algorithm>
#include <cstring>
#include <filesystem>

#include "sealed/seal_error.h"
#include "sealed/secure_buffer.h"

namespace veil {

std::unique_ptr<SealedModelSource> SealedModelSource::open(const std::string& path, const SealKey& key,
                                                           ErrorFactory make_error) {
    if (!make_error) throw std::invalid_argument("SealedModelSource::open: no error factory given");
    std::unique_ptr<SealedModelSource> s(new SealedModelSource());
    s->sealed_ = SealedFile::open(path, key);
    const SealHeader& h = s->sealed_->header();
    const auto& region = s->sealed_->gguf_header();
    s->gguf_ = GgufFile::parse_header_region(region.data(), region.size(), h.plaintext_size, path);
    // The sealer cut the file exactly at the data section; anything else is not our layout.
    if (s->gguf_->data_offset() != h.gguf_header_len)
        throw SealError(path + ": the GGUF header region is " + std::to_string(h.gguf_header_len) +
                        " bytes but its data section starts at byte " + std::to_string(s->gguf_->data_offset()));
    s->make_error_ = std::move(make_error);
    s->model_id_ = std::filesystem::path(path).stem().string();

    s->view_ = std::make_unique<GgufSourceView>(*s->gguf_);

    veil_model_source& a = s->abi_;
    a.struct_size = sizeof(veil_model_source);
    a.ctx = s.get();
    a.model_id = s->model_id_.c_str();
    a.n_tensors = s->view_->tensors().size();
    a.tensors = s->view_->tensors().empty() ? nullptr : s->view_->tensors().data();
    a.meta_get = &ModelSourceSlots<SealedModelSource>::meta_get;
    a.read = &ModelSourceSlots<SealedModelSource>::read;
    a.map = nullptr;  // plaintext exists only in what read() hands out
    return s;
}

SealedModelSource::Stats SealedModelSource::stats() const noexcept {
    Stats st;
    st.reads = reads_.load(std::memory_order_relaxed);
    st.chunks_decrypted = sealed_->chunks_decrypted();
    st.bytes_returned = bytes_returned_.load(std::memory_order_relaxed);
    return st;
}

veil_error* SealedModelSource::read(size_t tensor_index, uint64_t offset, void* dst, size_t size, uint32_t flags) const {
    if (auto error = view_->read_error(model_id_, tensor_index, offset, size, dst))
        return make_error_(VEIL_ERR_INVALID_ARGUMENT, *error);
    const veil_tensor_desc& d = view_->tensors()[tensor_index];
    if (size == 0) return nullptr;
    try {
        read_data(d.offset + offset, static_cast<uint8_t*>(dst), size, (flags & VEIL_READ_NOCACHE) != 0);
    } catch (const SealError& e) {
        // Whatever was already decrypted into dst belongs to a read that failed: wipe it.
        secure_zero(dst, size);
        return make_error_(VEIL_ERR_VERIFICATION, std::string("tensor '") + d.name + "': " + e.what());
    }
    reads_.fetch_add(1, std::memory_order_relaxed);
    bytes_returned_.fetch_add(size, std::memory_order_relaxed);
    return nullptr;
}

void SealedModelSource::read_data(uint64_t begin, uint8_t* dst, size_t size, bool nocache) const {
    const SealHeader& h = sealed_->header();
    const uint64_t cs = h.chunk_size;
    const uint64_t end = begin + size;
    // Each read has its own cipher context: concurrent reads share nothing but the descriptor.
    GcmCipher cipher;
    std::unique_ptr<PlainBuffer> partial;
    for (uint64_t i = begin / cs; i <= (end - 1) / cs; ++i) {
        const uint64_t chunk_begin = i * cs;
        const uint64_t chunk_len = h.chunk_plain_len(i);
        const uint64_t lo = std::max(begin, chunk_begin);
        const uint64_t hi = std::min(end, chunk_begin + chunk_len);
        uint8_t* to = dst + (lo - begin);
        if (lo == chunk_begin && hi == chunk_begin + chunk_len) {
            sealed_->decrypt_chunk(i, to, cipher);  // whole chunk wanted: decrypt straight into dst
        } else {
            if (!partial) partial = std::make_unique<PlainBuffer>(static_cast<size_t>(cs));
            sealed_->decrypt_chunk(i, partial->data(), cipher);
            std::memcpy(to, partial->data() + (lo - chunk_begin), static_cast<size_t>(hi - lo));
        }
    }
    if (nocache) {
        // Ciphertext is not secret, but a streaming backend asked not to grow the page cache.
        const uint64_t from = h.chunk_file_offset(begin / cs);
        const uint64_t to = h.chunk_file_offset((end - 1) / cs) + h.chunk_plain_len((end - 1) / cs) + kGcmTagBytes;
        ::posix_fadvise(sealed_->fd(), static_cast<off_t>(from), static_cast<off_t>(to - from), POSIX_FADV_DONTNEED);
    }
}

}  // namespace veil
