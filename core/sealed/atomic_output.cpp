#include "sealed/atomic_output.h"

#include <fcntl.h>
#include <linux/limits.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <vector>

#include "sealed/file_io.h"
#include "sealed/seal_error.h"

namespace veil {

namespace {

// Temporary files being written, for the signal handler: fixed storage it can read without
// allocating or locking (unlink, sigaction and raise are async-signal-safe).
constexpr int kCleanupSlots = 16;
char g_cleanup_path[kCleanupSlots][PATH_MAX];
std::atomic<bool> g_cleanup_used[kCleanupSlots];
struct sigaction g_previous[3];
constexpr int kCleanupSignals[3] = {SIGINT, SIGTERM, SIGHUP};

void remove_temporaries_and_reraise(int sig) {
    for (int i = 0; i < kCleanupSlots; ++i)
        if (g_cleanup_used[i].load(std::memory_order_acquire)) ::unlink(g_cleanup_path[i]);
    for (int i = 0; i < 3; ++i)
        if (kCleanupSignals[i] == sig) ::sigaction(sig, &g_previous[i], nullptr);
    ::raise(sig);  // what would have happened without us (default: the process ends)
}

// Installs the handler once, for signals whose disposition is still the default (a program that
// handles them itself, like `veil serve`, keeps its own behaviour).
void install_cleanup_handler() {
    static std::once_flag once;
    std::call_once(once, [] {
        for (int i = 0; i < 3; ++i) {
            struct sigaction current {};
            if (::sigaction(kCleanupSignals[i], nullptr, &current) != 0 || current.sa_handler != SIG_DFL) continue;
            struct sigaction action {};
            action.sa_handler = remove_temporaries_and_reraise;
            sigemptyset(&action.sa_mask);
            ::sigaction(kCleanupSignals[i], &action, &g_previous[i]);
        }
    });
}

int register_temporary(const std::string& tmp) {
    if (tmp.size() >= PATH_MAX) return -1;
    install_cleanup_handler();
    static std::mutex mu;
    std::lock_guard<std::mutex> lock(mu);
    for (int i = 0; i < kCleanupSlots; ++i) {
        if (g_cleanup_used[i].load(std::memory_order_acquire)) continue;
        std::memcpy(g_cleanup_path[i], tmp.c_str(), tmp.size() + 1);
        g_cleanup_used[i].store(true, std::memory_order_release);
        return i;
    }
    return -1;  // more files at once than slots: those only get the destructor's cleanup
}

void unregister_temporary(int slot) {
    if (slot >= 0) g_cleanup_used[slot].store(false, std::memory_order_release);
}

std::string gib(uint64_t bytes) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f GiB", static_cast<double>(bytes) / (1024.0 * 1024.0 * 1024.0));
    return buf;
}

}  // namespace

AtomicOutput::AtomicOutput(const std::string& path, bool overwrite, unsigned mode) : path_(path), overwrite_(overwrite) {
    // Fail before any long work when the answer is already known.
    if (!overwrite && ::access(path.c_str(), F_OK) == 0)
        throw SealError(path + " already exists (use --force to replace it)");
    std::string tmpl = path + ".tmp-XXXXXX";
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    fd_ = ::mkstemp(buf.data());
    if (fd_ < 0) throw SealError(path + ": cannot create a temporary file next to it: " + std::strerror(errno));
    tmp_ = buf.data();
    cleanup_slot_ = register_temporary(tmp_);
    ::fchmod(fd_, static_cast<mode_t>(mode));
}

AtomicOutput::~AtomicOutput() {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_ && !tmp_.empty()) ::unlink(tmp_.c_str());
    unregister_temporary(cleanup_slot_);
}

void AtomicOutput::write(const void* data, size_t size) {
    write_all(fd_, data, size, tmp_);
    written_ += size;
}

void AtomicOutput::reserve(uint64_t bytes) {
    // Free space first: a fallocate that fails for want of room may fill the disk before it does.
    struct statvfs fs {};
    if (::fstatvfs(fd_, &fs) == 0) {
        const uint64_t free_bytes = static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
        if (free_bytes < bytes)
            throw SealError(path_ + ": needs " + gib(bytes) + " but its file system has only " + gib(free_bytes) + " free");
    }
    if (::fallocate(fd_, 0, 0, static_cast<off_t>(bytes)) == 0) {
        reserved_ = bytes;
        return;
    }
    const int err = errno;
    if (err == EOPNOTSUPP || err == ENOSYS || err == EINVAL) return;  // no fallocate here: write as usual
    throw SealError(path_ + ": cannot reserve " + gib(bytes) + " for it: " + std::strerror(err));
}

void AtomicOutput::commit() {
    if (reserved_ > written_ && ::ftruncate(fd_, static_cast<off_t>(written_)) != 0)
        throw SealError(tmp_ + ": cannot trim the file to its " + std::to_string(written_) + " bytes: " + std::strerror(errno));
    if (::fsync(fd_) != 0) throw SealError(tmp_ + ": fsync failed: " + std::strerror(errno));
    int rc = ::close(fd_);
    fd_ = -1;
    if (rc != 0) throw SealError(tmp_ + ": close failed: " + std::strerror(errno));
    // RENAME_NOREPLACE closes the window between the constructor's check and now.
    rc = overwrite_ ? ::rename(tmp_.c_str(), path_.c_str())
                    : ::renameat2(AT_FDCWD, tmp_.c_str(), AT_FDCWD, path_.c_str(), RENAME_NOREPLACE);
    if (rc != 0 && errno == EINVAL && !overwrite_) {
        // File systems without RENAME_NOREPLACE: link() also refuses to replace an existing name.
        rc = ::link(tmp_.c_str(), path_.c_str());
        if (rc == 0) ::unlink(tmp_.c_str());
    }
    if (rc != 0) {
        int err = errno;
        if (err == EEXIST) throw SealError(path_ + " already exists (use --force to replace it)");
        throw SealError(path_ + ": cannot rename the finished temporary file into place: " + std::strerror(err));
    }
    committed_ = true;
    unregister_temporary(cleanup_slot_);
    cleanup_slot_ = -1;
    // Make the rename itself durable.
    std::string dir = std::filesystem::path(path_).parent_path().string();
    int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
}

}  // namespace veil
