// The GHCB certificate table returned with an extended report (SNP_GET_EXT_REPORT, configfs-tsm
// auxblob): entries of {GUID (16 bytes), offset u32, length u32} ended by an all-zero entry,
// offsets relative to the table's start, followed by the DER certificates.
#pragma once

#include <map>
#include <string>

#include "veil/tee_common/bytes.hpp"

namespace veil::tee::snp {

// GUIDs as text (GHCB spec). On the wire we write RFC 4122 byte order (the text's bytes in
// order), as AMD's tools and the kernel's consumers do; the parser also accepts the
// mixed-endian (Microsoft) form so a table from either convention is understood.
inline constexpr const char* kGuidVcek = "63da758d-e664-4564-adc5-f4b93be8accd";
inline constexpr const char* kGuidVlek = "a8074bc2-a25a-483e-aae6-39c045a0b8a1";
inline constexpr const char* kGuidAsk = "4ab7b379-bbac-4fe4-a02f-05aef327c782";
inline constexpr const char* kGuidArk = "c0b406a4-a803-4952-9743-3fb6014cd0ae";

// GUID text -> certificate bytes. Throws invalid() on a malformed table.
std::map<std::string, Bytes> parse_cert_table(ByteView table);
Bytes build_cert_table(const std::map<std::string, Bytes>& certs);

}  // namespace veil::tee::snp
