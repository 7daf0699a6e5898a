// A minimal DER reader/writer for the few vendor structures OpenSSL has no type for: AMD VCEK
// extension values (INTEGER / IA5String / raw octets) and Intel's SGX PCK extension
// (SEQUENCE OF {OID, value}). Definite lengths only, which is all DER allows.
#pragma once

#include <optional>
#include <string>

#include "veil/tee_common/bytes.hpp"

namespace veil::tee::der {

inline constexpr uint8_t kInteger = 0x02, kOctetString = 0x04, kOid = 0x06, kIa5String = 0x16,
                         kUtf8String = 0x0C, kSequence = 0x30, kEnumerated = 0x0A;

struct Tlv {
    uint8_t tag = 0;
    ByteView value;   // contents
    size_t total = 0; // header + contents
};

// Reads one TLV at the start of `in`; nullopt when it is malformed or truncated.
std::optional<Tlv> read(ByteView in);
// The TLVs directly inside a constructed value (e.g. a SEQUENCE's contents).
std::optional<std::vector<Tlv>> children(ByteView contents);
// A non-negative INTEGER's value (up to 64 bits); nullopt otherwise.
std::optional<uint64_t> integer(const Tlv& t);
// Dotted text of an OBJECT IDENTIFIER's contents ("1.2.840.113741.1.13.1").
std::string oid_text(ByteView contents);

// Writers (used by the simulators to build vendor extensions).
Bytes tlv(uint8_t tag, ByteView contents);
Bytes integer(uint64_t v);
Bytes oid(const std::string& dotted);

}  // namespace veil::tee::der
