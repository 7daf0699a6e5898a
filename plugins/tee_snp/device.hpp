// The legacy guest device /dev/sev-guest (linux/sev-guest.h): SNP_GET_EXT_REPORT returns the
// report and the host's certificate table; SNP_GET_REPORT only the report. The ioctl is behind
// an interface so tests can check the request we build and feed response bytes back.
#pragma once

#include <linux/ioctl.h>

#include <string>

#include "veil/tee_common/bytes.hpp"

namespace veil::tee::snp {

// Kernel uapi layouts (natural alignment on x86-64, checked by static_assert in device.cpp).
struct SnpReportReq {
    uint8_t user_data[64];
    uint32_t vmpl;
    uint8_t rsvd[28];
};
struct SnpExtReportReq {
    SnpReportReq data;
    uint64_t certs_address;
    uint32_t certs_len;
};
struct SnpGuestRequest {
    uint8_t msg_version;  // must be non-zero
    uint64_t req_data;
    uint64_t resp_data;
    uint64_t exitinfo2;   // [63:32] VMM error, [31:0] firmware error
};

inline constexpr unsigned long kSnpGetReport = _IOWR('S', 0x0, SnpGuestRequest);
inline constexpr unsigned long kSnpGetExtReport = _IOWR('S', 0x2, SnpGuestRequest);
inline constexpr uint32_t kVmmErrInvalidLen = 1;  // certificate buffer too small; certs_len = needed
inline constexpr size_t kResponseSize = 4000;     // struct snp_report_resp
inline constexpr size_t kReportInResponse = 0x20; // MSG_REPORT_RSP: status, size, reserved, report

class SevGuestIo {
public:
    virtual ~SevGuestIo() = default;
    // Like ioctl(2) on the device: 0 on success, else -errno.
    virtual int ioctl(unsigned long request, void* arg) = 0;
};

// The real device under `dev_root` ("<dev_root>/sev-guest").
class SevGuestDevice final : public SevGuestIo {
public:
    explicit SevGuestDevice(const std::string& path);
    ~SevGuestDevice() override;
    int ioctl(unsigned long request, void* arg) override;

private:
    int fd_;
};

struct DeviceReport {
    Bytes report;  // 1184 bytes
    Bytes certs;   // GHCB certificate table, trimmed to its certificates; empty when none
};

// Extended request first (the certificate buffer grows to what the kernel asks for), falling
// back to the plain report when the kernel or host has no extended request.
DeviceReport device_get_report(SevGuestIo& io, ByteView report_data64, uint32_t vmpl);

// The 1184-byte report from a MSG_REPORT_RSP buffer; throws Error(VEIL_ERR_IO) on a firmware
// status or size problem.
Bytes parse_report_response(ByteView response);

// Drops the zero padding after the last certificate of a table buffer.
Bytes trim_cert_table(ByteView buffer);

}  // namespace veil::tee::snp
