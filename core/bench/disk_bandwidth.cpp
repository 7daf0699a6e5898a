#include "bench/disk_bandwidth.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>

namespace veil::bench {
namespace {

constexpr size_t kRequest = 4u << 20;  // a multiple of every logical block size O_DIRECT requires
constexpr size_t kAlign = 4096;

class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }

private:
    int fd_;
};

std::runtime_error io_error(const std::string& what, const std::string& path) {
    return std::runtime_error("disk bandwidth probe: " + what + " " + path + ": " + std::strerror(errno));
}

struct FreeDeleter {
    void operator()(void* p) const { std::free(p); }
};

// One pass: reads from 0 in kRequest pieces until at least `bytes` (or end of file); returns the
// bytes read. nullopt when the first O_DIRECT read is refused (EINVAL), so the caller can fall back.
std::optional<uint64_t> read_pass(int fd, uint64_t bytes, void* buf, const std::string& path) {
    uint64_t off = 0;
    while (off < bytes) {
        // Whole aligned requests even at the end: O_DIRECT needs aligned sizes; the short read at
        // end of file is fine.
        ssize_t n = ::pread(fd, buf, kRequest, static_cast<off_t>(off));
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EINVAL && off == 0) return std::nullopt;
            throw io_error("reading", path);
        }
        if (n == 0) break;
        off += static_cast<uint64_t>(n);
    }
    return off;
}

}  // namespace

DiskBandwidth measure_file_read_bandwidth(const std::string& path, uint64_t max_bytes, unsigned passes) {
    if (passes == 0) throw std::invalid_argument("disk bandwidth probe: passes must be at least 1");
    struct stat st{};
    if (::stat(path.c_str(), &st) != 0) throw io_error("cannot stat", path);
    const uint64_t bytes = std::min<uint64_t>(static_cast<uint64_t>(st.st_size), max_bytes);
    if (bytes == 0) throw std::invalid_argument("disk bandwidth probe: " + path + " is empty");

    std::unique_ptr<void, FreeDeleter> buf(std::aligned_alloc(kAlign, kRequest));
    if (!buf) throw std::bad_alloc();

    DiskBandwidth r;
    r.passes = passes;
    r.method = "O_DIRECT";
    auto fd = std::make_unique<Fd>(::open(path.c_str(), O_RDONLY | O_DIRECT | O_CLOEXEC));
    if (fd->get() < 0 && errno != EINVAL) throw io_error("cannot open", path);
    if (fd->get() < 0 || !read_pass(fd->get(), 1, buf.get(), path)) {
        r.method = "fadvise";
        fd = std::make_unique<Fd>(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
        if (fd->get() < 0) throw io_error("cannot open", path);
    }

    double best = 0;
    for (unsigned p = 0; p < passes; ++p) {
        if (r.method == "fadvise") ::posix_fadvise(fd->get(), 0, 0, POSIX_FADV_DONTNEED);
        const auto t0 = std::chrono::steady_clock::now();
        const uint64_t got = read_pass(fd->get(), bytes, buf.get(), path).value_or(0);
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        r.bytes = got;
        if (s > 0) best = std::max(best, static_cast<double>(got) / s);
    }
    r.bytes_per_s = best;
    return r;
}

}  // namespace veil::bench
