// backend_stream's budget, measured from outside the plugin: the process's peak RSS growth
// (VmHWM, reset through /proc/self/clear_refs) and, when a memory cgroup can be created, the
// cgroup's peak usage with the page cache counted. Each case runs in a forked child so the
// measurement covers only the load and the generation. The child first does one identical
// warm-up run, so that what is measured is what the model holds, not the one-time cost of
// faulting in the plugin's code pages and the allocator's per-thread arenas.
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>

#include "stream_fixture.h"

namespace veil::test {
namespace {

const std::vector<int32_t> kPrompt = {1, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50};

uint64_t status_kib(const std::string& key) {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(key + ":", 0) == 0) return std::stoull(line.substr(key.size() + 1));
    return 0;
}

// Loads at `budget`, generates, and returns 0 when all went well; runs in the child.
int load_and_generate(const veil_model_source& src, uint64_t budget) {
    LoadedModel model;
    Err e = stream_plugin().load(src, budget_json(budget), model);
    if (!e.ok) return 3;
    try {
        greedy_logits(stream_plugin(), model, kPrompt, 16);
    } catch (...) {
        return 4;
    }
    return 0;
}

int wait_child(pid_t pid) {
    int status = 0;
    if (waitpid(pid, &status, 0) != pid) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string model_path() { return (testdata_dir() / "models" / "synth-d256-F16.gguf").string(); }

uint64_t min_budget_of(const std::string& path) {
    auto gguf = open_gguf(path);
    return minimum_budget(*gguf->abi());
}

TEST(BackendStreamMemory, PeakRssGrowthStaysUnderTheBudget) {
#if defined(__SANITIZE_ADDRESS__)
    GTEST_SKIP() << "AddressSanitizer's shadow memory and quarantine inflate RSS by design";
#endif
    const std::string path = model_path();
    const uint64_t budget = min_budget_of(path) + (64u << 10);  // just above the minimum
    stream_plugin();  // dlopen before the baseline: code pages are not the backend's to account
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        close(fds[0]);
        auto gguf = open_gguf(path);
        if (load_and_generate(*gguf->abi(), budget) != 0) _exit(7);  // warm-up
        { std::ofstream("/proc/self/clear_refs") << "5"; }  // resets VmHWM to the current RSS
        const uint64_t base = status_kib("VmRSS");
        const int rc = load_and_generate(*gguf->abi(), budget);
        const uint64_t growth = (status_kib("VmHWM") - base) * 1024;
        if (write(fds[1], &growth, sizeof growth) != sizeof growth) _exit(5);
        _exit(rc);
    }
    close(fds[1]);
    uint64_t growth = 0;
    const bool got = read(fds[0], &growth, sizeof growth) == sizeof growth;
    close(fds[0]);
    ASSERT_EQ(wait_child(pid), 0);
    ASSERT_TRUE(got);
    std::printf("[vmhwm] budget %llu bytes, peak RSS growth %llu bytes\n", static_cast<unsigned long long>(budget),
                static_cast<unsigned long long>(growth));
    EXPECT_LE(growth, budget);
}

// A fresh memory cgroup (v2 when it offers the memory controller, else v1) for one child.
class MemoryCgroup {
public:
    static std::optional<MemoryCgroup> create(uint64_t limit) {
        namespace fs = std::filesystem;
        const std::string name = "veil-stream-test-" + std::to_string(getpid());
        std::error_code ec;
        std::ifstream controllers("/sys/fs/cgroup/cgroup.controllers");
        std::string line;
        if (controllers && std::getline(controllers, line) && line.find("memory") != std::string::npos) {
            MemoryCgroup g{"/sys/fs/cgroup/" + name, "memory.max", "memory.peak"};
            if (fs::create_directory(g.dir_, ec) && g.write(g.limit_file_, std::to_string(limit))) return g;
        }
        if (fs::exists("/sys/fs/cgroup/memory/memory.limit_in_bytes")) {
            MemoryCgroup g{"/sys/fs/cgroup/memory/" + name, "memory.limit_in_bytes", "memory.max_usage_in_bytes"};
            if (fs::create_directory(g.dir_, ec) && g.write(g.limit_file_, std::to_string(limit))) return g;
        }
        return std::nullopt;
    }
    MemoryCgroup(MemoryCgroup&& o) noexcept : dir_(std::move(o.dir_)), limit_file_(o.limit_file_), peak_file_(o.peak_file_) {
        o.dir_.clear();
    }
    ~MemoryCgroup() {
        if (!dir_.empty()) rmdir(dir_.c_str());
    }
    bool add(pid_t pid) const { return write("cgroup.procs", std::to_string(pid)); }
    uint64_t peak() const {
        std::ifstream in(dir_ + "/" + peak_file_);
        uint64_t v = 0;
        in >> v;
        return v;
    }
    const std::string& dir() const { return dir_; }

private:
    MemoryCgroup(std::string dir, std::string limit_file, std::string peak_file)
        : dir_(std::move(dir)), limit_file_(std::move(limit_file)), peak_file_(std::move(peak_file)) {}
    bool write(const std::string& file, const std::string& value) const {
        std::ofstream out(dir_ + "/" + file);
        out << value;
        out.flush();
        return static_cast<bool>(out);
    }
    std::string dir_, limit_file_, peak_file_;
};

TEST(BackendStreamMemory, CgroupPeakWithPageCacheStaysUnderTheBudget) {
#if defined(__SANITIZE_ADDRESS__)
    GTEST_SKIP() << "AddressSanitizer's shadow memory and quarantine inflate memory use by design";
#endif
    const std::string path = model_path();
    const uint64_t budget = min_budget_of(path) + (64u << 10);
    stream_plugin();
    // The limit leaves room above the budget so a breach shows as a number, not as an OOM kill.
    auto cg = MemoryCgroup::create(budget + (64u << 20));
    if (!cg) GTEST_SKIP() << "cannot create a memory cgroup here (not root, or no memory controller)";
    int go[2], warm[2];
    ASSERT_EQ(pipe(go), 0);
    ASSERT_EQ(pipe(warm), 0);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        close(go[1]);
        close(warm[0]);
        auto gguf = open_gguf(path);
        if (load_and_generate(*gguf->abi(), budget) != 0) _exit(7);  // warm-up, outside the cgroup
        if (::write(warm[1], "w", 1) != 1) _exit(8);
        char c;
        if (read(go[0], &c, 1) != 1) _exit(6);  // wait until the parent moved us into the cgroup
        _exit(load_and_generate(*gguf->abi(), budget));
    }
    close(go[0]);
    close(warm[1]);
    char w;
    ASSERT_EQ(read(warm[0], &w, 1), 1);
    close(warm[0]);
    const bool added = cg->add(pid);
    ASSERT_EQ(::write(go[1], "x", 1), 1);
    close(go[1]);
    ASSERT_EQ(wait_child(pid), 0);
    ASSERT_TRUE(added) << "could not move the child into " << cg->dir();
    const uint64_t peak = cg->peak();
    std::printf("[cgroup] %s: budget %llu bytes, peak %llu bytes (page cache included)\n", cg->dir().c_str(),
                static_cast<unsigned long long>(budget), static_cast<unsigned long long>(peak));
    EXPECT_GT(peak, 0u);
    EXPECT_LE(peak, budget);
}

}  // namespace
}  // namespace veil::test
