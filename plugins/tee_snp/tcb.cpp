#include "tcb.hpp"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "veil/tee_common/der.hpp"
#include "veil/tee_common/x509_chain.hpp"

namespace veil::tee::snp {

Tcb decode_tcb(uint64_t raw, Product product) {
    auto byte = [raw](int i) { return static_cast<uint8_t>(raw >> (8 * i)); };
    Tcb t;
    if (product == Product::Turin) {
        t.fmc = byte(0);
        t.bootloader = byte(1);
        t.tee = byte(2);
        t.snp = byte(3);
    } else {
        t.bootloader = byte(0);
        t.tee = byte(1);
        t.snp = byte(6);
    }
    t.microcode = byte(7);
    return t;
}

uint64_t encode_tcb(const Tcb& t, Product product) {
    auto at = [](uint8_t v, int i) { return static_cast<uint64_t>(v) << (8 * i); };
    if (product == Product::Turin)
        return at(t.fmc.value_or(0), 0) | at(t.bootloader, 1) | at(t.tee, 2) | at(t.snp, 3) | at(t.microcode, 7);
    return at(t.bootloader, 0) | at(t.tee, 1) | at(t.snp, 6) | at(t.microcode, 7);
}

Poco::JSON::Object::Ptr tcb_json(uint64_t raw, Product product) {
    Tcb t = decode_tcb(raw, product);
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
    char hex[32];
    std::snprintf(hex, sizeof(hex), "0x%016llx", static_cast<unsigned long long>(raw));
    o->set("raw", std::string(hex));
    o->set("bootloader", t.bootloader);
    o->set("tee", t.tee);
    o->set("snp", t.snp);
    o->set("microcode", t.microcode);
    if (t.fmc) o->set("fmc", *t.fmc);
    return o;
}

std::string vcek_product_name(X509* vcek) {
    auto v = extension_value(vcek, kOidProductName);
    if (!v) return "";
    auto t = der::read(*v);
    if (t && (t->tag == der::kIa5String || t->tag == der::kUtf8String)) return std::string(t->value.begin(), t->value.end());
    return std::string(v->begin(), v->end());  // tolerate a bare string
}

Product product_from_name(const std::string& name) {
    std::string base = name.substr(0, name.find('-'));
    if (base == "Milan") return Product::Milan;
    if (base == "Genoa") return Product::Genoa;
    if (base == "Turin") return Product::Turin;
    return Product::Unknown;
}

const char* product_text(Product p) {
    switch (p) {
        case Product::Milan: return "Milan";
        case Product::Genoa: return "Genoa";
        case Product::Turin: return "Turin";
        default: return "unknown";
    }
}

static std::optional<uint64_t> spl(X509* vcek, const char* oid) {
    auto v = extension_value(vcek, oid);
    if (!v) return std::nullopt;
    auto t = der::read(*v);
    if (!t) return std::nullopt;
    return der::integer(*t);
}

void check_vcek_tcb(X509* vcek, uint64_t reported_tcb, ByteView chip_id, Product product, bool check_hwid) {
    Tcb rep = decode_tcb(reported_tcb, product);
    struct Item {
        const char* oid;
        const char* ext_name;
        const char* tcb_name;
        uint8_t reported;
    };
    std::vector<Item> items = {{kOidBlSpl, "blSPL", "bootloader", rep.bootloader},
                               {kOidTeeSpl, "teeSPL", "tee", rep.tee},
                               {kOidSnpSpl, "snpSPL", "snp", rep.snp},
                               {kOidUcodeSpl, "ucodeSPL", "microcode", rep.microcode}};
    if (product == Product::Turin) items.push_back({kOidFmcSpl, "fmcSPL", "fmc", rep.fmc.value_or(0)});
    for (const auto& it : items) {
        auto v = spl(vcek, it.oid);
        if (!v) fail(std::string("VCEK has no readable ") + it.ext_name + " extension (" + it.oid + ")");
        if (*v != it.reported)
            fail(std::string("VCEK TCB extension ") + it.ext_name + "=" + std::to_string(*v) +
                 " does not match reported_tcb " + it.tcb_name + "=" + std::to_string(it.reported));
    }
    if (check_hwid) {
        auto hwid = extension_value(vcek, kOidHwId);
        if (!hwid) fail("VCEK has no hwID extension (1.3.6.1.4.1.3704.1.4)");
        // AMD stores the 64 raw bytes directly; accept a DER OCTET STRING wrapper as well.
        ByteView id(*hwid);
        if (id.size() != 64) {
            auto t = der::read(id);
            if (t && t->tag == der::kOctetString) id = t->value;
        }
        if (id.size() != chip_id.size() || !std::equal(id.begin(), id.end(), chip_id.begin()))
            fail("VCEK hwID does not match the report's chip_id");
    }
}

void check_min_tcb(uint64_t reported_tcb, Product product, const Poco::JSON::Object::Ptr& min_tcb) {
    if (!min_tcb) return;
    Tcb t = decode_tcb(reported_tcb, product);
    for (const auto& [key, value] : *min_tcb) {
        uint8_t have;
        if (key == "bootloader") have = t.bootloader;
        else if (key == "tee") have = t.tee;
        else if (key == "snp") have = t.snp;
        else if (key == "microcode") have = t.microcode;
        else if (key == "fmc") have = t.fmc.value_or(0);
        else invalid("policy 'min_tcb' has unknown component '" + key + "' (bootloader, tee, snp, microcode, fmc)");
        if (!value.isInteger()) invalid("policy 'min_tcb." + key + "' must be an integer");
        int64_t want = value.convert<int64_t>();
        if (have < want)
            fail("reported_tcb " + key + "=" + std::to_string(have) + " is below policy min_tcb " + key + "=" +
                 std::to_string(want));
    }
}

}  // namespace veil::tee::snp
