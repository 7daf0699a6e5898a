// Whole-buffer pread/write on descriptors (retrying EINTR and short transfers), with errors that
// name the file. Sealed-model code reads by offset so concurrent readers can share one fd.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace veil {

// Reads exactly `size` bytes at `offset`; throws SealError ("<name>: ... unexpected end of file").
void pread_exact(int fd, void* dst, size_t size, uint64_t offset, const std::string& name);
void write_all(int fd, const void* src, size_t size, const std::string& name);
// Size of the file behind `fd`; throws SealError.
uint64_t fd_size(int fd, const std::string& name);

// A file descriptor closed by the destructor.
class Fd {
public:
    explicit Fd(int fd = -1) noexcept : fd_(fd) {}
    ~Fd();
    Fd(Fd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
    Fd& operator=(Fd&&) = delete;
    Fd(const Fd&) = delete;
    int get() const noexcept { return fd_; }

private:
    int fd_;
};

// Opens `path` read-only; throws SealError naming it.
Fd open_readonly(const std::string& path);

}  // namespace veil
