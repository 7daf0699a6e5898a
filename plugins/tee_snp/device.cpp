#include "device.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#if __has_include(<linux/sev-guest.h>)
#include <linux/sev-guest.h>
#endif

#include "report.hpp"

namespace veil::tee::snp {

static_assert(sizeof(SnpReportReq) == 96);
static_assert(sizeof(SnpExtReportReq) == 112);
static_assert(sizeof(SnpGuestRequest) == 32);
#ifdef SNP_GET_EXT_REPORT
static_assert(kSnpGetReport == SNP_GET_REPORT && kSnpGetExtReport == SNP_GET_EXT_REPORT);
static_assert(sizeof(SnpExtReportReq) == sizeof(struct snp_ext_report_req));
#endif

SevGuestDevice::SevGuestDevice(const std::string& path) : fd_(::open(path.c_str(), O_RDWR | O_CLOEXEC)) {
    if (fd_ < 0) throw sdk::Error(VEIL_ERR_IO, "cannot open " + path + ": " + std::strerror(errno));
}
SevGuestDevice::~SevGuestDevice() { ::close(fd_); }
int SevGuestDevice::ioctl(unsigned long request, void* arg) {
    int rc;
    do rc = ::ioctl(fd_, request, arg);
    while (rc < 0 && errno == EINTR);
    return rc < 0 ? -errno : 0;
}

Bytes parse_report_response(ByteView resp) {
    uint32_t status = le32(resp, 0);
    uint32_t size = le32(resp, 4);
    if (status != 0) throw sdk::Error(VEIL_ERR_IO, "SEV-SNP firmware returned status " + std::to_string(status) + " for the report request");
    if (size != kReportSize)
        throw sdk::Error(VEIL_ERR_IO, "SEV-SNP firmware returned a " + std::to_string(size) + "-byte report, expected 1184");
    ByteView r = slice(resp, kReportInResponse, kReportSize, "SEV-SNP report response");
    return Bytes(r.begin(), r.end());
}

Bytes trim_cert_table(ByteView buf) {
    size_t end = 0;
    for (size_t off = 0; off + 24 <= buf.size(); off += 24) {
        ByteView e = buf.subspan(off, 24);
        end = std::max(end, off + 24);
        if (all_zero(e)) break;
        end = std::max(end, static_cast<size_t>(le32(e, 16)) + le32(e, 20));
    }
    if (end <= 24) return {};  // only the terminator: the host supplied no certificates
    if (end > buf.size()) invalid("SEV-SNP certificate table points past its buffer");
    return Bytes(buf.begin(), buf.begin() + static_cast<long>(end));
}

static std::string request_error(const char* what, int rc, uint64_t exitinfo2) {
    return std::string(what) + " failed: " + std::strerror(-rc) + " (firmware error " +
           std::to_string(exitinfo2 & 0xFFFFFFFFu) + ", VMM error " + std::to_string(exitinfo2 >> 32) + ")";
}

DeviceReport device_get_report(SevGuestIo& io, ByteView rd, uint32_t vmpl) {
    if (rd.size() != 64) invalid("report_data must be 64 bytes");
    DeviceReport out;
    Bytes resp(kResponseSize, 0);
    size_t certs_len = 4 * 4096;  // the kernel wants whole pages
    bool extended = true;
    for (int attempt = 0; extended; ++attempt) {
        if (attempt == 3)  // the host keeps asking for more: don't loop forever, don't drop the certs silently
            throw sdk::Error(VEIL_ERR_IO, "SNP_GET_EXT_REPORT: certificate buffer still too small after 3 attempts");
        Bytes certs(certs_len, 0);
        SnpExtReportReq ext{};
        std::memcpy(ext.data.user_data, rd.data(), 64);
        ext.data.vmpl = vmpl;
        ext.certs_address = reinterpret_cast<uintptr_t>(certs.data());
        ext.certs_len = static_cast<uint32_t>(certs.size());
        SnpGuestRequest req{};
        req.msg_version = 1;
        req.req_data = reinterpret_cast<uintptr_t>(&ext);
        req.resp_data = reinterpret_cast<uintptr_t>(resp.data());
        int rc = io.ioctl(kSnpGetExtReport, &req);
        if (rc == 0) {
            out.report = parse_report_response(resp);
            out.certs = trim_cert_table(certs);
            return out;
        }
        if ((req.exitinfo2 >> 32) == kVmmErrInvalidLen && ext.certs_len > certs.size()) {
            certs_len = (static_cast<size_t>(ext.certs_len) + 4095) / 4096 * 4096;  // retry with what it needs
            continue;
        }
        if (rc == -ENOTTY || rc == -EOPNOTSUPP) {
            extended = false;  // no extended request here: plain report
            continue;
        }
        throw sdk::Error(VEIL_ERR_IO, request_error("SNP_GET_EXT_REPORT", rc, req.exitinfo2));
    }

    SnpReportReq plain{};
    std::memcpy(plain.user_data, rd.data(), 64);
    plain.vmpl = vmpl;
    SnpGuestRequest req{};
    req.msg_version = 1;
    req.req_data = reinterpret_cast<uintptr_t>(&plain);
    req.resp_data = reinterpret_cast<uintptr_t>(resp.data());
    int rc = io.ioctl(kSnpGetReport, &req);
    if (rc != 0) throw sdk::Error(VEIL_ERR_IO, request_error("SNP_GET_REPORT", rc, req.exitinfo2));
    out.report = parse_report_response(resp);
    return out;
}

}  // namespace veil::tee::snp
