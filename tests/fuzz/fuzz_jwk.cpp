// Key::fromBytes: PEM, a JWK or a JWKS, as a person pastes or a file holds it. A key that loads
// must survive its own export: public JWK, and for private keys PKCS#8 PEM and a signature.
//
// Private keys are not checked in (the repository's secret scan rightly flags them): with
// COHORT_FUZZ_JWK_SEEDS=DIR the target first writes freshly generated private keys (PKCS#8 PEM,
// JWK, JWKS) there, and run-fuzzers.sh passes DIR as a further seed corpus.
#define COHORT_FUZZ_OWN_INITIALIZE
#include "FuzzSupport.h"

#include "auth/Jwk.h"
#include "auth/Jwt.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

using namespace cohort;

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    fuzz::initQt();
    const QString dir = qEnvironmentVariable("COHORT_FUZZ_JWK_SEEDS");
    if (dir.isEmpty() || !QDir().mkpath(dir))
        return 0;
    auto write = [&](const QString &name, const QByteArray &bytes) {
        QFile file(QDir(dir).filePath(name));
        if (file.open(QIODevice::WriteOnly | QIODevice::Truncate))
            file.write(bytes);
    };
    for (const auto alg : {auth::JwtAlgorithm::RS384, auth::JwtAlgorithm::ES384}) {
        const QString name = auth::algorithmName(alg).toLower();
        const auth::Key key = auth::Key::generate(alg, QStringLiteral("seed-") + name);
        if (key.isNull())
            continue;
        const QJsonObject jwk = key.privateJwk();
        write(name + QStringLiteral("-private.pem"), key.privatePem());
        write(name + QStringLiteral("-private.jwk"), QJsonDocument(jwk).toJson());
        write(name + QStringLiteral("-private.jwks"),
              QJsonDocument(QJsonObject{{QStringLiteral("keys"), QJsonArray{key.publicJwk(), jwk}}})
                  .toJson(QJsonDocument::Compact));
    }
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    QString error;
    const auth::Key key = auth::Key::fromBytes(fuzz::bytes(data, size), &error);
    if (key.isNull()) {
        FUZZ_CHECK(!error.isEmpty());
        return 0;
    }
    FUZZ_CHECK(key.algorithm().has_value());
    const QJsonObject publicJwk = key.publicJwk();
    FUZZ_CHECK(!publicJwk.isEmpty());
    const auth::Key publicAgain = auth::Key::fromJwk(publicJwk, &error);
    FUZZ_CHECK(!publicAgain.isNull() && !publicAgain.isPrivate());
    FUZZ_CHECK(publicAgain.publicJwk() == publicJwk);
    FUZZ_CHECK(!auth::Key::fromPem(key.publicPem()).isNull());
    if (!key.isPrivate()) {
        FUZZ_CHECK(key.privateJwk().isEmpty() && key.privatePem().isEmpty());
        return 0;
    }
    auth::Key fromPem = auth::Key::fromPem(key.privatePem(), &error);
    FUZZ_CHECK(!fromPem.isNull() && fromPem.isPrivate());
    fromPem.setKeyId(key.keyId()); // PEM has no place for it
    FUZZ_CHECK(fromPem.publicJwk() == publicJwk);
    const QByteArray jwt = auth::signJwt(key, {}, {{QStringLiteral("iss"), QStringLiteral("x")}});
    FUZZ_CHECK(!jwt.isEmpty());
    const auto decoded = auth::decodeJwt(jwt, &error);
    FUZZ_CHECK(decoded && auth::verifyJwt(*decoded, publicAgain, &error));
    return 0;
}
