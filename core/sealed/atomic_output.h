// An output file that appears under its final name only when complete: data goes to a temporary
// file next to it (same file system, so the final rename is atomic) which is removed when the
// writer is destroyed without commit() — an interrupted seal leaves nothing half-written.
#pragma once

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
    // fsync, then rename into place (refusing to replace an existing file unless overwrite).
    void commit();

private:
    std::string path_, tmp_;
    bool overwrite_;
    int fd_ = -1;
    bool committed_ = false;
};

}  // namespace veil
