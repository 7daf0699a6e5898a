#include "sealed/secure_buffer.h"

#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <new>
#include <string>

#include <openssl/crypto.h>
#include <spdlog/spdlog.h>

namespace veil {

namespace {

std::string memlock_limit_text() {
    rlimit rl{};
    if (::getrlimit(RLIMIT_MEMLOCK, &rl) != 0) return "unknown";
    if (rl.rlim_cur == RLIM_INFINITY) return "unlimited";
    return std::to_string(rl.rlim_cur) + " bytes";
}

void warn_mlock_failed(int err) {
    // Once per process: every key would otherwise repeat the same advice.
    static std::atomic<bool> warned{false};
    if (warned.exchange(true)) return;
    spdlog::warn("cannot lock key memory (mlock: {}); RLIMIT_MEMLOCK is {}. Keys stay usable but may be "
                 "swapped to disk; raise the limit (ulimit -l, LimitMEMLOCK= in systemd) to keep them in RAM",
                 std::strerror(err), memlock_limit_text());
}

}  // namespace

void secure_zero(void* p, size_t size) noexcept {
    if (p && size) OPENSSL_cleanse(p, size);
}

SecureBuffer::SecureBuffer(size_t size) : size_(size) {
    const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
    mapped_ = (size == 0 ? 1 : (size + page - 1) / page) * page;
    // A private anonymous mapping: pages nobody else shares, so locking and zeroizing cover
    // exactly the secret and nothing of the heap.
    void* p = ::mmap(nullptr, mapped_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    data_ = static_cast<uint8_t*>(p);
    ::madvise(p, mapped_, MADV_DONTDUMP);
    if (::mlock(p, mapped_) == 0)
        locked_ = true;
    else
        warn_mlock_failed(errno);
}

SecureBuffer::~SecureBuffer() {
    if (!data_) return;
    secure_zero(data_, mapped_);
    if (locked_) ::munlock(data_, mapped_);
    ::munmap(data_, mapped_);
}

PlainBuffer::PlainBuffer(size_t size) : data_(new uint8_t[size == 0 ? 1 : size]), size_(size) {}

PlainBuffer::~PlainBuffer() {
    secure_zero(data_, size_);
    delete[] data_;
}

}  // namespace veil
