// AtomicOutput: nothing under the final name until commit, and no temporary file left behind —
// not after an error, not when a signal ends the process, not when the disk is too small.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>

#include "../gguf/gguf_test_util.h"
#include "sealed/atomic_output.h"
#include "sealed/seal_error.h"

namespace veil {
namespace {

// Files in `dir` whose name starts with `stem` (the output and its temporaries).
size_t files_starting_with(const std::string& dir, const std::string& stem) {
    size_t n = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir))
        if (e.path().filename().string().rfind(stem, 0) == 0) ++n;
    return n;
}

TEST(AtomicOutput, CommitRenamesAndTrimsWhatWasReservedButNotWritten) {
    test::TempDir dir;
    const std::string path = dir.file("out.bin");
    {
        AtomicOutput out(path, false, 0644);
        out.reserve(1 << 20);
        out.write("abc", 3);
        EXPECT_FALSE(std::filesystem::exists(path));
        out.commit();
    }
    EXPECT_EQ(std::filesystem::file_size(path), 3u);
    EXPECT_EQ(files_starting_with(std::filesystem::path(path).parent_path(), "out.bin"), 1u);
}

TEST(AtomicOutput, AFileLargerThanTheDiskIsRefusedUpFrontNamingTheSizes) {
    test::TempDir dir;
    const std::string path = dir.file("huge.gguf");
    try {
        AtomicOutput out(path, false, 0644);
        out.reserve(uint64_t{1} << 60);  // an exbibyte
        FAIL() << "reserved an exbibyte";
    } catch (const SealError& e) {
        EXPECT_NE(std::string(e.what()).find("huge.gguf: needs 1073741824.00 GiB but its file system has only "),
                  std::string::npos)
            << e.what();
    }
    EXPECT_EQ(files_starting_with(std::filesystem::path(path).parent_path(), "huge.gguf"), 0u);
}

TEST(AtomicOutput, SigtermWhileWritingRemovesTheTemporaryFile) {
    test::TempDir dir;
    const std::string path = dir.file("interrupted.gguf");
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        AtomicOutput out(path, false, 0644);
        out.write("partial", 7);
        ::raise(SIGTERM);
        ::_exit(3);  // not reached: the default action ends the process
    }
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status)) << "status " << status;
    EXPECT_EQ(WTERMSIG(status), SIGTERM);  // the signal still does what it did
    EXPECT_EQ(files_starting_with(std::filesystem::path(path).parent_path(), "interrupted.gguf"), 0u);
}

}  // namespace
}  // namespace veil
