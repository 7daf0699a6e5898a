#include "veil/tee_common/cert_builder.hpp"

#include <openssl/rsa.h>
#include <openssl/x509v3.h>

namespace veil::tee {

static void check(int ok, const char* what) {
    if (ok != 1) throw sdk::Error(VEIL_ERR_INTERNAL, std::string("building simulated certificate: ") + what + ": " + ossl_error());
}

static void add_v3(X509* cert, X509* issuer, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    std::unique_ptr<X509_EXTENSION, OsslFree> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
    if (!ext) throw sdk::Error(VEIL_ERR_INTERNAL, "cannot make X.509 extension: " + ossl_error());
    check(X509_add_ext(cert, ext.get(), -1), "add extension");
}

X509Ptr build_cert(const CertSpec& spec) {
    X509Ptr cert(X509_new());
    if (!cert) throw sdk::Error(VEIL_ERR_OUT_OF_MEMORY, "X509_new failed");
    check(X509_set_version(cert.get(), X509_VERSION_3), "version");
    check(ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), spec.serial), "serial");
    X509_NAME* name = X509_get_subject_name(cert.get());
    check(X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                                     reinterpret_cast<const unsigned char*>(spec.organization.c_str()), -1, -1, 0), "O");
    check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                     reinterpret_cast<const unsigned char*>(spec.common_name.c_str()), -1, -1, 0), "CN");
    X509* issuer = spec.issuer ? spec.issuer : cert.get();
    check(X509_set_issuer_name(cert.get(), X509_get_subject_name(issuer)), "issuer");
    time_t nb = spec.not_before, na = spec.not_after;
    if (!X509_time_adj_ex(X509_getm_notBefore(cert.get()), 0, 0, &nb) ||
        !X509_time_adj_ex(X509_getm_notAfter(cert.get()), 0, 0, &na))
        check(0, "validity");
    check(X509_set_pubkey(cert.get(), spec.subject_key), "public key");

    add_v3(cert.get(), issuer, NID_basic_constraints, spec.ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
    add_v3(cert.get(), issuer, NID_key_usage, spec.ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature");
    add_v3(cert.get(), issuer, NID_subject_key_identifier, "hash");
    if (spec.issuer) add_v3(cert.get(), issuer, NID_authority_key_identifier, "keyid:always");

    for (const auto& [oid, value] : spec.extensions) {
        std::unique_ptr<ASN1_OBJECT, OsslFree> obj(OBJ_txt2obj(oid.c_str(), 1));
        std::unique_ptr<ASN1_OCTET_STRING, OsslFree> os(ASN1_OCTET_STRING_new());
        if (!obj || !os) check(0, "extension OID");
        check(ASN1_OCTET_STRING_set(os.get(), value.data(), static_cast<int>(value.size())), "extension value");
        std::unique_ptr<X509_EXTENSION, OsslFree> ext(X509_EXTENSION_create_by_OBJ(nullptr, obj.get(), 0, os.get()));
        if (!ext) check(0, "extension");
        check(X509_add_ext(cert.get(), ext.get(), -1), "add vendor extension");
    }

    MdCtxPtr md(EVP_MD_CTX_new());
    EVP_PKEY_CTX* pctx = nullptr;
    const EVP_MD* digest = spec.sig == CertSig::EcdsaSha256 ? EVP_sha256() : EVP_sha384();
    check(EVP_DigestSignInit(md.get(), &pctx, digest, nullptr, spec.issuer_key), "sign init");
    if (spec.sig == CertSig::RsaPssSha384) {
        // AMD signs ARK/ASK/VCEK with RSASSA-PSS, SHA-384, MGF1-SHA-384, salt 48: mirror it so the
        // simulated chain exercises the same verification code.
        check(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING), "PSS padding");
        check(EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha384()), "PSS MGF1");
        check(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 48), "PSS salt");
    }
    if (X509_sign_ctx(cert.get(), md.get()) <= 0) check(0, "sign");
    return cert;
}

}  // namespace veil::tee
