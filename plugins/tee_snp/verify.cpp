#include "verify.hpp"

#include <Poco/JSON/Stringifier.h>

#include <algorithm>
#include <cstring>
#include <sstream>

#include "cert_table.hpp"
#include "chain.hpp"
#include "claims.hpp"
#include "report.hpp"
#include "signature.hpp"
#include "tcb.hpp"
#include "veil/tee_common/x509_chain.hpp"

namespace veil::tee::snp {

namespace {

struct Certs {
    X509Ptr leaf;  // VCEK or VLEK
    X509Ptr ask;   // ASK (or ASVK for a VLEK)
    X509Ptr ark;
};

Certs gather_certs(const Report& report, const std::map<std::string, Bytes>& table, const Policy& policy,
                   bool simulated) {
    Certs c;
    bool vlek = report.signing_key() == 1;
    if (report.signing_key() > 1) fail("SNP report is not signed (SIGNING_KEY says no key)");
    const char* leaf_guid = vlek ? kGuidVlek : kGuidVcek;
    if (auto it = table.find(leaf_guid); it != table.end())
        c.leaf = x509_from_der(it->second, vlek ? "VLEK from the certificate table" : "VCEK from the certificate table");
    else if (!policy.vcek_der.empty() && !simulated)
        c.leaf = x509_from_der(policy.vcek_der, "policy vcek_der");
    else
        fail(std::string("no ") + (vlek ? "VLEK" : "VCEK") +
             ": the evidence has no certificate table entry and policy has no vcek_der");

    // A verifier-supplied ca_pem wins over the evidence: the relying party picks its anchors.
    // Simulated evidence always uses its own chain (the point is to verify it without AMD).
    if (!policy.ca_pem.empty() && !simulated) {
        auto chain = x509_chain_from_pem(policy.ca_pem, "policy ca_pem");
        if (chain.size() < 2) invalid("policy ca_pem must hold the ASK then the ARK");
        c.ask = std::move(chain[0]);
        c.ark = std::move(chain[1]);
    } else {
        auto ask = table.find(kGuidAsk);
        auto ark = table.find(kGuidArk);
        if (ask == table.end() || ark == table.end())
            fail("no ASK/ARK: the evidence's certificate table lacks them and policy has no ca_pem");
        c.ask = x509_from_der(ask->second, "ASK from the certificate table");
        c.ark = x509_from_der(ark->second, "ARK from the certificate table");
    }
    return c;
}

}  // namespace

std::string verify_evidence(ByteView evidence, const std::string& format, const uint8_t* expected_report_data,
                            const Policy& policy) {
    bool simulated = format == kFormatSimulated;
    if (format != kFormatRaw && format != kFormatWithCerts && !simulated)
        invalid("unknown SEV-SNP evidence format '" + format + "' (expected " + kFormatRaw + ", " + kFormatWithCerts +
                " or " + kFormatSimulated + ")");
    if (simulated && !policy.allow_simulated)
        fail("simulated SEV-SNP evidence is refused (policy allow_simulated is false)");

    ByteView report_bytes = format == kFormatRaw ? evidence : slice(evidence, 0, kReportSize, "SEV-SNP report");
    Report report = parse_report(report_bytes);
    std::map<std::string, Bytes> table;
    if (format != kFormatRaw && evidence.size() > kReportSize) table = parse_cert_table(evidence.subspan(kReportSize));

    if (report.version < 2)
        fail("SNP report version " + std::to_string(report.version) + " is not supported (need >= 2)");
    if (report.signature_algo != 1)
        fail("SNP report signature algorithm " + std::to_string(report.signature_algo) + " is not ECDSA P-384/SHA-384");

    Certs certs = gather_certs(report, table, policy, simulated);
    std::string product_name = vcek_product_name(certs.leaf.get());
    Product product = product_from_name(product_name);
    if (product == Product::Unknown)
        fail("VCEK product name '" + product_name + "' is not Milan, Genoa or Turin");

    verify_vcek_chain(certs.leaf.get(), certs.ask.get(), certs.ark.get(), product, policy.at, simulated);
    verify_report_signature(report.raw, X509_get0_pubkey(certs.leaf.get()));

    if (expected_report_data != nullptr &&
        std::memcmp(report.report_data.data(), expected_report_data, report.report_data.size()) != 0)
        fail("SNP report_data does not match the expected report_data");

    // hwID is only meaningful for a VCEK of an unmasked chip (a VLEK is not chip-bound).
    check_vcek_tcb(certs.leaf.get(), report.reported_tcb, report.chip_id, product,
                   report.signing_key() == 0 && !report.mask_chip_key());

    if ((report.policy & kPolicyDebug) && !policy.allow_debug)
        fail("SNP guest policy has DEBUG set and policy allow_debug is false");
    check_min_tcb(report.reported_tcb, product, policy.min_tcb);
    if (!policy.allowed_measurements.empty() &&
        std::none_of(policy.allowed_measurements.begin(), policy.allowed_measurements.end(), [&](const Bytes& m) {
            return std::equal(m.begin(), m.end(), report.measurement.begin(), report.measurement.end());
        }))
        fail("SNP measurement " + to_hex(report.measurement) + " is not in policy allowed_measurements");
    if (policy.vmpl && report.vmpl != *policy.vmpl)
        fail("SNP report VMPL " + std::to_string(report.vmpl) + " does not equal policy vmpl " +
             std::to_string(*policy.vmpl));

    auto claims = report_claims(report, product);
    claims->set("vcek_product_name", product_name);
    claims->set("format", format);
    claims->set("simulated", simulated);
    std::ostringstream os;
    Poco::JSON::Stringifier::stringify(claims, os);
    return os.str();
}

}  // namespace veil::tee::snp
