// Progress of a long model write (`veil model quantize/synth`) on stderr: a redrawn bar when
// stderr is a terminal, otherwise a plain line every 10% so logs and CI show it is alive.
// Writes under 64 MiB show nothing.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace veil::cli {

class WriteProgress {
public:
    // `total_bytes` of tensor data will be written to `what` (a file name).
    WriteProgress(std::string what, uint64_t total_bytes);
    ~WriteProgress();  // ends the bar's line
    WriteProgress(const WriteProgress&) = delete;
    WriteProgress& operator=(const WriteProgress&) = delete;

    // `done` bytes written so far; `tensor` is the one being written.
    void update(uint64_t done, const std::string& tensor);

private:
    std::string what_;
    uint64_t total_;
    bool tty_;
    bool drawn_ = false;
    int last_permille_ = -1;
    int last_decile_ = -1;
    std::chrono::steady_clock::time_point start_;
};

}  // namespace veil::cli
