// SEV-SNP TCB_VERSION decoding and the VCEK certificate's TCB extensions. The 64-bit TCB packs
// one security patch level (SPL) per firmware component; the byte positions differ by product:
//   Milan/Genoa: [0] bootloader [1] tee [6] snp [7] microcode
//   Turin:       [0] fmc [1] bootloader [2] tee [3] snp [7] microcode
// The VCEK is issued for one TCB, so its extensions must equal the report's reported_tcb;
// otherwise the VCEK was not the key derived for the TCB the report claims.
#pragma once

#include <Poco/JSON/Object.h>
#include <openssl/x509.h>

#include <optional>
#include <string>

#include "veil/tee_common/bytes.hpp"

namespace veil::tee::snp {

enum class Product { Milan, Genoa, Turin, Unknown };

struct Tcb {
    uint8_t bootloader = 0, tee = 0, snp = 0, microcode = 0;
    std::optional<uint8_t> fmc;  // Turin only
};

Tcb decode_tcb(uint64_t raw, Product product);
uint64_t encode_tcb(const Tcb& tcb, Product product);
Poco::JSON::Object::Ptr tcb_json(uint64_t raw, Product product);

// VCEK extension OIDs (AMD VCEK certificate spec).
inline constexpr const char* kOidStructVersion = "1.3.6.1.4.1.3704.1.1";
inline constexpr const char* kOidProductName = "1.3.6.1.4.1.3704.1.2";
inline constexpr const char* kOidBlSpl = "1.3.6.1.4.1.3704.1.3.1";
inline constexpr const char* kOidTeeSpl = "1.3.6.1.4.1.3704.1.3.2";
inline constexpr const char* kOidSnpSpl = "1.3.6.1.4.1.3704.1.3.3";
inline constexpr const char* kOidUcodeSpl = "1.3.6.1.4.1.3704.1.3.8";
inline constexpr const char* kOidFmcSpl = "1.3.6.1.4.1.3704.1.3.9";
inline constexpr const char* kOidHwId = "1.3.6.1.4.1.3704.1.4";

// The VCEK's product name extension ("Milan-B0"), or "" when absent.
std::string vcek_product_name(X509* vcek);
// "Milan-B0" -> Milan.
Product product_from_name(const std::string& name);
const char* product_text(Product p);

// Fails ("VCEK TCB extension <name>=<x> does not match reported_tcb <name>=<y>") when a TCB
// extension differs from the report; also checks hwID == chip_id when `check_hwid`.
void check_vcek_tcb(X509* vcek, uint64_t reported_tcb, ByteView chip_id, Product product, bool check_hwid);

// Policy min_tcb {"bootloader":n,"tee":n,"snp":n,"microcode":n,"fmc":n}: each given component of
// reported_tcb must be >= the minimum.
void check_min_tcb(uint64_t reported_tcb, Product product, const Poco::JSON::Object::Ptr& min_tcb);

}  // namespace veil::tee::snp
