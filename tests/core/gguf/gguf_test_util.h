// Helpers for GGUF tests: a byte builder for hand-made (often hostile) files and a temp folder.
#pragma once

#include <stdlib.h>  // mkdtemp
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace veil::test {

inline std::string testdata(const std::string& rel) { return std::string(VEIL_TESTDATA_DIR) + "/" + rel; }

struct Bytes {
    std::vector<uint8_t> b;
    size_t pos() const { return b.size(); }
    template <typename T>
    Bytes& put(T v) {
        uint8_t x[sizeof(T)];
        std::memcpy(x, &v, sizeof v);
        b.insert(b.end(), x, x + sizeof v);
        return *this;
    }
    Bytes& u32(uint32_t v) { return put(v); }
    Bytes& u64(uint64_t v) { return put(v); }
    Bytes& str(std::string_view s) {
        u64(s.size());
        b.insert(b.end(), s.begin(), s.end());
        return *this;
    }
    Bytes& pad_to(size_t align) {
        while (b.size() % align) b.push_back(0);
        return *this;
    }
    Bytes& zeros(size_t n) {
        b.resize(b.size() + n, 0);
        return *this;
    }
    // "GGUF", version, n_tensors, n_kv
    static Bytes header(uint64_t n_tensors, uint64_t n_kv, uint32_t version = 3) {
        Bytes x;
        x.b = {'G', 'G', 'U', 'F'};
        return std::move(x.u32(version).u64(n_tensors).u64(n_kv));
    }
};

// A fresh scratch folder, removed by the destructor. mkdtemp, not a name made of the pid: a test
// that aborted (ASan's abort_on_error) left its folder behind, and a later process given the
// same pid found the old files in "its" folder.
class TempDir {
public:
    TempDir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "veil-test-XXXXXX").string();
        if (::mkdtemp(tmpl.data()) == nullptr)
            throw std::runtime_error("mkdtemp " + tmpl + ": " + std::strerror(errno));
        path_ = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    std::string file(const std::string& name) const { return (path_ / name).string(); }
    std::string write(const std::string& name, const std::vector<uint8_t>& bytes) const {
        std::string p = file(name);
        std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
        return p;
    }

private:
    std::filesystem::path path_;
};

inline std::vector<uint8_t> read_all(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

}  // namespace veil::test
