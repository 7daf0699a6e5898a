#include "weight_store.h"

#include <sys/mman.h>
#include <sys/resource.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "veil/backend_common/engine_errors.h"
#include "veil/engine/llama_kv_cache.h"  // secure_zero
#include "veil/engine/llama_weights.h"
#include "veil/plugin.hpp"

namespace veil::backend_full {
namespace {

constexpr size_t kAlign = 64;

std::string limit_str(rlim_t v) { return v == RLIM_INFINITY ? std::string("unlimited") : std::to_string(v); }

[[noreturn]] void throw_mlock_error(size_t size, int err) {
    std::string msg = "mlock of " + std::to_string(size) + " bytes of weights failed (" + std::strerror(err) + ")";
    struct rlimit rl {};
    if (getrlimit(RLIMIT_MEMLOCK, &rl) == 0)
        msg += "; RLIMIT_MEMLOCK soft " + limit_str(rl.rlim_cur) + " bytes, hard " + limit_str(rl.rlim_max) +
               " bytes: raise it (ulimit -l, systemd LimitMEMLOCK=) or load with \"mlock\":false";
    throw sdk::Error(VEIL_ERR_OUT_OF_MEMORY, msg);
}

}  // namespace

WeightStore::WeightStore(const veil_model_source& source, bool lock, const sdk::Host& host) {
    offsets_.resize(source.n_tensors);
    size_t total = 0;
    for (size_t i = 0; i < source.n_tensors; ++i) {
        const uint64_t n = source.tensors[i].n_bytes;
        if (n > (uint64_t{1} << 46) || total > (size_t{1} << 46))
            throw sdk::Error(VEIL_ERR_INVALID_ARGUMENT, std::string("tensor '") + source.tensors[i].name + "' claims " +
                                                            std::to_string(n) + " bytes");
        offsets_[i] = total;
        total += (static_cast<size_t>(n) + kAlign - 1) / kAlign * kAlign;
    }
    size_ = total == 0 ? kAlign : total;

    // An anonymous mapping: page aligned, and kept out of core dumps because it holds plaintext.
    void* p = mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        throw sdk::Error(VEIL_ERR_OUT_OF_MEMORY, "cannot allocate " + std::to_string(size_) + " bytes for the weights: " +
                                                     std::strerror(errno));
    base_ = static_cast<uint8_t*>(p);
#ifdef MADV_DONTDUMP
    madvise(base_, size_, MADV_DONTDUMP);
#endif
    // Decode streams every weight once per token: 2 MiB pages cut the TLB misses of that sweep.
    // Advisory — without transparent huge pages the store simply uses 4 KiB pages.
    madvise(base_, size_, MADV_HUGEPAGE);

    try {
        // Lock before filling, so that plaintext never sits in pageable memory.
        if (lock) {
            if (mlock(base_, size_) != 0) throw_mlock_error(size_, errno);
            locked_ = true;
        }
        for (size_t i = 0; i < source.n_tensors; ++i) {
            const veil_tensor_desc& d = source.tensors[i];
            if (d.n_bytes == 0) continue;
            uint8_t* dst = base_ + offsets_[i];
            // Read, never copied from the host's file mapping: touched mapping pages and the page
            // cache would stay resident beside this copy and double the model's footprint.
            veil_error* err =
                source.read(source.ctx, i, 0, dst, static_cast<size_t>(d.n_bytes), VEIL_READ_NOCACHE);
            if (err != nullptr) {
                throw sdk::HostError(host, err, VEIL_ERR_IO, std::string("reading tensor '") + d.name + "' (" +
                                                  std::to_string(d.n_bytes) + " bytes) from model '" +
                                                  (source.model_id ? source.model_id : "?") + "' failed");
            }
            backend_common::translate_engine_errors([&] { engine::require_finite(d, dst, 0, d.n_bytes); });
        }
    } catch (...) {
        release();
        throw;
    }
}

WeightStore::~WeightStore() { release(); }

void WeightStore::release() noexcept {
    if (base_ == nullptr) return;
    engine::secure_zero(base_, size_);
    if (locked_) munlock(base_, size_);
    munmap(base_, size_);
    base_ = nullptr;
    locked_ = false;
}

}  // namespace veil::backend_full
