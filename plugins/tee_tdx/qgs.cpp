#include "qgs.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <linux/vm_sockets.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace veil::tee::tdx {

static_assert(sizeof(TdxReportReq) == 1088);

namespace {
constexpr size_t kHeaderSize = 16;
constexpr size_t kMaxMessage = 1 << 20;  // quotes are ~5-8 KiB; refuse absurd sizes

struct Fd {
    int fd;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

void io_error(const std::string& what) { throw sdk::Error(VEIL_ERR_IO, what + ": " + std::strerror(errno)); }
}  // namespace

Bytes build_qgs_get_quote_request(ByteView tdreport) {
    Bytes msg;
    append_le16(msg, 1);  // major
    append_le16(msg, 0);  // minor
    append_le32(msg, kQgsGetQuoteReq);
    append_le32(msg, static_cast<uint32_t>(kHeaderSize + 8 + tdreport.size()));
    append_le32(msg, 0);  // error_code
    append_le32(msg, static_cast<uint32_t>(tdreport.size()));
    append_le32(msg, 0);  // no id list: let QGS pick the QE
    msg.insert(msg.end(), tdreport.begin(), tdreport.end());
    uint32_t n = static_cast<uint32_t>(msg.size());
    Bytes framed(4 + msg.size());
    for (size_t i = 0; i < 4; ++i) framed[i] = static_cast<uint8_t>(n >> (24 - 8 * i));  // big-endian length
    std::copy(msg.begin(), msg.end(), framed.begin() + 4);
    return framed;
}

Bytes parse_qgs_get_quote_response(ByteView m) {
    ByteView h = slice(m, 0, kHeaderSize + 8, "QGS response");
    uint16_t major = le16(h, 0);
    uint32_t type = le32(h, 4), size = le32(h, 8), error = le32(h, 12);
    if (major != 1) throw sdk::Error(VEIL_ERR_IO, "QGS response has major version " + std::to_string(major));
    if (type != kQgsGetQuoteResp) throw sdk::Error(VEIL_ERR_IO, "QGS response has message type " + std::to_string(type));
    if (error != 0) throw sdk::Error(VEIL_ERR_IO, "QGS returned error code " + std::to_string(error));
    if (size != m.size()) throw sdk::Error(VEIL_ERR_IO, "QGS response size field does not match the message");
    uint32_t id_size = le32(h, 16), quote_size = le32(h, 20);
    ByteView quote = slice(m, kHeaderSize + 8 + static_cast<size_t>(id_size), quote_size, "QGS quote");
    if (quote.empty()) throw sdk::Error(VEIL_ERR_IO, "QGS returned an empty quote");
    return Bytes(quote.begin(), quote.end());
}

Bytes read_tdreport(const std::string& device, ByteView rd) {
    if (rd.size() != 64) invalid("report_data must be 64 bytes");
    Fd f{::open(device.c_str(), O_RDWR | O_CLOEXEC)};
    if (f.fd < 0) io_error("cannot open " + device);
    TdxReportReq req{};
    std::memcpy(req.reportdata, rd.data(), 64);
    if (::ioctl(f.fd, kTdxCmdGetReport0, &req) != 0) io_error("TDX_CMD_GET_REPORT0 on " + device);
    return Bytes(req.tdreport, req.tdreport + kTdReportSize);
}

static void send_all(int fd, ByteView b) {
    size_t done = 0;
    while (done < b.size()) {
        ssize_t n = ::send(fd, b.data() + done, b.size() - done, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) io_error("sending to the quote service");
        done += static_cast<size_t>(n);
    }
}

static void recv_all(int fd, uint8_t* p, size_t len) {
    size_t done = 0;
    while (done < len) {
        ssize_t n = ::recv(fd, p + done, len - done, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n == 0) throw sdk::Error(VEIL_ERR_IO, "quote service closed the connection early");
        if (n < 0) io_error("receiving from the quote service");
        done += static_cast<size_t>(n);
    }
}

Bytes qgs_exchange(uint32_t cid, uint32_t port, ByteView framed) {
    Fd s{::socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0)};
    if (s.fd < 0) io_error("cannot create a vsock socket");
    timeval tv{.tv_sec = 30, .tv_usec = 0};  // quote generation takes milliseconds; don't hang forever
    ::setsockopt(s.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    ::setsockopt(s.fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    sockaddr_vm addr{};
    addr.svm_family = AF_VSOCK;
    addr.svm_cid = cid;
    addr.svm_port = port;
    if (::connect(s.fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0)
        io_error("cannot connect to the quote service at vsock " + std::to_string(cid) + ":" + std::to_string(port));
    send_all(s.fd, framed);
    uint8_t len_be[4];
    recv_all(s.fd, len_be, 4);
    size_t len = static_cast<size_t>(len_be[0]) << 24 | static_cast<size_t>(len_be[1]) << 16 |
                 static_cast<size_t>(len_be[2]) << 8 | len_be[3];
    if (len > kMaxMessage) throw sdk::Error(VEIL_ERR_IO, "quote service announced a " + std::to_string(len) + "-byte message");
    Bytes msg(len);
    recv_all(s.fd, msg.data(), len);
    return msg;
}

}  // namespace veil::tee::tdx
