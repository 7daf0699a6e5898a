#include "cli/model_write_progress.h"

#include <unistd.h>

#include <cstdio>

namespace veil::cli {

WriteProgress::WriteProgress(std::string what, uint64_t total_bytes)
    : what_(std::move(what)), total_(total_bytes), tty_(::isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()) {}

WriteProgress::~WriteProgress() {
    if (drawn_) std::fputc('\n', stderr);
}

void WriteProgress::update(uint64_t done, const std::string& tensor) {
    constexpr uint64_t kLongWrite = 64ull << 20;  // smaller files are written before anyone would look
    if (total_ < kLongWrite) return;
    const int permille = total_ ? static_cast<int>(done * 1000 / total_) : 1000;
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const double mib = static_cast<double>(done) / (1 << 20), total_mib = static_cast<double>(total_) / (1 << 20);
    if (tty_) {
        if (permille == last_permille_) return;  // a terminal write per row batch would be slow
        last_permille_ = permille;
        constexpr int kWidth = 30;
        const int filled = permille * kWidth / 1000;
        std::string bar(static_cast<size_t>(filled), '#');
        bar.append(static_cast<size_t>(kWidth - filled), '.');
        std::fprintf(stderr, "\rwriting [%s] %5.1f%%  %.0f / %.0f MiB  %.0fs  %-28.28s", bar.c_str(), permille / 10.0, mib,
                     total_mib, secs, tensor.c_str());
        std::fflush(stderr);
        drawn_ = true;
        return;
    }
    const int decile = permille / 100;
    if (decile == last_decile_) return;
    last_decile_ = decile;
    std::fprintf(stderr, "%s: %d%% (%.0f / %.0f MiB, %.0fs)\n", what_.c_str(), decile * 10, mib, total_mib, secs);
    std::fflush(stderr);
}

}  // namespace veil::cli
