#include "veil/tee_common/x509_chain.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

namespace veil::tee {

namespace {
struct BioFree {
    void operator()(BIO* b) const { BIO_free(b); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
}  // namespace

X509Ptr x509_from_der(ByteView der, const std::string& what) {
    const unsigned char* p = der.data();
    X509Ptr c(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
    if (!c) {
        ERR_clear_error();
        invalid(what + " is not a DER X.509 certificate");
    }
    return c;
}

std::vector<X509Ptr> x509_chain_from_pem(std::string_view pem, const std::string& what) {
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    std::vector<X509Ptr> out;
    while (X509* c = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) out.emplace_back(c);
    // The loop ends with "no start line" when no further PEM block follows. Any other error is a
    // block that is there but broken: say which, instead of stopping at the certificates before
    // it (and later blaming the chain for a missing root).
    unsigned long e = ERR_peek_last_error();
    if (e != 0 && !(ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE))
        invalid(what + ": PEM certificate #" + std::to_string(out.size() + 1) + " is malformed (" + ossl_error() + ")");
    ERR_clear_error();
    if (out.empty()) invalid(what + " holds no PEM certificate");
    return out;
}

Bytes x509_to_der(X509* cert) {
    int n = i2d_X509(cert, nullptr);
    if (n <= 0) throw sdk::Error(VEIL_ERR_INTERNAL, "i2d_X509 failed: " + ossl_error());
    Bytes out(static_cast<size_t>(n));
    unsigned char* p = out.data();
    i2d_X509(cert, &p);
    return out;
}

std::string x509_to_pem(X509* cert) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (PEM_write_bio_X509(bio.get(), cert) != 1) throw sdk::Error(VEIL_ERR_INTERNAL, "PEM_write failed: " + ossl_error());
    char* data = nullptr;
    long n = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<size_t>(n));
}

std::string sha256_fingerprint(X509* cert) { return to_hex(sha256(x509_to_der(cert))); }

std::string common_name(X509* cert) {
    char buf[256] = {0};
    if (X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, buf, sizeof(buf)) < 0) return "";
    return buf;
}

bool self_signed(X509* cert) {
    if (X509_check_issued(cert, cert) != X509_V_OK) return false;
    EVP_PKEY* key = X509_get0_pubkey(cert);
    bool ok = key != nullptr && X509_verify(cert, key) == 1;
    ERR_clear_error();
    return ok;
}

void verify_chain(X509* leaf, const std::vector<X509*>& untrusted, X509* anchor, time_t at,
                  const std::string& what) {
    std::unique_ptr<X509_STORE, OsslFree> store(X509_STORE_new());
    std::unique_ptr<STACK_OF(X509), OsslFree> chain(sk_X509_new_null());
    std::unique_ptr<X509_STORE_CTX, OsslFree> ctx(X509_STORE_CTX_new());
    if (!store || !chain || !ctx || X509_STORE_add_cert(store.get(), anchor) != 1)
        throw sdk::Error(VEIL_ERR_INTERNAL, "cannot set up X509_STORE: " + ossl_error());
    for (X509* c : untrusted) sk_X509_push(chain.get(), c);  // borrowed: sk_X509_free won't free them
    if (X509_STORE_CTX_init(ctx.get(), store.get(), leaf, chain.get()) != 1)
        throw sdk::Error(VEIL_ERR_INTERNAL, "X509_STORE_CTX_init failed: " + ossl_error());
    // Fixed time: validity is judged at the policy's instant, never the wall clock.
    X509_STORE_CTX_set_time(ctx.get(), 0, at);
    if (X509_verify_cert(ctx.get()) == 1) return;
    int err = X509_STORE_CTX_get_error(ctx.get());
    int depth = X509_STORE_CTX_get_error_depth(ctx.get());
    X509* bad = X509_STORE_CTX_get_current_cert(ctx.get());
    ERR_clear_error();
    fail(what + ": " + X509_verify_cert_error_string(err) + " at depth " + std::to_string(depth) +
         (bad ? " (" + common_name(bad) + ")" : std::string()) + " at " + format_rfc3339(at));
}

std::optional<Bytes> extension_value(X509* cert, const std::string& oid) {
    std::unique_ptr<ASN1_OBJECT, OsslFree> obj(OBJ_txt2obj(oid.c_str(), 1));
    if (!obj) return std::nullopt;
    int idx = X509_get_ext_by_OBJ(cert, obj.get(), -1);
    if (idx < 0) return std::nullopt;
    ASN1_OCTET_STRING* data = X509_EXTENSION_get_data(X509_get_ext(cert, idx));
    if (data == nullptr) return std::nullopt;
    const unsigned char* p = ASN1_STRING_get0_data(data);
    return Bytes(p, p + ASN1_STRING_length(data));
}

}  // namespace veil::tee
