// Inputs that are not regular files are refused at once: a FIFO used to block the command
// forever (open() waits for a writer).
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <future>

#include "../cli_model/cli_run.h"
#include "../gguf/gguf_test_util.h"
#include "util/regular_file.h"

namespace veil {
namespace {

std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "";
}

TEST(RegularFile, FifoDeviceAndDirectoryAreRefusedWithoutBlocking) {
    test::TempDir dir;
    const std::string fifo = dir.file("model.gguf");
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    // On a thread with a deadline: before the fix, this open never returned.
    auto opened = std::async(std::launch::async, [&] { return error_of([&] { util::open_regular_file(fifo); }); });
    ASSERT_EQ(opened.wait_for(std::chrono::seconds(5)), std::future_status::ready) << "open blocked on a FIFO";
    EXPECT_EQ(opened.get(), fifo + ": not a regular file");
    EXPECT_EQ(error_of([&] { util::require_regular_file(fifo); }), fifo + ": not a regular file");
    EXPECT_EQ(error_of([] { util::open_regular_file("/dev/zero"); }), "/dev/zero: not a regular file");
    EXPECT_EQ(error_of([] { util::open_regular_file("/"); }), "/: not a regular file");
    EXPECT_EQ(error_of([&] { util::open_regular_file(dir.file("missing")); }),
              dir.file("missing") + ": cannot open: No such file or directory");
    EXPECT_EQ(error_of([&] { util::require_regular_file(dir.file("missing")); }), "");  // the reader says it
}

TEST(RegularFile, ARegularFileOpensAndReads) {
    test::TempDir dir;
    const std::string path = dir.write("f.bin", {1, 2, 3});
    const int fd = util::open_regular_file(path);
    uint8_t buf[4] = {};
    EXPECT_EQ(::read(fd, buf, sizeof buf), 3);
    ::close(fd);
}

TEST(RegularFile, CommandsGivenAFifoFailInsteadOfHanging) {
    test::TempDir dir;
    const std::string fifo = dir.file("model.gguf");
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    test::CliRun r = test::run_veil("model inspect " + test::quote(fifo));
    EXPECT_EQ(r.code, 1) << r.out;
    EXPECT_NE(r.out.find("model.gguf: not a regular file"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace veil
