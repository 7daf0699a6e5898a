#include "verify.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>

#include <algorithm>
#include <cstring>
#include <sstream>

#include "pck.hpp"
#include "quote.hpp"
#include "signatures.hpp"

namespace veil::tee::tdx {

namespace {

bool listed(const std::vector<Bytes>& allow, ByteView v) {
    return std::any_of(allow.begin(), allow.end(),
                       [&](const Bytes& a) { return std::equal(a.begin(), a.end(), v.begin(), v.end()); });
}

Poco::JSON::Object::Ptr td_attributes_json(ByteView a) {
    uint64_t v = le64(a, 0);
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
    o->set("raw", to_hex(a));
    o->set("debug", (v & kTdAttrDebug) != 0);
    o->set("sept_ve_disable", ((v >> 28) & 1) != 0);
    o->set("pks", ((v >> 30) & 1) != 0);
    o->set("kl", ((v >> 31) & 1) != 0);
    o->set("perfmon", ((v >> 63) & 1) != 0);
    return o;
}

}  // namespace

std::string verify_evidence(ByteView evidence, const std::string& format, const uint8_t* expected_report_data,
                            const Policy& policy) {
    bool simulated = format == kFormatSimulated;
    if (format != kFormatQuote && !simulated)
        invalid("unknown TDX evidence format '" + format + "' (expected " + kFormatQuote + " or " + kFormatSimulated + ")");
    if (simulated && !policy.allow_simulated) fail("simulated TDX evidence is refused (policy allow_simulated is false)");

    Quote q = parse_quote(evidence);
    std::string_view pem(reinterpret_cast<const char*>(q.pck_chain_pem.data()), q.pck_chain_pem.size());
    PckChain chain = verify_pck_chain(pem, policy.at, simulated);
    verify_qe_report_signature(q, chain.leaf());
    verify_qe_binding(q);
    verify_quote_signature(q);

    const TdReport& td = q.td;
    if (expected_report_data != nullptr && std::memcmp(td.report_data.data(), expected_report_data, 64) != 0)
        fail("TDX report_data does not match the expected report_data");
    if ((le64(td.td_attributes, 0) & kTdAttrDebug) && !policy.allow_debug)
        fail("TD attributes have DEBUG set and policy allow_debug is false");
    if (policy.min_tee_tcb_svn) {
        for (size_t i = 0; i < 16; ++i)
            if (td.tee_tcb_svn[i] < (*policy.min_tee_tcb_svn)[i])
                fail("tee_tcb_svn " + to_hex(td.tee_tcb_svn) + " is below policy min_tcb " + to_hex(*policy.min_tee_tcb_svn) +
                     " at byte " + std::to_string(i));
    }
    if (!policy.allowed_mrtd.empty() && !listed(policy.allowed_mrtd, td.mr_td))
        fail("MRTD " + to_hex(td.mr_td) + " is not in policy allowed_mrtd");
    for (size_t i = 0; i < 4; ++i)
        if (!policy.allowed_rtmr[i].empty() && !listed(policy.allowed_rtmr[i], td.rtmr[i]))
            fail("RTMR" + std::to_string(i) + " " + to_hex(td.rtmr[i]) + " is not in policy allowed_rtmr.rtmr" +
                 std::to_string(i));

    Poco::JSON::Object::Ptr c = new Poco::JSON::Object;
    c->set("format", format);
    c->set("simulated", simulated);
    c->set("quote_version", q.version);
    c->set("body_type", q.body_type);
    c->set("tdx_module", q.body_type == 3 ? "1.5" : "1.0");
    c->set("qe_svn", q.qe_svn);
    c->set("pce_svn", q.pce_svn);
    c->set("qe_vendor_id", to_hex(q.qe_vendor_id));
    c->set("tee_tcb_svn", to_hex(td.tee_tcb_svn));
    c->set("mr_seam", to_hex(td.mr_seam));
    c->set("mrsigner_seam", to_hex(td.mrsigner_seam));
    c->set("seam_attributes", to_hex(td.seam_attributes));
    c->set("td_attributes", td_attributes_json(td.td_attributes));
    c->set("xfam", to_hex(td.xfam));
    c->set("mr_td", to_hex(td.mr_td));
    c->set("mr_config_id", to_hex(td.mr_config_id));
    c->set("mr_owner", to_hex(td.mr_owner));
    c->set("mr_owner_config", to_hex(td.mr_owner_config));
    for (size_t i = 0; i < 4; ++i) c->set("rtmr" + std::to_string(i), to_hex(td.rtmr[i]));
    c->set("report_data", to_hex(td.report_data));
    if (!td.tee_tcb_svn_2.empty()) {
        c->set("tee_tcb_svn_2", to_hex(td.tee_tcb_svn_2));
        c->set("mr_servicetd", to_hex(td.mr_servicetd));
    }
    SgxExtensions ext = sgx_extensions(chain.leaf());
    if (!ext.fmspc.empty()) c->set("fmspc", to_hex(ext.fmspc));
    if (!ext.pceid.empty()) c->set("pceid", to_hex(ext.pceid));
    std::ostringstream os;
    Poco::JSON::Stringifier::stringify(c, os);
    return os.str();
}

}  // namespace veil::tee::tdx
