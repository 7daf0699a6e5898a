// veil model keygen --out FILE [--hex]: a new 256-bit sealing key, readable by its owner only.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>

#include "cli/cmd_model.h"
#include "sealed/file_io.h"
#include "sealed/seal_error.h"
#include "sealed/secure_buffer.h"

namespace veil::cli {

namespace {

int run(const std::vector<std::string>& args) {
    CommandLine cl("model keygen", "--out FILE [--hex]",
                   "Writes a new 256-bit key (OpenSSL RAND_bytes) for sealing models, as 32 raw bytes or, with "
                   "--hex, 64 hex characters and a newline. The file is created with mode 0600; an existing file "
                   "is never replaced.");
    cl.option("out", "o", "FILE", "where to write the key", true).flag("hex", "", "write hex instead of raw bytes");
    if (!cl.parse(args, std::cout)) return 0;
    expect_positional(cl, 0, "no arguments besides --out");
    const std::string path = cl.get("out");
    SealKey key = SealKey::generate();
    // O_EXCL: refusing to overwrite is atomic, so a key in use can never be lost to a typo.
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno == EEXIST) throw SealError(path + " already exists; refusing to overwrite a key file");
        throw SealError(path + ": cannot create: " + std::strerror(errno));
    }
    Fd owner(fd);
    ::fchmod(fd, 0600);  // regardless of umask
    try {
        if (cl.has("hex")) {
            SecureBuffer text(2 * kSealKeyBytes + 1);
            std::string hex = key.to_hex();
            std::memcpy(text.data(), hex.data(), hex.size());
            secure_zero(hex.data(), hex.size());
            text.data()[2 * kSealKeyBytes] = '\n';
            write_all(fd, text.data(), text.size(), path);
        } else {
            write_all(fd, key.bytes(), kSealKeyBytes, path);
        }
        if (::fsync(fd) != 0) throw SealError(path + ": fsync failed: " + std::strerror(errno));
    } catch (...) {
        ::unlink(path.c_str());  // never leave a partial key behind
        throw;
    }
    std::cout << "wrote a 256-bit key to " << path << " (key id " << key.id_hex() << ")\n";
    return 0;
}

}  // namespace

ModelSubcommand model_keygen_subcommand() { return {"keygen", "generate a 256-bit sealing key file (mode 0600)", run}; }

}  // namespace veil::cli
