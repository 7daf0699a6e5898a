#include "veil/tee_common/configfs_tsm.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

namespace veil::tee {

std::string tsm_report_dir(const std::string& sys_root) { return sys_root + "/kernel/config/tsm/report"; }

bool tsm_available(const std::string& sys_root) {
    struct stat st;
    return ::stat(tsm_report_dir(sys_root).c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

namespace {

// Removes an entry we created, on every exit path.
struct EntryGuard {
    std::string dir;
    bool owned = false;
    ~EntryGuard() {
        if (owned) ::rmdir(dir.c_str());  // best effort: configfs drops the entry's files itself
    }
};

std::string read_attr(const std::string& path) {
    auto t = read_text(path);
    if (!t) throw sdk::Error(VEIL_ERR_IO, "cannot read " + path + ": " + std::strerror(errno));
    return trim(*t);
}

}  // namespace

TsmReport tsm_get_report(const std::string& sys_root, const std::string& entry_name,
                         const std::string& expected_provider, ByteView report_data64,
                         std::optional<uint32_t> privlevel) {
    if (report_data64.size() != 64) invalid("configfs-tsm inblob must be exactly 64 bytes");
    static std::atomic<uint64_t> counter{0};
    EntryGuard entry;
    std::string name = entry_name.empty()
                           ? "veil-" + std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1))
                           : entry_name;
    entry.dir = tsm_report_dir(sys_root) + "/" + name;
    if (::mkdir(entry.dir.c_str(), 0700) == 0) {
        entry.owned = entry_name.empty();
    } else if (!(errno == EEXIST && !entry_name.empty())) {
        throw sdk::Error(VEIL_ERR_IO, "cannot create configfs-tsm entry " + entry.dir + ": " + std::strerror(errno));
    }

    TsmReport r;
    r.provider = read_attr(entry.dir + "/provider");
    if (r.provider != expected_provider)
        throw sdk::Error(VEIL_ERR_UNSUPPORTED, "configfs-tsm provider is '" + r.provider + "', expected '" +
                                                   expected_provider + "'");
    if (privlevel) {
        std::string lvl = std::to_string(*privlevel);
        write_file(entry.dir + "/privlevel", ByteView(reinterpret_cast<const uint8_t*>(lvl.data()), lvl.size()));
    }
    write_file(entry.dir + "/inblob", report_data64);

    std::string gen_before = read_attr(entry.dir + "/generation");
    auto out = read_file(entry.dir + "/outblob");
    if (!out || out->empty()) throw sdk::Error(VEIL_ERR_IO, "cannot read " + entry.dir + "/outblob (empty or missing)");
    r.outblob = std::move(*out);
    auto aux = read_file(entry.dir + "/auxblob");  // optional: absent when the host has no certs
    if (aux && !aux->empty()) r.auxblob = std::move(*aux);
    std::string gen_after = read_attr(entry.dir + "/generation");
    if (gen_before != gen_after)
        throw sdk::Error(VEIL_ERR_IO, "configfs-tsm generation changed from " + gen_before + " to " + gen_after +
                                          " while reading the report (another writer raced this request)");
    return r;
}

}  // namespace veil::tee
