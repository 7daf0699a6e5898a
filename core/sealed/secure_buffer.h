// Memory for secrets (keys, derived keys): its own pages, locked against swapping (mlock),
// excluded from core dumps (MADV_DONTDUMP) and zeroized before it is unmapped.
//
// When mlock fails because RLIMIT_MEMLOCK is too small the buffer still works (a secret in
// swappable memory beats refusing to run) and a warning names the limit, once per process.
#pragma once

#include <cstddef>
#include <cstdint>

namespace veil {

class SecureBuffer {
public:
    explicit SecureBuffer(size_t size);
    ~SecureBuffer();
    SecureBuffer(const SecureBuffer&) = delete;
    SecureBuffer& operator=(const SecureBuffer&) = delete;

    uint8_t* data() noexcept { return data_; }
    const uint8_t* data() const noexcept { return data_; }
    size_t size() const noexcept { return size_; }
    bool locked() const noexcept { return locked_; }

private:
    uint8_t* data_ = nullptr;
    size_t size_ = 0;
    size_t mapped_ = 0;
    bool locked_ = false;
};

// Heap memory for plaintext weights (one chunk): not locked — plaintext chunks are handed to
// backends anyway — but wiped before it is freed so released memory holds no weights.
class PlainBuffer {
public:
    explicit PlainBuffer(size_t size);
    ~PlainBuffer();
    PlainBuffer(const PlainBuffer&) = delete;
    PlainBuffer& operator=(const PlainBuffer&) = delete;
    uint8_t* data() noexcept { return data_; }
    size_t size() const noexcept { return size_; }

private:
    uint8_t* data_;
    size_t size_;
};

// Zeroizes `size` bytes in a way the compiler may not elide (OPENSSL_cleanse).
void secure_zero(void* p, size_t size) noexcept;

}  // namespace veil
