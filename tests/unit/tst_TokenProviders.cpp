// The parts of the auth layer that need no server: reading a smart-configuration document,
// configuration checks, the client_secret_basic header, the renewal margin. The providers
// against a real token endpoint are in tests/integration/tst_Auth.cpp.

#include "auth/ClientSecretTokenProvider.h"
#include "auth/Jwk.h"
#include "auth/SmartBackendTokenProvider.h"
#include "auth/SmartDiscovery.h"
#include "fhir/FhirClient.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QTest>

using namespace cohort;
using namespace Qt::StringLiterals;

class TestTokenProviders : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void wellKnownDocument();
    void wellKnownDocumentUnusable_data();
    void wellKnownDocumentUnusable();
    void renewalMargin_data();
    void renewalMargin();
    void lifetimeOfExpiresIn_data();
    void lifetimeOfExpiresIn();
    void smartConfigChecks_data();
    void smartConfigChecks();
    void configProblemSendsNothing();
    void basicAuthorization();

private:
    auth::Key m_key;
};

void TestTokenProviders::initTestCase()
{
    QString error;
    m_key = auth::Key::generate(auth::JwtAlgorithm::ES384, u"k1"_s, &error);
    QVERIFY2(!m_key.isNull(), qPrintable(error));
}

void TestTokenProviders::wellKnownDocument()
{
    const QJsonObject json{
        {u"token_endpoint"_s, u"../auth/token"_s},
        {u"token_endpoint_auth_methods_supported"_s,
         QJsonArray{u"private_key_jwt"_s, u"client_secret_basic"_s}},
        {u"token_endpoint_auth_signing_alg_values_supported"_s, QJsonArray{u"ES384"_s}},
    };
    const QUrl document(u"https://h/fhir/.well-known/smart-configuration"_s);
    const auto configuration = auth::SmartConfiguration::fromWellKnown(json, document);
    QVERIFY(configuration);
    QCOMPARE(configuration->tokenEndpoint, QUrl(u"https://h/fhir/auth/token"_s));
    QCOMPARE(configuration->authMethods,
             (QStringList{u"private_key_jwt"_s, u"client_secret_basic"_s}));
    QCOMPARE(configuration->signingAlgorithms, QStringList{u"ES384"_s});
    QCOMPARE(configuration->source, auth::SmartConfiguration::Source::WellKnown);
    QCOMPARE(configuration->documentUrl, document);
}

void TestTokenProviders::wellKnownDocumentUnusable_data()
{
    QTest::addColumn<QJsonObject>("json");
    QTest::addColumn<QString>("why");
    QTest::newRow("empty") << QJsonObject() << u"not a JSON object"_s;
    QTest::newRow("no endpoint") << QJsonObject{{u"issuer"_s, u"https://h"_s}}
                                 << u"names no token_endpoint"_s;
    QTest::newRow("ftp") << QJsonObject{{u"token_endpoint"_s, u"ftp://h/token"_s}}
                         << u"is not an http(s) URL"_s;
}

void TestTokenProviders::wellKnownDocumentUnusable()
{
    QFETCH(QJsonObject, json);
    QFETCH(QString, why);
    QString reason;
    QVERIFY(!auth::SmartConfiguration::fromWellKnown(
        json, QUrl(u"https://h/fhir/.well-known/smart-configuration"_s), &reason));
    QVERIFY2(reason.contains(why), qPrintable(reason));
}

void TestTokenProviders::renewalMargin_data()
{
    QTest::addColumn<qint64>("lifetime");
    QTest::addColumn<qint64>("margin");
    QTest::newRow("5 min") << qint64(300) << qint64(30);
    QTest::newRow("1 h") << qint64(3600) << qint64(360);
    QTest::newRow("1 min") << qint64(60) << qint64(30);
    QTest::newRow("20 s") << qint64(20) << qint64(10);
    QTest::newRow("2 s") << qint64(2) << qint64(1);
}

void TestTokenProviders::renewalMargin()
{
    QFETCH(qint64, lifetime);
    QFETCH(qint64, margin);
    QCOMPARE(auth::CachingTokenProvider::renewalMargin(lifetime), margin);
}

void TestTokenProviders::lifetimeOfExpiresIn_data()
{
    QTest::addColumn<QJsonValue>("expiresIn");
    QTest::addColumn<qint64>("seconds");
    QTest::newRow("number") << QJsonValue(3600) << qint64(3600);
    QTest::newRow("string") << QJsonValue(u" 3600 "_s) << qint64(3600);
    QTest::newRow("missing") << QJsonValue() << qint64(300);
    QTest::newRow("zero") << QJsonValue(0) << qint64(300);
    QTest::newRow("negative") << QJsonValue(-5) << qint64(300);
    QTest::newRow("garbage") << QJsonValue(u"soon"_s) << qint64(300);
    // Found by review of what the fuzzers found in Manifest: a double beyond qint64 was converted
    // (undefined behaviour), and the largest qint64 overflowed "requested at + lifetime".
    QTest::newRow("1e300") << QJsonValue(1e300) << qint64(366 * 24 * 3600);
    QTest::newRow("int64 max as text")
        << QJsonValue(u"9223372036854775807"_s) << qint64(366 * 24 * 3600);
}

void TestTokenProviders::lifetimeOfExpiresIn()
{
    QFETCH(QJsonValue, expiresIn);
    QFETCH(qint64, seconds);
    QCOMPARE(auth::CachingTokenProvider::lifetimeOf(expiresIn), seconds);
}

void TestTokenProviders::smartConfigChecks_data()
{
    QTest::addColumn<QString>("clientId");
    QTest::addColumn<int>("keyKind"); // 0 none, 1 private, 2 public only, 3 private without kid
    QTest::addColumn<QString>("problem");
    QTest::newRow("fine") << u"c"_s << 1 << QString();
    QTest::newRow("no client id") << QString() << 1 << u"No client id"_s;
    QTest::newRow("no key") << u"c"_s << 0 << u"No private key"_s;
    QTest::newRow("public key") << u"c"_s << 2 << u"public key"_s;
    QTest::newRow("no kid") << u"c"_s << 3 << u"key id (kid)"_s;
}

void TestTokenProviders::smartConfigChecks()
{
    QFETCH(QString, clientId);
    QFETCH(int, keyKind);
    QFETCH(QString, problem);
    auth::SmartBackendTokenProvider::Config config;
    config.clientId = clientId;
    if (keyKind == 1)
        config.privateKey = m_key;
    else if (keyKind == 2)
        config.privateKey = auth::Key::fromJwk(m_key.publicJwk());
    else if (keyKind == 3)
        config.privateKey = auth::Key::fromPem(m_key.privatePem());
    const QString found = auth::SmartBackendTokenProvider::checkConfig(config);
    if (problem.isEmpty())
        QVERIFY2(found.isEmpty(), qPrintable(found));
    else
        QVERIFY2(found.contains(problem), qPrintable(found));
}

void TestTokenProviders::configProblemSendsNothing()
{
    // A key without kid cannot make a valid assertion: the provider says so without asking
    // the server (the client points nowhere reachable).
    QNetworkAccessManager network;
    fhir::FhirClient client(&network, QUrl(u"http://127.0.0.1:1/fhir"_s));
    auth::SmartBackendTokenProvider::Config config;
    config.clientId = u"c"_s;
    config.privateKey = auth::Key::fromPem(m_key.privatePem());
    config.tokenUrl = QUrl(u"http://127.0.0.1:1/token"_s);
    auth::SmartBackendTokenProvider provider(config, &client);
    bool done = false;
    fhir::FhirError error;
    provider.token(nullptr, [&](const QString &token, const fhir::FhirError &e) {
        QVERIFY(token.isEmpty());
        error = e;
        done = true;
    });
    QTRY_VERIFY(done);
    QCOMPARE(error.kind, fhir::FhirError::Kind::Auth);
    QVERIFY2(error.message().contains(u"key id (kid)"_s), qPrintable(error.message()));
    QCOMPARE(provider.tokenRequests(), 0);
    QVERIFY(provider.canRenew());
}

void TestTokenProviders::basicAuthorization()
{
    // RFC 6749 §2.3.1: each part form-urlencoded before base64, so ':' in a secret survives.
    QCOMPARE(auth::ClientSecretTokenProvider::basicAuthorization(u"client"_s, u"secret"_s),
             QByteArray("Basic Y2xpZW50OnNlY3JldA=="));
    const QByteArray header =
        auth::ClientSecretTokenProvider::basicAuthorization(u"my client"_s, u"a:b+c/d\u00e9"_s);
    QVERIFY(header.startsWith("Basic "));
    QCOMPARE(QByteArray::fromBase64(header.mid(6)), QByteArray("my+client:a%3Ab%2Bc%2Fd%C3%A9"));
}

QTEST_GUILESS_MAIN(TestTokenProviders)
#include "tst_TokenProviders.moc"
