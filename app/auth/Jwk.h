#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringView>

#include <openssl/types.h>

#include <memory>
#include <optional>

namespace cohort::auth {

// The two algorithms SMART Backend Services requires servers to support.
enum class JwtAlgorithm
{
    RS384,
    ES384
};

QString algorithmName(JwtAlgorithm alg);
std::optional<JwtAlgorithm> algorithmFromName(QStringView name);

// Owning, copyable (shared) handle around an EVP_PKEY. Copies share the same OpenSSL key,
// which is never mutated after construction, so copies are safe to use from several threads.
// The loaders (generate/fromPem/fromJwk/fromBytes) only ever return RSA (>= 2048 bits) or
// EC P-384 keys; anything else comes back null with an explanation in *error.
class Key
{
public:
    Key();

    bool isNull() const;
    bool isPrivate() const;
    // RS384 for RSA keys, ES384 for EC P-384 keys; nullopt for null or unsupported keys.
    std::optional<JwtAlgorithm> algorithm() const;

    QString keyId() const;
    void setKeyId(const QString &kid);

    // Still owned by the Key; valid as long as any copy of it lives.
    EVP_PKEY *handle() const;

    // RSA 3072 bits for RS384, P-384 for ES384.
    static Key generate(JwtAlgorithm alg, const QString &kid, QString *error = nullptr);
    // PEM: PKCS#8 private keys, the traditional RSA and EC private key forms, and
    // SubjectPublicKeyInfo public keys. Encrypted keys are rejected.
    static Key fromPem(const QByteArray &pem, QString *error = nullptr);
    // RSA (n, e [, d, p, q, dp, dq, qi]) or EC P-384 (x, y [, d]); reads "kid", checks "alg"
    // and "use" when present; other members ("key_ops", "ext", ...) are ignored. Private keys
    // must pass a sign/verify self-test, so inconsistent members are caught here.
    static Key fromJwk(const QJsonObject &jwk, QString *error = nullptr);
    // PEM, a single JWK, or a JWKS ({"keys": [...]}: first private key, else first key).
    static Key fromBytes(const QByteArray &data, QString *error = nullptr);

    // kty, kid (when set), alg, use "sig", key_ops ["verify"], n/e or crv/x/y.
    QJsonObject publicJwk() const;
    // publicJwk() plus the private members and key_ops ["sign"]; empty for public keys.
    QJsonObject privateJwk() const;
    // PKCS#8 PEM; empty for public keys.
    QByteArray privatePem() const;
    // SubjectPublicKeyInfo PEM.
    QByteArray publicPem() const;

private:
    explicit Key(EVP_PKEY *owned, const QString &kid);

    std::shared_ptr<EVP_PKEY> m_key;
    QString m_keyId;
};

// {"keys": [publicJwk...]}, skipping null keys.
QJsonObject jwks(const QList<Key> &keys);
// Skips unusable keys (and keys marked "use": "enc"); sets *error only when none is usable.
QList<Key> keysFromJwks(const QJsonObject &jwks, QString *error = nullptr);

// base64url without padding (RFC 7515 §2).
QByteArray base64Url(const QByteArray &data);
// Strict: rejects padding, whitespace, characters outside the base64url alphabet and
// non-canonical encodings, so each byte string has exactly one accepted encoding.
std::optional<QByteArray> fromBase64Url(QByteArrayView encoded);

} // namespace cohort::auth
