#include "sealed/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "sealed/seal_error.h"
#include "util/regular_file.h"

namespace veil {

void pread_exact(int fd, void* dst, size_t size, uint64_t offset, const std::string& name) {
    auto* p = static_cast<uint8_t*>(dst);
    size_t done = 0;
    while (done < size) {
        ssize_t n = ::pread(fd, p + done, size - done, static_cast<off_t>(offset + done));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw SealError(name + ": read at byte " + std::to_string(offset + done) + " failed: " + std::strerror(errno));
        if (n == 0)
            throw SealError(name + ": unexpected end of file at byte " + std::to_string(offset + done) + " (truncated?)");
        done += static_cast<size_t>(n);
    }
}

void write_all(int fd, const void* src, size_t size, const std::string& name) {
    const auto* p = static_cast<const uint8_t*>(src);
    size_t done = 0;
    while (done < size) {
        ssize_t n = ::write(fd, p + done, size - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw SealError(name + ": write failed: " + std::strerror(errno));
        done += static_cast<size_t>(n);
    }
}

uint64_t fd_size(int fd, const std::string& name) {
    struct stat st{};
    if (::fstat(fd, &st) != 0) throw SealError(name + ": stat failed: " + std::strerror(errno));
    if (!S_ISREG(st.st_mode)) throw SealError(name + ": not a regular file");
    return static_cast<uint64_t>(st.st_size);
}

Fd::~Fd() {
    if (fd_ >= 0) ::close(fd_);
}

Fd open_readonly(const std::string& path) {
    try {
        return Fd(util::open_regular_file(path));
    } catch (const std::runtime_error& e) {
        throw SealError(e.what());
    }
}

}  // namespace veil
