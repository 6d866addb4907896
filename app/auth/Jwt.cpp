#include "auth/Jwt.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QJsonValue>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <memory>

namespace cohort::auth {

namespace {

template<auto Free> struct OpenSslDeleter
{
    template<typename T> void operator()(T *p) const { Free(p); }
};

using BignumPtr = std::unique_ptr<BIGNUM, OpenSslDeleter<BN_free>>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, OpenSslDeleter<ECDSA_SIG_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, OpenSslDeleter<EVP_MD_CTX_free>>;

constexpr int kEs384ScalarBytes = 48;
constexpr qsizetype kEs384SignatureBytes = 2 * kEs384ScalarBytes;
constexpr int kMaxAssertionLifetime = 300; // SMART Backend Services: at most five minutes
constexpr int kJtiBytes = 32;

void setError(QString *error, const QString &message)
{
    if (error)
        *error = message;
}

// Failed OpenSSL calls leave entries in a thread-local queue that other users of libcrypto
// (QSslSocket) would otherwise pick up as their own errors.
void clearOpenSslErrors()
{
    ERR_clear_error();
}

const unsigned char *bytes(const QByteArray &data)
{
    return reinterpret_cast<const unsigned char *>(data.constData());
}

// OpenSSL produces DER ECDSA-Sig-Value; JWS wants fixed-width r||s (RFC 7518 §3.4).
std::optional<QByteArray> derToRawEcdsa(const QByteArray &der)
{
    const unsigned char *cursor = bytes(der);
    EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &cursor, static_cast<long>(der.size())));
    if (!sig || cursor != bytes(der) + der.size())
        return std::nullopt;
    const BIGNUM *r = nullptr;
    const BIGNUM *s = nullptr;
    ECDSA_SIG_get0(sig.get(), &r, &s);
    QByteArray raw(kEs384SignatureBytes, '\0');
    auto *out = reinterpret_cast<unsigned char *>(raw.data());
    if (BN_bn2binpad(r, out, kEs384ScalarBytes) != kEs384ScalarBytes ||
        BN_bn2binpad(s, out + kEs384ScalarBytes, kEs384ScalarBytes) != kEs384ScalarBytes)
        return std::nullopt;
    return raw;
}

std::optional<QByteArray> rawToDerEcdsa(const QByteArray &raw)
{
    if (raw.size() != kEs384SignatureBytes)
        return std::nullopt;
    BignumPtr r(BN_bin2bn(bytes(raw), kEs384ScalarBytes, nullptr));
    BignumPtr s(BN_bin2bn(bytes(raw) + kEs384ScalarBytes, kEs384ScalarBytes, nullptr));
    EcdsaSigPtr sig(ECDSA_SIG_new());
    if (!r || !s || !sig || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1)
        return std::nullopt;
    // ECDSA_SIG_set0 took ownership.
    r.release();
    s.release();
    const int length = i2d_ECDSA_SIG(sig.get(), nullptr);
    if (length <= 0)
        return std::nullopt;
    QByteArray der(length, '\0');
    auto *out = reinterpret_cast<unsigned char *>(der.data());
    if (i2d_ECDSA_SIG(sig.get(), &out) != length)
        return std::nullopt;
    return der;
}

std::optional<QByteArray> signSha384(EVP_PKEY *pkey, const QByteArray &input)
{
    MdCtxPtr ctx(EVP_MD_CTX_new());
    size_t length = 0;
    if (!ctx ||
        EVP_DigestSignInit_ex(ctx.get(), nullptr, "SHA384", nullptr, nullptr, pkey, nullptr) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &length, bytes(input),
                       static_cast<size_t>(input.size())) != 1)
        return std::nullopt;
    QByteArray signature(static_cast<qsizetype>(length), '\0');
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char *>(signature.data()), &length,
                       bytes(input), static_cast<size_t>(input.size())) != 1)
        return std::nullopt;
    signature.resize(static_cast<qsizetype>(length));
    return signature;
}

bool verifySha384(EVP_PKEY *pkey, const QByteArray &input, const QByteArray &signature)
{
    MdCtxPtr ctx(EVP_MD_CTX_new());
    return ctx &&
           EVP_DigestVerifyInit_ex(ctx.get(), nullptr, "SHA384", nullptr, nullptr, pkey, nullptr) ==
               1 &&
           EVP_DigestVerify(ctx.get(), bytes(signature), static_cast<size_t>(signature.size()),
                            bytes(input), static_cast<size_t>(input.size())) == 1;
}

QString keyDescription(JwtAlgorithm alg)
{
    return alg == JwtAlgorithm::RS384 ? QStringLiteral("an RSA key (RS384)")
                                      : QStringLiteral("an EC P-384 key (ES384)");
}

std::optional<QJsonObject> decodeJsonPart(const QByteArray &part, const QString &what,
                                          QString *error)
{
    const std::optional<QByteArray> json = fromBase64Url(part);
    if (!json) {
        setError(error, QStringLiteral("The JWT %1 is not valid base64url.").arg(what));
        return std::nullopt;
    }
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(*json, &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject()) {
        setError(error, QStringLiteral("The JWT %1 is not a JSON object.").arg(what));
        return std::nullopt;
    }
    return document.object();
}

} // namespace

QByteArray signJwt(const Key &privateKey, QJsonObject header, const QJsonObject &claims,
                   QString *error)
{
    if (privateKey.isNull()) {
        setError(error, QStringLiteral("No signing key was given."));
        return {};
    }
    const std::optional<JwtAlgorithm> alg = privateKey.algorithm();
    if (!alg) {
        setError(error, QStringLiteral("The signing key is neither an RSA key (RS384) nor an EC "
                                       "P-384 key (ES384)."));
        return {};
    }
    if (!privateKey.isPrivate()) {
        setError(error, QStringLiteral("The signing key is a public key; signing needs the "
                                       "private key."));
        return {};
    }
    const QString algName = algorithmName(*alg);
    const QJsonValue requested = header.value(QStringLiteral("alg"));
    if (!requested.isUndefined() && requested.toString() != algName) {
        setError(error, QStringLiteral("The JWT header asks for alg \"%1\", but the signing key is "
                                       "%2.")
                            .arg(requested.toString().left(32), keyDescription(*alg)));
        return {};
    }
    header.insert(QStringLiteral("alg"), algName);
    if (!header.contains(QStringLiteral("typ")))
        header.insert(QStringLiteral("typ"), QStringLiteral("JWT"));
    if (!header.contains(QStringLiteral("kid")) && !privateKey.keyId().isEmpty())
        header.insert(QStringLiteral("kid"), privateKey.keyId());

    const QByteArray signingInput =
        base64Url(QJsonDocument(header).toJson(QJsonDocument::Compact)) + '.' +
        base64Url(QJsonDocument(claims).toJson(QJsonDocument::Compact));
    std::optional<QByteArray> signature = signSha384(privateKey.handle(), signingInput);
    if (signature && *alg == JwtAlgorithm::ES384)
        signature = derToRawEcdsa(*signature);
    if (!signature) {
        clearOpenSslErrors();
        setError(error, QStringLiteral("Signing the JWT with %1 failed.").arg(algName));
        return {};
    }
    return signingInput + '.' + base64Url(*signature);
}

std::optional<Jwt> decodeJwt(QByteArrayView compact, QString *error)
{
    const QList<QByteArray> parts = compact.toByteArray().split('.');
    if (parts.size() != 3) {
        setError(error, QStringLiteral("A compact JWT has three parts separated by dots, but this "
                                       "one has %1.")
                            .arg(parts.size()));
        return std::nullopt;
    }
    Jwt jwt;
    const auto header = decodeJsonPart(parts.at(0), QStringLiteral("header"), error);
    if (!header)
        return std::nullopt;
    const auto claims = decodeJsonPart(parts.at(1), QStringLiteral("claims"), error);
    if (!claims)
        return std::nullopt;
    const std::optional<QByteArray> signature = fromBase64Url(parts.at(2));
    if (!signature) {
        setError(error, QStringLiteral("The JWT signature is not valid base64url."));
        return std::nullopt;
    }
    jwt.header = *header;
    jwt.claims = *claims;
    jwt.signingInput = parts.at(0) + '.' + parts.at(1);
    jwt.signature = *signature;
    return jwt;
}

bool verifyJwt(const Jwt &jwt, const Key &publicKey, QString *error)
{
    if (publicKey.isNull()) {
        setError(error, QStringLiteral("No verification key was given."));
        return false;
    }
    const std::optional<JwtAlgorithm> keyAlg = publicKey.algorithm();
    if (!keyAlg) {
        setError(error, QStringLiteral("The verification key is neither an RSA key (RS384) nor an "
                                       "EC P-384 key (ES384)."));
        return false;
    }
    const QJsonValue algValue = jwt.header.value(QStringLiteral("alg"));
    if (!algValue.isString()) {
        setError(error, QStringLiteral("The JWT header has no string member \"alg\"."));
        return false;
    }
    // Anything but the two asymmetric algorithms is refused, "none" and HS* included.
    const std::optional<JwtAlgorithm> headerAlg = algorithmFromName(algValue.toString());
    if (!headerAlg) {
        setError(error, QStringLiteral("The JWT uses alg \"%1\"; only RS384 and ES384 are "
                                       "accepted.")
                            .arg(algValue.toString().left(32)));
        return false;
    }
    if (*headerAlg != *keyAlg) {
        setError(error, QStringLiteral("The JWT uses alg %1, but the verification key is %2.")
                            .arg(algorithmName(*headerAlg), keyDescription(*keyAlg)));
        return false;
    }
    // RFC 7515 §4.1.11: extensions we do not understand must not be silently ignored.
    if (jwt.header.contains(QStringLiteral("crit"))) {
        setError(error, QStringLiteral("The JWT header lists critical extensions (\"crit\"), "
                                       "which are not supported."));
        return false;
    }

    QByteArray signature = jwt.signature;
    if (*keyAlg == JwtAlgorithm::ES384) {
        if (signature.size() != kEs384SignatureBytes) {
            setError(error, QStringLiteral("An ES384 signature must be %1 bytes (r followed by s), "
                                           "but this one is %2 bytes.")
                                .arg(kEs384SignatureBytes)
                                .arg(signature.size()));
            return false;
        }
        const std::optional<QByteArray> der = rawToDerEcdsa(signature);
        if (!der) {
            clearOpenSslErrors();
            setError(error, QStringLiteral("The ES384 signature could not be decoded."));
            return false;
        }
        signature = *der;
    } else {
        const int expected = EVP_PKEY_get_size(publicKey.handle());
        if (signature.size() != expected) {
            setError(error, QStringLiteral("An RS384 signature for this key must be %1 bytes, but "
                                           "this one is %2 bytes.")
                                .arg(expected)
                                .arg(signature.size()));
            return false;
        }
    }
    if (!verifySha384(publicKey.handle(), jwt.signingInput, signature)) {
        clearOpenSslErrors();
        setError(error, QStringLiteral("The JWT signature does not match the key."));
        return false;
    }
    return true;
}

QByteArray makeClientAssertion(const Key &privateKey, const QString &clientId,
                               const QString &tokenUrl, int lifetimeSeconds,
                               std::optional<qint64> nowSecs, QString *error)
{
    if (clientId.isEmpty()) {
        setError(error, QStringLiteral("The client ID for the client assertion is empty."));
        return {};
    }
    if (tokenUrl.isEmpty()) {
        setError(error, QStringLiteral("The token endpoint URL for the client assertion is "
                                       "empty."));
        return {};
    }
    if (!privateKey.isNull() && privateKey.keyId().isEmpty()) {
        setError(error, QStringLiteral("The signing key has no key ID; SMART Backend Services "
                                       "requires \"kid\" in the client assertion header."));
        return {};
    }
    unsigned char random[kJtiBytes];
    if (RAND_bytes(random, kJtiBytes) != 1) {
        clearOpenSslErrors();
        setError(error, QStringLiteral("The system random number generator failed, so no unique "
                                       "JWT ID could be made."));
        return {};
    }
    const QByteArray jti = QByteArray(reinterpret_cast<const char *>(random), kJtiBytes).toHex();

    const qint64 now = nowSecs.value_or(QDateTime::currentSecsSinceEpoch());
    const int lifetime = std::clamp(lifetimeSeconds, 1, kMaxAssertionLifetime);
    // qint64 keeps iat/exp JSON integers; as doubles they could be written in exponent form.
    const QJsonObject claims{
        {QStringLiteral("iss"), clientId},       {QStringLiteral("sub"), clientId},
        {QStringLiteral("aud"), tokenUrl},       {QStringLiteral("iat"), now},
        {QStringLiteral("exp"), now + lifetime}, {QStringLiteral("jti"), QString::fromLatin1(jti)},
    };
    return signJwt(privateKey, QJsonObject{{QStringLiteral("typ"), QStringLiteral("JWT")}}, claims,
                   error);
}

} // namespace cohort::auth
