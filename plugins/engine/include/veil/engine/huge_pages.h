// Transparent huge pages for large arrays the engine walks in scattered runs (the KV cache).
#pragma once

#include <cstddef>

namespace veil::engine {

// Asks the kernel to back the whole 2 MiB pages inside [p, p + bytes) with huge pages (MADV_HUGEPAGE;
// advice: ignored without transparent huge pages). Only the 2 MiB-aligned interior is advised, so
// a huge page never covers memory outside the array, and the caller must touch that interior
// anyway (a huge page is committed whole on first touch). Call before first touching the array.
void advise_huge_pages(void* p, size_t bytes) noexcept;

}  // namespace veil::engine
