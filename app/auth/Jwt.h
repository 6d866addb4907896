#pragma once

#include "auth/Jwk.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonObject>
#include <QString>

#include <optional>

namespace cohort::auth {

// A decoded compact JWS. signingInput is the exact "header.claims" text that was signed, and
// signature holds the decoded bytes (raw r||s for ES384).
struct Jwt
{
    QJsonObject header;
    QJsonObject claims;
    QByteArray signingInput;
    QByteArray signature;
};

// Sets header "alg" from the key (an explicit, different "alg" is an error), and adds "typ":
// "JWT" and "kid" (the key's id, when it has one) unless the header already has them.
QByteArray signJwt(const Key &privateKey, QJsonObject header, const QJsonObject &claims,
                   QString *error = nullptr);

// Splits and decodes without verifying anything.
std::optional<Jwt> decodeJwt(QByteArrayView compact, QString *error = nullptr);

// Checks only the signature and that header "alg" matches the key; claims such as exp, aud and
// jti are the caller's business.
bool verifyJwt(const Jwt &jwt, const Key &publicKey, QString *error = nullptr);

// SMART Backend Services client assertion: iss = sub = clientId, aud = tokenUrl, iat = now,
// exp = now + lifetimeSeconds clamped to [1, 300], jti = 32 random bytes as hex. The key must
// have a key id, because the spec requires "kid" in the header.
QByteArray makeClientAssertion(const Key &privateKey, const QString &clientId,
                               const QString &tokenUrl, int lifetimeSeconds = 300,
                               std::optional<qint64> nowSecs = std::nullopt,
                               QString *error = nullptr);

} // namespace cohort::auth
