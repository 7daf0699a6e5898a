#include "claims.hpp"

#include <cstdio>

namespace veil::tee::snp {

static std::string hex64(uint64_t v) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "0x%016llx", static_cast<unsigned long long>(v));
    return buf;
}

static Poco::JSON::Object::Ptr decode_policy(uint64_t p) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
    auto bit = [p](int b) { return ((p >> b) & 1) != 0; };
    o->set("raw", hex64(p));
    o->set("abi_minor", static_cast<int>(p & 0xFF));
    o->set("abi_major", static_cast<int>((p >> 8) & 0xFF));
    o->set("smt", bit(16));
    o->set("migrate_ma", bit(18));
    o->set("debug", bit(19));
    o->set("single_socket", bit(20));
    o->set("cxl_allow", bit(21));
    o->set("mem_aes_256_xts", bit(22));
    o->set("rapl_dis", bit(23));
    o->set("ciphertext_hiding", bit(24));
    o->set("page_swap_disable", bit(25));
    return o;
}

static Poco::JSON::Object::Ptr decode_platform(uint64_t p) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
    auto bit = [p](int b) { return ((p >> b) & 1) != 0; };
    o->set("raw", hex64(p));
    o->set("smt_enabled", bit(0));
    o->set("tsme_enabled", bit(1));
    o->set("ecc_enabled", bit(2));
    o->set("rapl_disabled", bit(3));
    o->set("ciphertext_hiding_enabled", bit(4));
    o->set("alias_check_complete", bit(5));
    o->set("tio_enabled", bit(7));
    return o;
}

static std::string version3(uint8_t major, uint8_t minor, uint8_t build) {
    return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(build);
}

Poco::JSON::Object::Ptr report_claims(const Report& r, Product product) {
    Poco::JSON::Object::Ptr c = new Poco::JSON::Object;
    c->set("version", r.version);
    c->set("guest_svn", r.guest_svn);
    c->set("policy", decode_policy(r.policy));
    c->set("family_id", to_hex(r.family_id));
    c->set("image_id", to_hex(r.image_id));
    c->set("vmpl", r.vmpl);
    c->set("signature_algo", r.signature_algo);
    c->set("current_tcb", tcb_json(r.current_tcb, product));
    c->set("platform_info", decode_platform(r.platform_info));
    c->set("author_key_en", (r.key_info & 1) != 0);
    c->set("mask_chip_key", r.mask_chip_key());
    c->set("signing_key", r.signing_key() == 0 ? "vcek" : r.signing_key() == 1 ? "vlek" : "none");
    c->set("report_data", to_hex(r.report_data));
    c->set("measurement", to_hex(r.measurement));
    c->set("host_data", to_hex(r.host_data));
    c->set("id_key_digest", to_hex(r.id_key_digest));
    c->set("author_key_digest", to_hex(r.author_key_digest));
    c->set("report_id", to_hex(r.report_id));
    c->set("report_id_ma", to_hex(r.report_id_ma));
    c->set("reported_tcb", tcb_json(r.reported_tcb, product));
    c->set("chip_id", to_hex(r.chip_id));
    c->set("committed_tcb", tcb_json(r.committed_tcb, product));
    c->set("current_version", version3(r.current_major, r.current_minor, r.current_build));
    c->set("committed_version", version3(r.committed_major, r.committed_minor, r.committed_build));
    c->set("launch_tcb", tcb_json(r.launch_tcb, product));
    if (r.version >= 3) {
        Poco::JSON::Object::Ptr cpuid = new Poco::JSON::Object;
        cpuid->set("family", r.cpuid_fam);
        cpuid->set("model", r.cpuid_mod);
        cpuid->set("stepping", r.cpuid_step);
        c->set("cpuid", cpuid);
    }
    if (r.version >= 5) {
        c->set("launch_mit_vector", hex64(r.launch_mit_vector));
        c->set("current_mit_vector", hex64(r.current_mit_vector));
    }
    c->set("product", product_text(product));
    return c;
}

}  // namespace veil::tee::snp
