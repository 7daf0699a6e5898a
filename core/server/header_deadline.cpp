#include "server/header_deadline.h"

#include <sys/socket.h>

#include <algorithm>
#include <utility>

#include <spdlog/spdlog.h>

namespace veil::server {

namespace {

thread_local HeaderDeadline::Scope* t_scope = nullptr;

}  // namespace

HeaderDeadline::HeaderDeadline(Clock::duration limit) : limit_(limit), thread_([this] { watch(); }) {}

HeaderDeadline::~HeaderDeadline() {
    {
        std::lock_guard<std::mutex> lock(mu_);
        stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

HeaderDeadline::Scope::Scope(HeaderDeadline& deadline, int fd, std::string peer)
    : deadline_(deadline), fd_(fd), peer_(std::move(peer)), since_(Clock::now()) {
    std::lock_guard<std::mutex> lock(deadline_.mu_);
    deadline_.scopes_.push_back(this);
    t_scope = this;
}

HeaderDeadline::Scope::~Scope() {
    std::lock_guard<std::mutex> lock(deadline_.mu_);
    deadline_.scopes_.erase(std::find(deadline_.scopes_.begin(), deadline_.scopes_.end(), this));
    t_scope = nullptr;
}

void HeaderDeadline::headers_read() {
    if (t_scope == nullptr) return;
    std::lock_guard<std::mutex> lock(t_scope->deadline_.mu_);
    t_scope->waiting_ = false;
}

void HeaderDeadline::response_sent() {
    if (t_scope == nullptr) return;
    std::lock_guard<std::mutex> lock(t_scope->deadline_.mu_);
    t_scope->waiting_ = true;
    t_scope->since_ = Clock::now();
}

void HeaderDeadline::watch() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!wake_.wait_for(lock, std::chrono::milliseconds(500), [this] { return stop_; })) {
        const auto now = Clock::now();
        for (Scope* s : scopes_) {
            if (!s->waiting_ || s->fd_ < 0 || now - s->since_ <= limit_) continue;
            s->waiting_ = false;  // once
            spdlog::info("closing the connection from {}: no complete request headers within {:.0f}s", s->peer_,
                         std::chrono::duration<double>(limit_).count());
            // Ends the blocked read: Poco then drops the connection and its thread is free.
            ::shutdown(s->fd_, SHUT_RDWR);
        }
    }
}

}  // namespace veil::server
