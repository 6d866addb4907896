#include "auth/Jwk.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QJsonValue>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/decoder.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <vector>

namespace cohort::auth {

namespace {

template<auto Free> struct OpenSslDeleter
{
    template<typename T> void operator()(T *p) const { Free(p); }
};

using BioPtr = std::unique_ptr<BIO, OpenSslDeleter<BIO_free_all>>;
// BN_clear_free everywhere: some of these hold private exponents or scalars.
using BignumPtr = std::unique_ptr<BIGNUM, OpenSslDeleter<BN_clear_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, OpenSslDeleter<EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, OpenSslDeleter<EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, OpenSslDeleter<EVP_MD_CTX_free>>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, OpenSslDeleter<OSSL_PARAM_BLD_free>>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, OpenSslDeleter<OSSL_PARAM_free>>;
using DecoderCtxPtr = std::unique_ptr<OSSL_DECODER_CTX, OpenSslDeleter<OSSL_DECODER_CTX_free>>;

constexpr int kEcFieldBytes = 48; // P-384 coordinates and scalars
constexpr int kMinRsaBits = 2048; // RFC 7518 §3.3
constexpr int kGeneratedRsaBits = 3072;

void setError(QString *error, const QString &message)
{
    if (error)
        *error = message;
}

// Empties OpenSSL's thread-local error queue so a failure here cannot be mistaken for a later,
// unrelated one (QSslSocket reads the same queue), and keeps the newest reason for diagnostics.
QString takeOpenSslError()
{
    unsigned long last = 0;
    while (const unsigned long code = ERR_get_error())
        last = code;
    if (last == 0)
        return {};
    char buffer[256] = {};
    ERR_error_string_n(last, buffer, sizeof buffer);
    return QString::fromLatin1(buffer);
}

QString withOpenSslDetail(const QString &message)
{
    const QString detail = takeOpenSslError();
    if (detail.isEmpty())
        return message;
    // Keep the sentence's full stop at its end: "... failed (OpenSSL: reason)."
    QString base = message;
    if (base.endsWith(QLatin1Char('.')))
        base.chop(1);
    return base + QStringLiteral(" (OpenSSL: ") + detail + QStringLiteral(").");
}

bool isRsa(EVP_PKEY *pkey)
{
    return EVP_PKEY_is_a(pkey, "RSA") == 1;
}

// nullopt when the key is RSA >= 2048 bits or EC P-384, else the reason it cannot be used.
std::optional<QString> unsupportedReason(EVP_PKEY *pkey)
{
    if (isRsa(pkey)) {
        const int bits = EVP_PKEY_get_bits(pkey);
        if (bits < kMinRsaBits)
            return QStringLiteral("The RSA key has only %1 bits; RS384 requires at least %2 bits.")
                .arg(bits)
                .arg(kMinRsaBits);
        return std::nullopt;
    }
    if (EVP_PKEY_is_a(pkey, "EC") == 1) {
        char group[80] = {};
        size_t length = 0;
        if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                           &length) != 1) {
            takeOpenSslError();
            return QStringLiteral("The key is an EC key with explicit curve parameters instead of "
                                  "a named curve; only P-384 (ES384) and RSA (RS384) are "
                                  "supported.");
        }
        int nid = OBJ_sn2nid(group);
        if (nid == NID_undef)
            nid = EC_curve_nist2nid(group);
        if (nid == NID_secp384r1)
            return std::nullopt;
        const char *nistName = nid == NID_undef ? nullptr : EC_curve_nid2nist(nid);
        return QStringLiteral("The key is an EC key on curve %1; only P-384 (ES384) and RSA "
                              "(RS384) are supported.")
            .arg(QString::fromLatin1(nistName ? nistName : group));
    }
    const char *type = EVP_PKEY_get0_type_name(pkey);
    return QStringLiteral("The key is of type %1; only RSA (RS384) and EC P-384 (ES384) keys are "
                          "supported.")
        .arg(type ? QString::fromLatin1(type) : QStringLiteral("unknown"));
}

bool hasPrivateMaterial(EVP_PKEY *pkey)
{
    BIGNUM *raw = nullptr;
    const char *name = isRsa(pkey) ? OSSL_PKEY_PARAM_RSA_D : OSSL_PKEY_PARAM_PRIV_KEY;
    if (EVP_PKEY_get_bn_param(pkey, name, &raw) != 1) {
        takeOpenSslError();
        return false;
    }
    BignumPtr value(raw);
    return true;
}

BignumPtr bnParam(EVP_PKEY *pkey, const char *name)
{
    BIGNUM *raw = nullptr;
    if (EVP_PKEY_get_bn_param(pkey, name, &raw) != 1) {
        takeOpenSslError();
        return {};
    }
    return BignumPtr(raw);
}

// padTo == 0: minimal big-endian (JWK RSA members); otherwise fixed width (JWK EC members).
QByteArray bnBytes(const BIGNUM *bn, int padTo = 0)
{
    if (!bn)
        return {};
    const int size = padTo > 0 ? padTo : BN_num_bytes(bn);
    QByteArray out(size, '\0');
    auto *data = reinterpret_cast<unsigned char *>(out.data());
    const int written = padTo > 0 ? BN_bn2binpad(bn, data, padTo) : BN_bn2bin(bn, data);
    if (written != size)
        return {};
    return out;
}

QByteArray readBio(BIO *bio)
{
    char *data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    if (size <= 0 || !data)
        return {};
    return QByteArray(data, static_cast<qsizetype>(size));
}

// A key pair whose members do not belong together would silently produce signatures nobody can
// verify, so private keys loaded from outside prove themselves once.
bool signVerifySelfTest(EVP_PKEY *pkey)
{
    static const unsigned char probe[] = "cohort-export key self-test";
    MdCtxPtr signCtx(EVP_MD_CTX_new());
    size_t length = 0;
    if (!signCtx ||
        EVP_DigestSignInit_ex(signCtx.get(), nullptr, "SHA384", nullptr, nullptr, pkey, nullptr) !=
            1 ||
        EVP_DigestSign(signCtx.get(), nullptr, &length, probe, sizeof probe) != 1) {
        takeOpenSslError();
        return false;
    }
    std::vector<unsigned char> signature(length);
    if (EVP_DigestSign(signCtx.get(), signature.data(), &length, probe, sizeof probe) != 1) {
        takeOpenSslError();
        return false;
    }
    MdCtxPtr verifyCtx(EVP_MD_CTX_new());
    const bool ok =
        verifyCtx &&
        EVP_DigestVerifyInit_ex(verifyCtx.get(), nullptr, "SHA384", nullptr, nullptr, pkey,
                                nullptr) == 1 &&
        EVP_DigestVerify(verifyCtx.get(), signature.data(), length, probe, sizeof probe) == 1;
    if (!ok)
        takeOpenSslError();
    return ok;
}

// Decodes a required base64url member; error names the member, never its value.
std::optional<QByteArray> jwkMember(const QJsonObject &jwk, const QString &name, QString *error)
{
    const QJsonValue value = jwk.value(name);
    if (!value.isString()) {
        setError(error, QStringLiteral("The JWK has no string member \"%1\".").arg(name));
        return std::nullopt;
    }
    std::optional<QByteArray> decoded = fromBase64Url(value.toString().toLatin1());
    if (!decoded || decoded->isEmpty()) {
        setError(
            error,
            QStringLiteral("The JWK member \"%1\" is not valid non-empty base64url.").arg(name));
        return std::nullopt;
    }
    return decoded;
}

BignumPtr toBignum(const QByteArray &bytes)
{
    return BignumPtr(BN_bin2bn(reinterpret_cast<const unsigned char *>(bytes.constData()),
                               static_cast<int>(bytes.size()), nullptr));
}

PkeyPtr keyFromParams(const char *type, int selection, OSSL_PARAM_BLD *builder, QString *error)
{
    ParamPtr params(OSSL_PARAM_BLD_to_param(builder));
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
    EVP_PKEY *raw = nullptr;
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
        EVP_PKEY_fromdata(ctx.get(), &raw, selection, params.get()) != 1) {
        setError(error, withOpenSslDetail(QStringLiteral("The JWK members do not form a valid "
                                                         "%1 key.")
                                              .arg(QString::fromLatin1(type))));
        return {};
    }
    return PkeyPtr(raw);
}

PkeyPtr rsaFromJwk(const QJsonObject &jwk, QString *error)
{
    if (jwk.contains(QStringLiteral("oth"))) {
        setError(error, QStringLiteral("Multi-prime RSA keys (JWK member \"oth\") are not "
                                       "supported."));
        return {};
    }
    const auto n = jwkMember(jwk, QStringLiteral("n"), error);
    const auto e = n ? jwkMember(jwk, QStringLiteral("e"), error) : std::nullopt;
    if (!n || !e)
        return {};

    const bool hasD = jwk.contains(QStringLiteral("d"));
    static const char *const crtNames[] = {"p", "q", "dp", "dq", "qi"};
    static const char *const crtParams[] = {
        OSSL_PKEY_PARAM_RSA_FACTOR1, OSSL_PKEY_PARAM_RSA_FACTOR2, OSSL_PKEY_PARAM_RSA_EXPONENT1,
        OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1};
    int crtCount = 0;
    for (const char *name : crtNames)
        crtCount += jwk.contains(QLatin1String(name)) ? 1 : 0;
    if (crtCount != 0 && crtCount != 5) {
        setError(error, QStringLiteral("The RSA JWK has only some of the members p, q, dp, dq "
                                       "and qi; it must have all of them or none."));
        return {};
    }
    if (crtCount != 0 && !hasD) {
        setError(error, QStringLiteral("The RSA JWK has CRT members but no private exponent "
                                       "\"d\"."));
        return {};
    }

    // The builder only records pointers; the numbers must outlive OSSL_PARAM_BLD_to_param().
    std::vector<BignumPtr> numbers;
    ParamBldPtr builder(OSSL_PARAM_BLD_new());
    if (!builder) {
        setError(error, withOpenSslDetail(QStringLiteral("The RSA JWK could not be converted.")));
        return {};
    }
    const auto push = [&](const char *param, const QByteArray &bytes) {
        BignumPtr bn = toBignum(bytes);
        if (!bn || OSSL_PARAM_BLD_push_BN(builder.get(), param, bn.get()) != 1)
            return false;
        numbers.push_back(std::move(bn));
        return true;
    };
    bool ok = push(OSSL_PKEY_PARAM_RSA_N, *n) && push(OSSL_PKEY_PARAM_RSA_E, *e);
    if (ok && hasD) {
        const auto d = jwkMember(jwk, QStringLiteral("d"), error);
        if (!d)
            return {};
        ok = push(OSSL_PKEY_PARAM_RSA_D, *d);
        for (int i = 0; ok && i < crtCount; ++i) {
            const auto value = jwkMember(jwk, QLatin1String(crtNames[i]), error);
            if (!value)
                return {};
            ok = push(crtParams[i], *value);
        }
    }
    if (!ok) {
        setError(error, withOpenSslDetail(QStringLiteral("The RSA JWK could not be converted.")));
        return {};
    }
    return keyFromParams("RSA", hasD ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, builder.get(),
                         error);
}

std::optional<QByteArray> ecMember(const QJsonObject &jwk, const QString &name, QString *error)
{
    auto value = jwkMember(jwk, name, error);
    if (value && value->size() != kEcFieldBytes) {
        setError(error, QStringLiteral("The EC JWK member \"%1\" must be %2 bytes for P-384, but "
                                       "it is %3 bytes.")
                            .arg(name)
                            .arg(kEcFieldBytes)
                            .arg(value->size()));
        return std::nullopt;
    }
    return value;
}

PkeyPtr ecFromJwk(const QJsonObject &jwk, QString *error)
{
    const QJsonValue crv = jwk.value(QStringLiteral("crv"));
    if (!crv.isString()) {
        setError(error, QStringLiteral("The EC JWK has no string member \"crv\"."));
        return {};
    }
    if (crv.toString() != QLatin1String("P-384")) {
        setError(error, QStringLiteral("The key is an EC key on curve %1; only P-384 (ES384) and "
                                       "RSA (RS384) are supported.")
                            .arg(crv.toString().left(32)));
        return {};
    }
    const auto x = ecMember(jwk, QStringLiteral("x"), error);
    const auto y = x ? ecMember(jwk, QStringLiteral("y"), error) : std::nullopt;
    if (!x || !y)
        return {};
    const QByteArray point = QByteArray(1, '\x04') + *x + *y; // SEC 1 uncompressed form

    const bool hasD = jwk.contains(QStringLiteral("d"));
    BignumPtr d;
    if (hasD) {
        const auto dBytes = ecMember(jwk, QStringLiteral("d"), error);
        if (!dBytes)
            return {};
        d = toBignum(*dBytes);
        if (!d) {
            setError(error,
                     withOpenSslDetail(QStringLiteral("The EC JWK could not be converted.")));
            return {};
        }
    }
    ParamBldPtr builder(OSSL_PARAM_BLD_new());
    if (!builder ||
        OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME, SN_secp384r1,
                                        0) != 1 ||
        OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, point.constData(),
                                         static_cast<size_t>(point.size())) != 1 ||
        (d && OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_PRIV_KEY, d.get()) != 1)) {
        setError(error, withOpenSslDetail(QStringLiteral("The EC JWK could not be converted.")));
        return {};
    }
    PkeyPtr pkey =
        keyFromParams("EC", hasD ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, builder.get(), error);
    if (!pkey) {
        // OpenSSL refuses off-curve points here already; say so in terms of the JWK.
        setError(error, QStringLiteral("The EC JWK does not describe a valid P-384 key; x and y "
                                       "must be a point on the curve."));
        return {};
    }
    // ECDSA verification with an off-curve point is meaningless; refuse such keys up front.
    PkeyCtxPtr checkCtx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
    if (!checkCtx || EVP_PKEY_public_check(checkCtx.get()) != 1) {
        setError(error, withOpenSslDetail(QStringLiteral("The EC JWK's x and y do not describe a "
                                                         "valid point on curve P-384.")));
        return {};
    }
    return pkey;
}

} // namespace

QString algorithmName(JwtAlgorithm alg)
{
    switch (alg) {
    case JwtAlgorithm::RS384:
        return QStringLiteral("RS384");
    case JwtAlgorithm::ES384:
        return QStringLiteral("ES384");
    }
    return {};
}

std::optional<JwtAlgorithm> algorithmFromName(QStringView name)
{
    // JWS algorithm names are case-sensitive (RFC 7515 §4.1.1).
    if (name == QLatin1String("RS384"))
        return JwtAlgorithm::RS384;
    if (name == QLatin1String("ES384"))
        return JwtAlgorithm::ES384;
    return std::nullopt;
}

Key::Key() = default;

Key::Key(EVP_PKEY *owned, const QString &kid)
    : m_key(owned, EVP_PKEY_free)
    , m_keyId(kid)
{
}

bool Key::isNull() const
{
    return !m_key;
}

bool Key::isPrivate() const
{
    return m_key && hasPrivateMaterial(m_key.get());
}

std::optional<JwtAlgorithm> Key::algorithm() const
{
    if (!m_key || unsupportedReason(m_key.get()))
        return std::nullopt;
    return isRsa(m_key.get()) ? JwtAlgorithm::RS384 : JwtAlgorithm::ES384;
}

QString Key::keyId() const
{
    return m_keyId;
}

void Key::setKeyId(const QString &kid)
{
    m_keyId = kid;
}

EVP_PKEY *Key::handle() const
{
    return m_key.get();
}

Key Key::generate(JwtAlgorithm alg, const QString &kid, QString *error)
{
    const bool rsa = alg == JwtAlgorithm::RS384;
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, rsa ? "RSA" : "EC", nullptr));
    bool ok = ctx && EVP_PKEY_keygen_init(ctx.get()) == 1;
    if (ok) {
        ok = rsa ? EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), kGeneratedRsaBits) == 1
                 : EVP_PKEY_CTX_set_group_name(ctx.get(), SN_secp384r1) == 1;
    }
    EVP_PKEY *raw = nullptr;
    if (!ok || EVP_PKEY_generate(ctx.get(), &raw) != 1) {
        setError(error,
                 withOpenSslDetail(
                     QStringLiteral("Generating a new %1 key failed.").arg(algorithmName(alg))));
        return {};
    }
    return Key(raw, kid);
}

Key Key::fromPem(const QByteArray &pem, QString *error)
{
    if (!pem.contains("-----BEGIN ")) {
        setError(error, QStringLiteral("The data is not a PEM-encoded key (no \"-----BEGIN\" line "
                                       "was found)."));
        return {};
    }
    // Without this check OpenSSL could fall back to prompting for a passphrase on the terminal.
    if (pem.contains("ENCRYPTED")) {
        setError(error, QStringLiteral("The PEM key is encrypted; decrypt it first, for example "
                                       "with \"openssl pkey -in key.pem -out decrypted.pem\"."));
        return {};
    }
    EVP_PKEY *raw = nullptr;
    // Selection 0 lets one decoder accept private (PKCS#8 or traditional) and public keys.
    DecoderCtxPtr decoder(
        OSSL_DECODER_CTX_new_for_pkey(&raw, "PEM", nullptr, nullptr, 0, nullptr, nullptr));
    const auto *data = reinterpret_cast<const unsigned char *>(pem.constData());
    size_t length = static_cast<size_t>(pem.size());
    if (!decoder || OSSL_DECODER_from_data(decoder.get(), &data, &length) != 1 || !raw) {
        takeOpenSslError();
        PkeyPtr discard(raw);
        setError(error, QStringLiteral("The PEM data does not contain a readable private or "
                                       "public key."));
        return {};
    }
    PkeyPtr pkey(raw);
    if (const auto reason = unsupportedReason(pkey.get())) {
        setError(error, *reason);
        return {};
    }
    if (hasPrivateMaterial(pkey.get()) && !signVerifySelfTest(pkey.get())) {
        setError(error, QStringLiteral("The PEM private key is inconsistent: a test signature made "
                                       "with it did not verify."));
        return {};
    }
    return Key(pkey.release(), QString());
}

Key Key::fromJwk(const QJsonObject &jwk, QString *error)
{
    const QJsonValue ktyValue = jwk.value(QStringLiteral("kty"));
    if (!ktyValue.isString()) {
        setError(error, QStringLiteral("The JWK has no string member \"kty\"."));
        return {};
    }
    const QString kty = ktyValue.toString();
    const QJsonValue use = jwk.value(QStringLiteral("use"));
    if (!use.isUndefined() && use.toString() != QLatin1String("sig")) {
        setError(error, QStringLiteral("The JWK is not meant for signatures (its \"use\" is not "
                                       "\"sig\")."));
        return {};
    }
    std::optional<JwtAlgorithm> declared;
    if (jwk.contains(QStringLiteral("alg"))) {
        const QString name = jwk.value(QStringLiteral("alg")).toString();
        declared = algorithmFromName(name);
        if (!declared) {
            setError(error, QStringLiteral("The JWK declares alg \"%1\"; only RS384 and ES384 are "
                                           "supported.")
                                .arg(name.left(32)));
            return {};
        }
    }

    PkeyPtr pkey;
    if (kty == QLatin1String("RSA")) {
        pkey = rsaFromJwk(jwk, error);
    } else if (kty == QLatin1String("EC")) {
        pkey = ecFromJwk(jwk, error);
    } else {
        setError(error, QStringLiteral("The JWK has key type \"%1\"; only RSA (RS384) and EC "
                                       "P-384 (ES384) keys are supported.")
                            .arg(kty.left(32)));
        return {};
    }
    if (!pkey)
        return {};
    if (const auto reason = unsupportedReason(pkey.get())) {
        setError(error, *reason);
        return {};
    }
    Key key(pkey.release(), jwk.value(QStringLiteral("kid")).toString());
    if (declared && declared != key.algorithm()) {
        setError(error, QStringLiteral("The JWK declares alg %1, which does not match its key "
                                       "type %2.")
                            .arg(algorithmName(*declared), kty));
        return {};
    }
    if (key.isPrivate() && !signVerifySelfTest(key.handle())) {
        setError(error, QStringLiteral("The private JWK is inconsistent: a test signature made "
                                       "with it did not verify."));
        return {};
    }
    return key;
}

Key Key::fromBytes(const QByteArray &data, QString *error)
{
    const QByteArray trimmed = data.trimmed();
    if (trimmed.isEmpty()) {
        setError(error, QStringLiteral("The key data is empty."));
        return {};
    }
    if (trimmed.startsWith('{')) {
        QJsonParseError parseError;
        const QJsonDocument document = QJsonDocument::fromJson(trimmed, &parseError);
        if (parseError.error != QJsonParseError::NoError || !document.isObject()) {
            setError(error, QStringLiteral("The key data looks like JSON but is not a valid JSON "
                                           "object: %1.")
                                .arg(parseError.errorString()));
            return {};
        }
        const QJsonObject object = document.object();
        if (!object.contains(QStringLiteral("keys")))
            return fromJwk(object, error);
        const QList<Key> keys = keysFromJwks(object, error);
        if (keys.isEmpty())
            return {};
        for (const Key &key : keys) {
            if (key.isPrivate())
                return key;
        }
        return keys.first();
    }
    if (trimmed.contains("-----BEGIN "))
        return fromPem(trimmed, error);
    setError(error, QStringLiteral("The key data is neither PEM (\"-----BEGIN ...\") nor a JSON "
                                   "Web Key."));
    return {};
}

QJsonObject Key::publicJwk() const
{
    const std::optional<JwtAlgorithm> alg = algorithm();
    if (!alg)
        return {};
    EVP_PKEY *pkey = m_key.get();
    QJsonObject jwk;
    if (*alg == JwtAlgorithm::RS384) {
        const QByteArray n = bnBytes(bnParam(pkey, OSSL_PKEY_PARAM_RSA_N).get());
        const QByteArray e = bnBytes(bnParam(pkey, OSSL_PKEY_PARAM_RSA_E).get());
        if (n.isEmpty() || e.isEmpty())
            return {};
        jwk.insert(QStringLiteral("kty"), QStringLiteral("RSA"));
        jwk.insert(QStringLiteral("n"), QString::fromLatin1(base64Url(n)));
        jwk.insert(QStringLiteral("e"), QString::fromLatin1(base64Url(e)));
    } else {
        const QByteArray x = bnBytes(bnParam(pkey, OSSL_PKEY_PARAM_EC_PUB_X).get(), kEcFieldBytes);
        const QByteArray y = bnBytes(bnParam(pkey, OSSL_PKEY_PARAM_EC_PUB_Y).get(), kEcFieldBytes);
        if (x.isEmpty() || y.isEmpty())
            return {};
        jwk.insert(QStringLiteral("kty"), QStringLiteral("EC"));
        jwk.insert(QStringLiteral("crv"), QStringLiteral("P-384"));
        jwk.insert(QStringLiteral("x"), QString::fromLatin1(base64Url(x)));
        jwk.insert(QStringLiteral("y"), QString::fromLatin1(base64Url(y)));
    }
    if (!m_keyId.isEmpty())
        jwk.insert(QStringLiteral("kid"), m_keyId);
    jwk.insert(QStringLiteral("alg"), algorithmName(*alg));
    jwk.insert(QStringLiteral("use"), QStringLiteral("sig"));
    jwk.insert(QStringLiteral("key_ops"), QJsonArray{QStringLiteral("verify")});
    return jwk;
}

QJsonObject Key::privateJwk() const
{
    if (!isPrivate())
        return {};
    QJsonObject jwk = publicJwk();
    if (jwk.isEmpty())
        return {};
    EVP_PKEY *pkey = m_key.get();
    const auto member = [&](const char *param, int padTo = 0) {
        return QString::fromLatin1(base64Url(bnBytes(bnParam(pkey, param).get(), padTo)));
    };
    if (isRsa(pkey)) {
        jwk.insert(QStringLiteral("d"), member(OSSL_PKEY_PARAM_RSA_D));
        // Keys imported from a JWK with only n, e and d have no CRT values; RFC 7518 §6.3.2
        // then wants none of them rather than some.
        const std::pair<const char *, const char *> crt[] = {
            {"p", OSSL_PKEY_PARAM_RSA_FACTOR1},
            {"q", OSSL_PKEY_PARAM_RSA_FACTOR2},
            {"dp", OSSL_PKEY_PARAM_RSA_EXPONENT1},
            {"dq", OSSL_PKEY_PARAM_RSA_EXPONENT2},
            {"qi", OSSL_PKEY_PARAM_RSA_COEFFICIENT1}};
        QJsonObject crtMembers;
        for (const auto &[name, param] : crt) {
            const QString value = member(param);
            if (value.isEmpty())
                break;
            crtMembers.insert(QLatin1String(name), value);
        }
        if (crtMembers.size() == 5) {
            for (auto it = crtMembers.constBegin(); it != crtMembers.constEnd(); ++it)
                jwk.insert(it.key(), it.value());
        }
    } else {
        jwk.insert(QStringLiteral("d"), member(OSSL_PKEY_PARAM_PRIV_KEY, kEcFieldBytes));
    }
    jwk.insert(QStringLiteral("key_ops"), QJsonArray{QStringLiteral("sign")});
    return jwk;
}

QByteArray Key::privatePem() const
{
    if (!isPrivate())
        return {};
    BioPtr bio(BIO_new(BIO_s_mem()));
    // PEM_write_bio_PrivateKey writes the PKCS#8 form in OpenSSL 3.
    if (!bio || PEM_write_bio_PrivateKey(bio.get(), m_key.get(), nullptr, nullptr, 0, nullptr,
                                         nullptr) != 1) {
        takeOpenSslError();
        return {};
    }
    return readBio(bio.get());
}

QByteArray Key::publicPem() const
{
    if (!m_key)
        return {};
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PUBKEY(bio.get(), m_key.get()) != 1) {
        takeOpenSslError();
        return {};
    }
    return readBio(bio.get());
}

QJsonObject jwks(const QList<Key> &keys)
{
    QJsonArray array;
    for (const Key &key : keys) {
        const QJsonObject jwk = key.publicJwk();
        if (!jwk.isEmpty())
            array.append(jwk);
    }
    return QJsonObject{{QStringLiteral("keys"), array}};
}

QList<Key> keysFromJwks(const QJsonObject &jwks, QString *error)
{
    const QJsonValue keysValue = jwks.value(QStringLiteral("keys"));
    if (!keysValue.isArray()) {
        setError(error, QStringLiteral("The JWKS has no \"keys\" array."));
        return {};
    }
    const QJsonArray array = keysValue.toArray();
    if (array.isEmpty()) {
        setError(error, QStringLiteral("The JWKS \"keys\" array is empty."));
        return {};
    }
    QList<Key> keys;
    QString firstProblem;
    for (qsizetype i = 0; i < array.size(); ++i) {
        QString problem;
        const QJsonValue value = array.at(i);
        Key key;
        if (value.isObject())
            key = Key::fromJwk(value.toObject(), &problem);
        else
            problem = QStringLiteral("It is not a JSON object.");
        if (key.isNull()) {
            if (firstProblem.isEmpty())
                firstProblem = QStringLiteral("Key %1: %2").arg(i + 1).arg(problem);
            continue;
        }
        keys.append(key);
    }
    if (keys.isEmpty()) {
        setError(error, QStringLiteral("The JWKS contains no usable key (%1 checked). %2")
                            .arg(array.size())
                            .arg(firstProblem));
    }
    return keys;
}

QByteArray base64Url(const QByteArray &data)
{
    return data.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

std::optional<QByteArray> fromBase64Url(QByteArrayView encoded)
{
    for (const char c : encoded) {
        const bool valid = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                           (c >= '0' && c <= '9') || c == '-' || c == '_';
        if (!valid)
            return std::nullopt;
    }
    if (encoded.size() % 4 == 1)
        return std::nullopt;
    auto result = QByteArray::fromBase64Encoding(encoded.toByteArray(),
                                                 QByteArray::Base64UrlEncoding |
                                                     QByteArray::AbortOnBase64DecodingErrors);
    if (!result)
        return std::nullopt;
    // Non-zero unused bits in the last character would give one value two encodings.
    if (QByteArrayView(base64Url(result.decoded)) != encoded)
        return std::nullopt;
    return std::move(result.decoded);
}

} // namespace cohort::auth
