// The one step from a saved profile to connection settings, shared by the desktop app and the
// command line: every field, every sign-in method and how each secret is taken.

#include "auth/ProfileConnection.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace cohort::auth;
using Method = ServerProfile::AuthMethod;
using Auth = ConnectionSettings::Auth;

class TestProfileConnection : public QObject
{
    Q_OBJECT

private slots:
    void everyFieldButTheSecret();
    void methodsAndSecrets_data();
    void methodsAndSecrets();
    void bearerTokensAreNormalized_data();
    void bearerTokensAreNormalized();
    void otherSecretsAreTakenAsTheyAre();
};

void TestProfileConnection::everyFieldButTheSecret()
{
    ServerProfile p;
    p.name = u"Hospital"_s;
    p.baseUrl = QUrl(u"https://fhir.example.org/r4"_s);
    p.auth = Method::SmartBackend;
    p.clientId = u"client-1"_s;
    p.scopes = u"system/Patient.read"_s;
    p.keyId = u"kid-9"_s;
    p.tokenUrl = QUrl(u"https://auth.example.org/token"_s);
    p.caCertificatePem = "-----BEGIN CERTIFICATE-----\n";
    p.parallelDownloads = 7;
    p.outputFolder = u"/data/exports"_s;
    const ConnectionSettings s = connectionFor(p);
    QCOMPARE(s.server, p.baseUrl);
    QCOMPARE(s.auth, Auth::SmartBackend);
    QCOMPARE(s.clientId, p.clientId);
    QCOMPARE(s.scopes, p.scopes);
    QCOMPARE(s.keyId, p.keyId);
    QCOMPARE(s.tokenUrl, p.tokenUrl);
    QCOMPARE(s.caCertificatePem, p.caCertificatePem);
    QCOMPARE(s.parallelDownloads, 7);
    QCOMPARE(s.outputFolder, p.outputFolder);
    QVERIFY(s.caCertificateOrigin.contains(u"Hospital"_s));
    QVERIFY(s.privateKeyOrigin.contains(u"Hospital"_s));
    QVERIFY(s.bearerToken.isEmpty() && s.clientSecret.isEmpty() && s.privateKey.isEmpty());

    p.name.clear(); // a profile still being written: no empty quotes in messages
    QVERIFY(!connectionFor(p).caCertificateOrigin.contains(u"“”"_s));
    QVERIFY(!connectionFor(p).caCertificateOrigin.isEmpty());
}

void TestProfileConnection::methodsAndSecrets_data()
{
    QTest::addColumn<Method>("method");
    QTest::addColumn<Auth>("auth");
    QTest::addColumn<int>("secret"); // -1: none
    QTest::newRow("none") << Method::None << Auth::None << -1;
    QTest::newRow("bearer") << Method::BearerToken << Auth::BearerToken
                            << int(CredentialStore::Secret::BearerToken);
    QTest::newRow("smart") << Method::SmartBackend << Auth::SmartBackend
                           << int(CredentialStore::Secret::PrivateKey);
    QTest::newRow("client-secret")
        << Method::ClientSecret << Auth::ClientSecret << int(CredentialStore::Secret::ClientSecret);
}

void TestProfileConnection::methodsAndSecrets()
{
    QFETCH(Method, method);
    QFETCH(Auth, auth);
    QFETCH(int, secret);
    ServerProfile p;
    p.auth = method;
    QCOMPARE(connectionFor(p).auth, auth);
    const auto which = secretFor(method);
    QCOMPARE(which.has_value(), secret >= 0);
    if (which)
        QCOMPARE(int(*which), secret);
}

void TestProfileConnection::bearerTokensAreNormalized_data()
{
    QTest::addColumn<QByteArray>("stored");
    QTest::addColumn<QString>("sent");
    QTest::newRow("plain") << QByteArray("abc.def") << u"abc.def"_s;
    QTest::newRow("pasted with a newline") << QByteArray("abc.def\n") << u"abc.def"_s;
    QTest::newRow("windows line end, spaces") << QByteArray("  abc.def \r\n") << u"abc.def"_s;
    QTest::newRow("with the scheme") << QByteArray("Bearer abc.def") << u"abc.def"_s;
    QTest::newRow("scheme in lower case") << QByteArray("\tbearer   abc.def\n") << u"abc.def"_s;
    QTest::newRow("Bearer-like token") << QByteArray("Bearerabc") << u"Bearerabc"_s;
}

// The desktop app trimmed a token read from the keychain and the command line did not, so a
// token pasted with a newline worked in one and failed in the other: both take it here now.
void TestProfileConnection::bearerTokensAreNormalized()
{
    QFETCH(QByteArray, stored);
    QFETCH(QString, sent);
    ServerProfile p;
    p.auth = Method::BearerToken;
    ConnectionSettings s = connectionFor(p);
    putSecret(&s, CredentialStore::Secret::BearerToken, stored);
    QCOMPARE(s.bearerToken, sent);
    QCOMPARE(normalizedBearerToken(QString::fromUtf8(stored)), sent);
}

void TestProfileConnection::otherSecretsAreTakenAsTheyAre()
{
    ConnectionSettings s;
    putSecret(&s, CredentialStore::Secret::ClientSecret, " spaced secret \n");
    QCOMPARE(s.clientSecret, u" spaced secret \n"_s);
    const QByteArray pem = "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n";
    putSecret(&s, CredentialStore::Secret::PrivateKey, pem);
    QCOMPARE(s.privateKey, pem);
    QVERIFY(s.bearerToken.isEmpty());
}

QTEST_GUILESS_MAIN(TestProfileConnection)
#include "tst_ProfileConnection.moc"
