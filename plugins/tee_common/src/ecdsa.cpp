#include "veil/tee_common/ecdsa.hpp"

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/param_build.h>

#include <cstring>

namespace veil::tee {

PkeyPtr ec_public_from_xy(const char* curve, ByteView xy) {
    Bytes point{0x04};
    point.insert(point.end(), xy.begin(), xy.end());
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, const_cast<char*>(curve), 0),
        OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()),
        OSSL_PARAM_construct_end()};
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    EVP_PKEY* key = nullptr;
    if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
        EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params) != 1) {
        ERR_clear_error();
        return nullptr;
    }
    return PkeyPtr(key);
}

Bytes ec_public_xy(EVP_PKEY* key, size_t coord) {
    unsigned char buf[200];
    size_t n = 0;
    if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, buf, sizeof(buf), &n) != 1 ||
        n != 1 + 2 * coord || buf[0] != 0x04)
        throw sdk::Error(VEIL_ERR_INTERNAL, "cannot export EC public key: " + ossl_error());
    return Bytes(buf + 1, buf + n);
}

bool is_ec_on(EVP_PKEY* key, const char* curve) {
    if (key == nullptr || EVP_PKEY_get_base_id(key) != EVP_PKEY_EC) return false;
    char name[64] = {0};
    size_t n = 0;
    if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof(name), &n) != 1) {
        ERR_clear_error();
        return false;
    }
    return std::strcmp(name, curve) == 0;
}

bool ecdsa_verify_rs(EVP_PKEY* key, const EVP_MD* md, ByteView msg, ByteView r_be, ByteView s_be) {
    std::unique_ptr<ECDSA_SIG, OsslFree> sig(ECDSA_SIG_new());
    BIGNUM* r = BN_bin2bn(r_be.data(), static_cast<int>(r_be.size()), nullptr);
    BIGNUM* s = BN_bin2bn(s_be.data(), static_cast<int>(s_be.size()), nullptr);
    if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
        BN_free(r);
        BN_free(s);
        throw sdk::Error(VEIL_ERR_INTERNAL, "cannot build ECDSA signature: " + ossl_error());
    }
    int der_len = i2d_ECDSA_SIG(sig.get(), nullptr);
    if (der_len <= 0) throw sdk::Error(VEIL_ERR_INTERNAL, "cannot encode ECDSA signature");
    Bytes der(static_cast<size_t>(der_len));
    unsigned char* p = der.data();
    i2d_ECDSA_SIG(sig.get(), &p);

    MdCtxPtr ctx(EVP_MD_CTX_new());
    bool ok = ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, key) == 1 &&
              EVP_DigestVerify(ctx.get(), der.data(), der.size(), msg.data(), msg.size()) == 1;
    ERR_clear_error();
    return ok;
}

Bytes ecdsa_sign_rs(EVP_PKEY* key, const EVP_MD* md, ByteView msg, size_t coord) {
    MdCtxPtr ctx(EVP_MD_CTX_new());
    size_t len = 0;
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, key) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &len, msg.data(), msg.size()) != 1)
        throw sdk::Error(VEIL_ERR_INTERNAL, "ECDSA sign setup failed: " + ossl_error());
    Bytes der(len);
    if (EVP_DigestSign(ctx.get(), der.data(), &len, msg.data(), msg.size()) != 1)
        throw sdk::Error(VEIL_ERR_INTERNAL, "ECDSA sign failed: " + ossl_error());
    const unsigned char* p = der.data();
    std::unique_ptr<ECDSA_SIG, OsslFree> sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(len)));
    if (!sig) throw sdk::Error(VEIL_ERR_INTERNAL, "cannot decode ECDSA signature");
    Bytes out(2 * coord);
    if (BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), out.data(), static_cast<int>(coord)) < 0 ||
        BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), out.data() + coord, static_cast<int>(coord)) < 0)
        throw sdk::Error(VEIL_ERR_INTERNAL, "ECDSA signature does not fit");
    return out;
}

PkeyPtr generate_ec(const char* curve) {
    PkeyPtr k(EVP_EC_gen(curve));
    if (!k) throw sdk::Error(VEIL_ERR_INTERNAL, std::string("EC key generation failed: ") + ossl_error());
    return k;
}

PkeyPtr generate_rsa(unsigned bits) {
    PkeyPtr k(EVP_RSA_gen(bits));
    if (!k) throw sdk::Error(VEIL_ERR_INTERNAL, "RSA key generation failed: " + ossl_error());
    return k;
}

}  // namespace veil::tee
