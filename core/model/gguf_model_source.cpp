#include "model/gguf_model_source.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace veil {

std::unique_ptr<GgufModelSource> GgufModelSource::open(const std::string& path, ErrorFactory make_error) {
    if (!make_error) throw std::invalid_argument("GgufModelSource::open: no error factory given");
    std::unique_ptr<GgufModelSource> s(new GgufModelSource());
    s->file_ = GgufFile::open(path);
    s->make_error_ = std::move(make_error);
    s->path_ = path;
    s->model_id_ = std::filesystem::path(path).stem().string();

    s->view_ = std::make_unique<GgufSourceView>(*s->file_);

    s->fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (s->fd_ < 0) throw GgufError(path + ": cannot open: " + std::strerror(errno));
    s->direct_fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_DIRECT);  // tmpfs and some FS refuse

    veil_model_source& a = s->abi_;
    a.struct_size = sizeof(veil_model_source);
    a.ctx = s.get();
    a.model_id = s->model_id_.c_str();
    a.n_tensors = s->view_->tensors().size();
    a.tensors = s->view_->tensors().empty() ? nullptr : s->view_->tensors().data();
    a.meta_get = &ModelSourceSlots<GgufModelSource>::meta_get;
    a.read = &ModelSourceSlots<GgufModelSource>::read;
    a.map = &GgufModelSource::map_slot;
    return s;
}

GgufModelSource::~GgufModelSource() {
    if (fd_ >= 0) ::close(fd_);
    if (direct_fd_ >= 0) ::close(direct_fd_);
}

veil_error* GgufModelSource::read(size_t tensor_index, uint64_t offset, void* dst, size_t size, uint32_t flags) const {
    if (auto error = view_->read_error(model_id_, tensor_index, offset, size, dst))
        return make_error_(VEIL_ERR_INVALID_ARGUMENT, *error);
    const veil_tensor_desc& d = view_->tensors()[tensor_index];
    if (size == 0) return nullptr;
    const uint64_t file_offset = file_->data_offset() + d.offset + offset;
    if (flags & VEIL_READ_NOCACHE) {
        std::string err;
        if (!read_nocache(file_offset, dst, size, err))
            return make_error_(VEIL_ERR_IO, path_ + ": read of tensor '" + d.name + "' failed: " + err);
        return nullptr;
    }
    std::memcpy(dst, file_->file_data() + file_offset, size);
    return nullptr;
}

bool GgufModelSource::read_nocache(uint64_t file_offset, void* dst, size_t size, std::string& err) const {
    // O_DIRECT needs offset, length and buffer aligned to the device's logical block size; 4096
    // covers every common device. Otherwise read normally and ask the kernel to drop the pages.
    constexpr uint64_t kDirectAlign = 4096;
    // Reads through the page cache go in pieces, each dropped right after: the cache never holds
    // more than one piece of the model, which matters when it counts against the memory budget.
    constexpr size_t kPiece = size_t{4} << 20;
    auto pread_all = [&](int fd, uint64_t off, uint8_t* p, size_t n) -> bool {
        size_t done = 0;
        while (done < n) {
            ssize_t got = ::pread(fd, p + done, n - done, static_cast<off_t>(off + done));
            if (got < 0 && errno == EINTR) continue;
            if (got <= 0) {
                err = got == 0 ? std::string("unexpected end of file") : std::string(std::strerror(errno));
                return false;
            }
            done += static_cast<size_t>(got);
        }
        return true;
    };
    auto* out = static_cast<uint8_t*>(dst);
    if (direct_fd_ >= 0) {
        if (file_offset % kDirectAlign == 0 && size % kDirectAlign == 0 &&
            reinterpret_cast<uintptr_t>(dst) % kDirectAlign == 0 && pread_all(direct_fd_, file_offset, out, size))
            return true;
        if (read_direct_bounced(file_offset, out, size)) return true;
        // Fall through: some file systems accept O_DIRECT at open but refuse the read (EINVAL).
    }
    for (size_t done = 0; done < size;) {
        const size_t n = std::min(kPiece, size - done);
        const uint64_t off = file_offset + done;
        if (!pread_all(fd_, off, out + done, n)) return false;
        // Whole pages: the kernel keeps partially covered pages, which small reads (one embedding
        // row per token) would otherwise leave behind, one page per distinct token.
        const uint64_t page_begin = off / kDirectAlign * kDirectAlign;
        const uint64_t page_end = (off + n + kDirectAlign - 1) / kDirectAlign * kDirectAlign;
        ::posix_fadvise(fd_, static_cast<off_t>(page_begin), static_cast<off_t>(page_end - page_begin), POSIX_FADV_DONTNEED);
        done += n;
    }
    return true;
}

bool GgufModelSource::read_direct_bounced(uint64_t file_offset, uint8_t* dst, size_t size) const {
    // Tensors sit at 32-byte offsets in GGUF files, so O_DIRECT rarely applies to the caller's
    // buffer directly: read the enclosing aligned blocks into a per-thread aligned buffer and
    // copy the wanted bytes out. Nothing goes through the page cache.
    constexpr uint64_t kAlign = 4096;
    constexpr size_t kBounce = size_t{4} << 20;
    struct Bounce {
        uint8_t* p = static_cast<uint8_t*>(std::aligned_alloc(kAlign, kBounce));
        ~Bounce() { std::free(p); }
    };
    thread_local Bounce bounce;
    if (bounce.p == nullptr) return false;
    const uint64_t begin = file_offset / kAlign * kAlign;
    const uint64_t end = (file_offset + size + kAlign - 1) / kAlign * kAlign;
    for (uint64_t pos = begin; pos < end; pos += kBounce) {
        const size_t want = static_cast<size_t>(std::min<uint64_t>(kBounce, end - pos));
        size_t got = 0;
        while (got < want) {  // a short read is only legitimate at the end of the file
            ssize_t n = ::pread(direct_fd_, bounce.p + got, want - got, static_cast<off_t>(pos + got));
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) return false;
            if (n == 0) break;
            got += static_cast<size_t>(n);
        }
        const uint64_t from = std::max(pos, file_offset);
        const uint64_t to = std::min<uint64_t>(pos + want, file_offset + size);
        if (pos + got < to) return false;
        std::memcpy(dst + (from - file_offset), bounce.p + (from - pos), static_cast<size_t>(to - from));
    }
    return true;
}

const void* GgufModelSource::map_slot(void* ctx, size_t tensor_index) noexcept {
    const auto* self = static_cast<const GgufModelSource*>(ctx);
    if (!self || tensor_index >= self->view_->tensors().size()) return nullptr;
    return self->file_->tensor_data(self->file_->tensors()[tensor_index]);
}

}  // namespace veil
