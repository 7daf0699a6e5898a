#include "sealed/atomic_output.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <vector>

#include "sealed/file_io.h"
#include "sealed/seal_error.h"

namespace veil {

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
    ::fchmod(fd_, static_cast<mode_t>(mode));
}

AtomicOutput::~AtomicOutput() {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_ && !tmp_.empty()) ::unlink(tmp_.c_str());
}

void AtomicOutput::write(const void* data, size_t size) { write_all(fd_, data, size, tmp_); }

void AtomicOutput::commit() {
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
    // Make the rename itself durable.
    std::string dir = std::filesystem::path(path_).parent_path().string();
    int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
}

}  // namespace veil
