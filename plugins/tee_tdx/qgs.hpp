// Quote generation without configfs-tsm, as libtdx-attest does: read the TDREPORT from
// /dev/tdx_guest (TDX_CMD_GET_REPORT0) and send it to the host's Quote Generation Service over
// vsock (CID 2, port 4050 by default). QGS messages (qgs_msg_lib): every message is preceded by
// its size as a 4-byte big-endian integer; header {major u16 = 1, minor u16 = 0, type u32,
// size u32 (whole message), error_code u32}; GET_QUOTE_REQ (0) adds {report_size u32,
// id_list_size u32, report, id list}; GET_QUOTE_RESP (1) adds {selected_id_size u32,
// quote_size u32, selected id, quote}. The TDREPORT itself is never offered as evidence: only
// the quote the QE signs is verifiable.
#pragma once

#include <linux/ioctl.h>

#include <string>

#include "veil/tee_common/bytes.hpp"

namespace veil::tee::tdx {

inline constexpr size_t kTdReportSize = 1024;
inline constexpr uint32_t kQgsGetQuoteReq = 0, kQgsGetQuoteResp = 1;

struct TdxReportReq {
    uint8_t reportdata[64];
    uint8_t tdreport[kTdReportSize];
};
inline constexpr unsigned long kTdxCmdGetReport0 = _IOWR('T', 1, TdxReportReq);

// The framed request (length prefix included).
Bytes build_qgs_get_quote_request(ByteView tdreport);
// The quote from a response message (length prefix removed). Throws Error(VEIL_ERR_IO).
Bytes parse_qgs_get_quote_response(ByteView message);

// TDREPORT via <dev_root>/tdx_guest.
Bytes read_tdreport(const std::string& device, ByteView report_data64);
// One request/response exchange over AF_VSOCK.
Bytes qgs_exchange(uint32_t cid, uint32_t port, ByteView framed_request);

}  // namespace veil::tee::tdx
