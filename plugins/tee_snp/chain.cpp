#include "chain.hpp"

#include "veil/tee_common/x509_chain.hpp"

namespace veil::tee::snp {

const char* pinned_ark_fingerprint(Product p) {
    // `openssl x509 -noout -fingerprint -sha256` of the ARK-<product> certificates AMD publishes
    // at kdsintf.amd.com/vcek/v1/<product>/cert_chain (the second certificate of the chain).
    switch (p) {
        case Product::Milan: return "69d063b45344d26a2e94e1f4210de49ef555308287d4c174445c95639a540bcd";
        case Product::Genoa: return "4c6598d19c18719c5dfd4a7d335f674e5bfe1d8f800cea2cf270c10d103db2f1";
        case Product::Turin: return "1f084161a44bb6d93778a904877d4819cafa5d05ef4193b2ded9dd9c73dd3f6a";
        default: return nullptr;
    }
}

void verify_vcek_chain(X509* vcek, X509* ask, X509* ark, Product product, time_t at, bool simulated) {
    if (!self_signed(ark)) fail("ARK certificate is not self-signed");
    if (!simulated) {
        const char* pin = pinned_ark_fingerprint(product);
        if (pin == nullptr) fail(std::string("VCEK product '") + product_text(product) + "' has no pinned AMD ARK");
        std::string fp = sha256_fingerprint(ark);
        if (fp != pin)
            fail(std::string("ARK (SHA-256 ") + fp + ") is not AMD's pinned ARK-" + product_text(product));
    }
    verify_chain(vcek, {ask}, ark, at,
                 simulated ? "VCEK chain does not verify to the simulated ARK" : "VCEK -> ASK -> ARK chain does not verify");
}

}  // namespace veil::tee::snp
