// Measured sequential read bandwidth of a file from storage (not the page cache): the denominator
// of backend_stream's roofline, which reads weights from the model file every token.
#pragma once

#include <cstdint>
#include <string>

namespace veil::bench {

struct DiskBandwidth {
    double bytes_per_s = 0;  // best pass
    uint64_t bytes = 0;      // read per pass (whole 4 MiB requests, so up to 4 MiB past max_bytes)
    unsigned passes = 0;
    std::string method;      // "O_DIRECT", or "fadvise" when the filesystem refuses O_DIRECT
};

// Reads the first min(file size, max_bytes) bytes of `path` in 4 MiB requests from one thread —
// as a streaming backend's I/O thread does — `passes` times, keeping the best pass. With
// O_DIRECT the page cache is bypassed; otherwise the file's cached pages are dropped
// (POSIX_FADV_DONTNEED) before each pass, which cannot evict pages other processes map (then the
// figure is optimistic). Throws std::runtime_error naming the file on open/read errors, and
// std::invalid_argument for an empty file or passes == 0.
DiskBandwidth measure_file_read_bandwidth(const std::string& path, uint64_t max_bytes, unsigned passes);

}  // namespace veil::bench
