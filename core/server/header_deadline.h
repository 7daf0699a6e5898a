// A deadline for each request's line and headers, against slow clients ("slowloris").
//
// Poco's timeout bounds each read, not a request: a client that sends a byte every few seconds
// holds a server thread for as long as it likes, and a few dozen such clients hold every thread,
// so the server stops answering anyone. HeaderDeadline gives each request's line and headers a
// deadline, counted from the connection's start or from the end of the previous response (the
// keep-alive wait counts too), and shuts down the connections that miss it — what nginx's
// client_header_timeout does. Request bodies have their own bound (read_body).
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace veil::server {

class HeaderDeadline {
public:
    using Clock = std::chrono::steady_clock;

    // Starts the watchdog thread, which checks twice a second.
    explicit HeaderDeadline(Clock::duration limit);
    ~HeaderDeadline();
    HeaderDeadline(const HeaderDeadline&) = delete;
    HeaderDeadline& operator=(const HeaderDeadline&) = delete;

    // Watches the connection the calling thread serves, for the scope's life. `fd` is a
    // descriptor of its socket that stays open until the scope ends (a dup: the connection's own
    // may be closed, and its number reused, while the scope still lives); `peer` is for the log.
    class Scope {
    public:
        Scope(HeaderDeadline& deadline, int fd, std::string peer);
        ~Scope();
        Scope(const Scope&) = delete;
        Scope& operator=(const Scope&) = delete;

    private:
        friend class HeaderDeadline;
        HeaderDeadline& deadline_;
        const int fd_;
        const std::string peer_;
        Clock::time_point since_;
        bool waiting_ = true;  // for a request's line and headers
    };

    // On a watched connection's thread (no-ops elsewhere): the request's headers are in; its
    // response is out, and the deadline for the next request starts now.
    static void headers_read();
    static void response_sent();

private:
    void watch();

    const Clock::duration limit_;
    std::mutex mu_;
    std::condition_variable wake_;
    bool stop_ = false;
    std::vector<Scope*> scopes_;
    std::thread thread_;  // last: starts once the rest is set up
};

}  // namespace veil::server
