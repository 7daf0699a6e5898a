// An output file that appears under its final name only when complete: data goes to a temporary
// file next to it (same file system, so the final rename is atomic) which is removed when the
// writer is destroyed without commit(), or when SIGINT, SIGTERM or SIGHUP ends the process while
// it is being written — an interrupted seal or quantize leaves nothing half-written behind.
#pragma once

#include <cstdint>
#include <string>

namespace veil {

class AtomicOutput {
public:
    // Throws SealError when `path` exists and !overwrite (checked again at commit, race-free).
    AtomicOutput(const std::string& path, bool overwrite, unsigned mode);
    ~AtomicOutput();
    AtomicOutput(const AtomicOutput&) = delete;
    AtomicOutput& operator=(const AtomicOutput&) = delete;

    int fd() const noexcept { return fd_; }
    const std::string& path() const noexcept { return path_; }
    void write(const void* data, size_t size);
    // Claims `bytes` of disk for the whole file up front (fallocate; where the file system cannot,
    // a check of its free space), so that a file that cannot fit is refused now, naming the
    // sizes, rather than after minutes of work. commit() trims what was reserved but not written.
    // Throws SealError.
    void reserve(uint64_t bytes);
    // fsync, then rename into place (refusing to replace an existing file unless overwrite).
    void commit();

private:
    std::string path_, tmp_;
    int cleanup_slot_ = -1;  // where the signal handler finds tmp_
    uint64_t written_ = 0, reserved_ = 0;
    bool overwrite_;
    int fd_ = -1;
    bool committed_ = false;
};

}  // namespace veil
