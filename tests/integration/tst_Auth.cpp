// Authorization end to end against the demo server with auth on: SMART discovery, SMART
// Backend Services with RS384 and ES384 keys, renewal before expiry and after a 401, one token
// request for many callers, every refusal explained, client_secret_basic, tokens that never
// leave their origin or land in a file, and the command line's connection options.

#include "TestFiles.h"
#include "TestHttp.h"
#include "auth/CachingTokenProvider.h"
#include "auth/ClientSecretTokenProvider.h"
#include "auth/Jwk.h"
#include "auth/Jwt.h"
#include "auth/SmartBackendTokenProvider.h"
#include "auth/SmartDiscovery.h"
#include "demo/DemoServer.h"
#include "demo/SyntheticCohort.h"
#include "export/ExportJob.h"
#include "fhir/FhirClient.h"

#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>

using namespace cohort;
using namespace cohort::test;
using namespace Qt::StringLiterals;
using bulk::ExportJob;
using bulk::ExportState;
using fhir::FhirError;

namespace {

const auto kClientId = u"auth-test"_s;
const QByteArray kNotFound = "{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":"
                             "\"error\",\"code\":\"not-found\"}]}";

// A SMART provider that remembers what it handed out (to look for it in files afterwards) and,
// when told to, sends the previous client assertion again (a replay the server must refuse).
class RecordingProvider : public auth::SmartBackendTokenProvider
{
public:
    using SmartBackendTokenProvider::SmartBackendTokenProvider;

    QStringList tokens;
    QStringList assertions;
    bool replay = false;

    void token(QObject *context, Callback done) override
    {
        SmartBackendTokenProvider::token(
            context, [this, done = std::move(done)](const QString &t, const FhirError &e) {
                if (!t.isEmpty() && !tokens.contains(t))
                    tokens.append(t);
                done(t, e);
            });
    }

protected:
    QString authenticate(const QUrl &tokenUrl, FormFields &form,
                         fhir::RequestOptions &options) override
    {
        if (replay && !m_last.isEmpty()) {
            form += m_last;
            return {};
        }
        FormFields mine;
        const QString problem = SmartBackendTokenProvider::authenticate(tokenUrl, mine, options);
        for (const auto &[name, value] : std::as_const(mine)) {
            if (name == "client_assertion"_L1)
                assertions.append(value);
        }
        m_last = mine;
        form += mine;
        return problem;
    }

private:
    FormFields m_last;
};

struct TokenResult
{
    bool done = false;
    QString token;
    FhirError error;
};

// Serves canned answers by path over plain HTTP/1.1 (one request per connection): a server
// the demo server cannot imitate, e.g. one without .well-known/smart-configuration.
class CannedServer : public QObject
{
public:
    struct Answer
    {
        int status = 404;
        QByteArray body;
    };

    explicit CannedServer(QHash<QString, Answer> answers)
        : m_answers(std::move(answers))
    {
        m_server.listen(QHostAddress::LocalHost, 0);
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                socket->setParent(this);
                connect(socket, &QTcpSocket::readyRead, socket, [this, socket] { serve(socket); });
                connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            }
        });
    }

    QUrl url(const QString &path) const
    {
        return QUrl(u"http://127.0.0.1:%1%2"_s.arg(m_server.serverPort()).arg(path));
    }

    QStringList paths; // in the order asked

private:
    void serve(QTcpSocket *socket)
    {
        QByteArray &buffer = m_buffers[socket];
        buffer += socket->readAll();
        if (!buffer.contains("\r\n\r\n"))
            return;
        const QList<QByteArray> requestLine = buffer.left(buffer.indexOf("\r\n")).split(' ');
        const QString path = QString::fromLatin1(requestLine.value(1)).section(u'?', 0, 0);
        paths.append(path);
        const Answer answer = m_answers.value(path, Answer{404, kNotFound});
        socket->write("HTTP/1.1 " + QByteArray::number(answer.status) +
                      " Canned\r\nContent-Type: application/json\r\nContent-Length: " +
                      QByteArray::number(answer.body.size()) + "\r\nConnection: close\r\n\r\n" +
                      answer.body);
        socket->disconnectFromHost();
        m_buffers.remove(socket);
    }

    QTcpServer m_server;
    QHash<QString, Answer> m_answers;
    QHash<QTcpSocket *, QByteArray> m_buffers;
};

QByteArray capabilityStatementWithToken(const QUrl &tokenUrl)
{
    const QJsonObject token{{u"url"_s, u"token"_s}, {u"valueUri"_s, tokenUrl.toString()}};
    const QJsonObject oauthUris{
        {u"url"_s, u"http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris"_s},
        {u"extension"_s, QJsonArray{token}}};
    const QJsonObject rest{{u"mode"_s, u"server"_s},
                           {u"security"_s, QJsonObject{{u"extension"_s, QJsonArray{oauthUris}}}}};
    const QJsonObject statement{{u"resourceType"_s, u"CapabilityStatement"_s},
                                {u"fhirVersion"_s, u"4.0.1"_s},
                                {u"rest"_s, QJsonArray{rest}}};
    return QJsonDocument(statement).toJson(QJsonDocument::Compact);
}


} // namespace

class TestAuth : public QObject
{
    Q_OBJECT

private:
    struct Setup
    {
        std::unique_ptr<demo::DemoServer> server;
        std::unique_ptr<QNetworkAccessManager> network;
        std::unique_ptr<fhir::FhirClient> client;
        std::unique_ptr<RecordingProvider> provider;
    };

    demo::DemoServerOptions serverOptions() const
    {
        demo::DemoServerOptions o;
        o.patients = 40;
        o.exportSeconds = 0;
        o.resourcesPerFile = 400;
        o.auth = true;
        o.clientId = kClientId;
        o.clientKeys = {publicOf(m_rsKey), publicOf(m_ecKey)};
        return o;
    }
    static auth::Key publicOf(const auth::Key &key) { return auth::Key::fromJwk(key.publicJwk()); }
    static std::unique_ptr<demo::DemoServer> startServer(const demo::DemoServerOptions &o)
    {
        auto server = std::make_unique<demo::DemoServer>(o);
        QString error;
        if (!server->start(&error))
            qFatal("demo server: %s", qPrintable(error));
        return server;
    }
    // A server, a client, and a SMART provider signing with key (set on the client).
    Setup setup(const demo::DemoServerOptions &o, const auth::Key &key,
                const QString &scopes = u"system/*.read"_s, const QString &clientId = kClientId)
    {
        Setup s;
        s.server = startServer(o);
        s.network = std::make_unique<QNetworkAccessManager>();
        s.client = std::make_unique<fhir::FhirClient>(s.network.get(), s.server->baseUrl());
        auth::SmartBackendTokenProvider::Config config;
        config.clientId = clientId;
        config.scopes = scopes;
        config.privateKey = key;
        s.provider = std::make_unique<RecordingProvider>(config, s.client.get());
        s.client->setTokenProvider(s.provider.get());
        return s;
    }
    static void fetchToken(fhir::TokenProvider &provider, TokenResult *result)
    {
        *result = {};
        provider.token(nullptr, [result](const QString &token, const FhirError &error) {
            result->done = true;
            result->token = token;
            result->error = error;
        });
        QTRY_VERIFY_WITH_TIMEOUT(result->done, 30000);
    }
    static bulk::ExportRequest groupRequest(const demo::DemoServer &s,
                                            const QStringList &types = {})
    {
        bulk::ExportRequest r;
        r.level = bulk::ExportRequest::Level::Group;
        for (const auto &g : s.cohort().groups()) {
            if (g.active && g.members.size() >= 5) {
                r.groupId = g.id;
                break;
            }
        }
        r.types = types;
        return r;
    }
    static ExportState run(ExportJob &job, int timeoutMs = 120000)
    {
        QString error;
        if (job.journal().state == ExportState::Created && !job.prepare(&error)) {
            qWarning() << "prepare failed:" << error;
            return ExportState::Created;
        }
        QSignalSpy done(&job, &ExportJob::finished);
        job.start();
        if (!done.wait(timeoutMs))
            qWarning() << "job did not finish; state" << bulk::stateName(job.state());
        return job.state();
    }
    // Every file the journal lists is there, whole (as many lines as the server said).
    static void checkFolder(const ExportJob &job)
    {
        const auto files = ndjsonFilesIn(job.folder());
        QVERIFY(!files.isEmpty());
        QMap<QString, qint64> expected;
        for (const auto &f : job.journal().files) {
            expected.insert(f.task.relativePath, f.task.expectedCount);
            QCOMPARE(f.status, bulk::ExportJournal::File::Status::Done);
        }
        QCOMPARE(QStringList(files.keys()), QStringList(expected.keys()));
        for (auto it = files.cbegin(); it != files.cend(); ++it)
            QCOMPARE(qint64(it.value().count('\n')), expected.value(it.key()));
    }
    // No access token and no JWT in anything the export wrote.
    static void checkNoSecrets(const QString &folder, const QStringList &secrets)
    {
        QVERIFY(!secrets.isEmpty());
        int files = 0;
        QDirIterator it(folder, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            QFile f(it.next());
            QVERIFY(f.open(QIODevice::ReadOnly));
            const QByteArray data = f.readAll();
            ++files;
            for (const QString &secret : secrets)
                QVERIFY2(!data.contains(secret.toLatin1()), qPrintable(f.fileName()));
            QVERIFY2(!data.contains("eyJ"), qPrintable(f.fileName()));
        }
        QVERIFY(files >= 4); // export.json, export.log, manifest.json, NDJSON
    }
    // Runs the command line; the demo server lives in this process, so the event loop turns.
    static int runCli(const QStringList &args, QByteArray *out = nullptr, QByteArray *err = nullptr,
                      const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment())
    {
        QProcess p;
        p.setProcessEnvironment(env);
        p.start(QStringLiteral(COHORT_EXE), args);
        QSignalSpy finished(&p, &QProcess::finished);
        if (!finished.wait(120000)) {
            p.kill();
            p.waitForFinished(5000);
            return -1;
        }
        if (out)
            *out = p.readAllStandardOutput();
        if (err)
            *err = p.readAllStandardError();
        return p.exitCode();
    }

    auth::Key m_rsKey;
    auth::Key m_ecKey;
    auth::Key m_impostorKey; // same kid as m_ecKey, another key
    Http m_http;
    QTemporaryDir m_files;
    QString m_emptyFile; // a file that is no key, on every OS (no /dev/null on Windows)

private slots:
    void initTestCase();
    void wellKnownUrlKeepsBasePath_data();
    void wellKnownUrlKeepsBasePath();
    void discoveryKeepsBasePath();
    void discoveryWithoutAuthFindsNoEndpoint();
    void discoveryFallsBackToCapabilityStatement_data();
    void discoveryFallsBackToCapabilityStatement();
    void groupExport_data();
    void groupExport();
    void renewalDuringDownload();
    void renewalAfter401();
    void concurrentCallsShareOneRequest();
    void renewsBeforeExpiry();
    void refusalsNameTheCause_data();
    void refusalsNameTheCause();
    void replayedAssertionRefused();
    void exportWithWrongKeyFails();
    void clientSecret();
    void tokensStayHome_data();
    void tokensStayHome();
    void cliExport();
    void cliConnectionOptionErrors_data();
    void cliConnectionOptionErrors();
    void cliGroupsWithSmartAuth();
};

void TestAuth::initTestCase()
{
    QString error;
    m_rsKey = auth::Key::generate(auth::JwtAlgorithm::RS384, u"rs-key"_s, &error);
    QVERIFY2(!m_rsKey.isNull(), qPrintable(error));
    m_ecKey = auth::Key::generate(auth::JwtAlgorithm::ES384, u"ec-key"_s, &error);
    QVERIFY2(!m_ecKey.isNull(), qPrintable(error));
    m_impostorKey = auth::Key::generate(auth::JwtAlgorithm::ES384, u"ec-key"_s, &error);
    QVERIFY2(!m_impostorKey.isNull(), qPrintable(error));
    // A variable that is set, for options that name one (HOME is not set everywhere); the
    // commands started by the tests inherit it.
    qputenv("COHORT_TEST_SET_VARIABLE", "set");
    QVERIFY(m_files.isValid());
    m_emptyFile = m_files.filePath(u"empty.pem"_s);
    QFile empty(m_emptyFile);
    QVERIFY(empty.open(QIODevice::WriteOnly));
}

void TestAuth::wellKnownUrlKeepsBasePath_data()
{
    QTest::addColumn<QString>("base");
    QTest::addColumn<QString>("expected");
    QTest::newRow("path") << u"https://h/fhir"_s
                          << u"https://h/fhir/.well-known/smart-configuration"_s;
    QTest::newRow("slash") << u"https://h/fhir/"_s
                           << u"https://h/fhir/.well-known/smart-configuration"_s;
    QTest::newRow("deep") << u"https://h:8443/a/b/r4"_s
                          << u"https://h:8443/a/b/r4/.well-known/smart-configuration"_s;
    QTest::newRow("root") << u"https://h"_s << u"https://h/.well-known/smart-configuration"_s;
}

void TestAuth::wellKnownUrlKeepsBasePath()
{
    QFETCH(QString, base);
    QFETCH(QString, expected);
    QCOMPARE(auth::SmartDiscovery::wellKnownUrl(QUrl(base)).toString(), expected);
}

void TestAuth::discoveryKeepsBasePath()
{
    auto server = startServer(serverOptions());
    QNetworkAccessManager network;
    fhir::FhirClient client(&network, server->baseUrl());
    QCOMPARE(server->baseUrl().path(), u"/fhir"_s);
    auth::SmartDiscovery discovery(&client);
    QSignalSpy finished(&discovery, &auth::SmartDiscovery::finished);
    discovery.start();
    QVERIFY(discovery.isRunning());
    QVERIFY(finished.wait(20000));
    const auto result = finished.first().at(0).value<auth::SmartConfiguration>();
    const auto error = finished.first().at(1).value<FhirError>();
    QVERIFY2(!error.isError(), qPrintable(error.message()));
    QCOMPARE(result.tokenEndpoint, server->tokenUrl());
    QCOMPARE(result.source, auth::SmartConfiguration::Source::WellKnown);
    QVERIFY(result.authMethods.contains(u"private_key_jwt"_s));
    QVERIFY(result.signingAlgorithms.contains(u"RS384"_s));
    QVERIFY(result.signingAlgorithms.contains(u"ES384"_s));
    QCOMPARE(server->requestLog().size(), 1);
    QCOMPARE(server->requestLog().first().path, u"/fhir/.well-known/smart-configuration"_s);
    QVERIFY(!server->requestLog().first().hadAuthorization);
}

void TestAuth::discoveryWithoutAuthFindsNoEndpoint()
{
    demo::DemoServerOptions o = serverOptions();
    o.auth = false; // .well-known answers 404, the CapabilityStatement names no token URL
    auto server = startServer(o);
    QNetworkAccessManager network;
    fhir::FhirClient client(&network, server->baseUrl());
    auth::SmartDiscovery discovery(&client);
    QSignalSpy finished(&discovery, &auth::SmartDiscovery::finished);
    discovery.start();
    QVERIFY(finished.wait(20000));
    const auto error = finished.first().at(1).value<FhirError>();
    QCOMPARE(error.kind, FhirError::Kind::Auth);
    const QString message = error.message();
    QVERIFY2(message.contains(u"No token endpoint was found"_s), qPrintable(message));
    QVERIFY2(message.contains(u"404"_s), qPrintable(message));
    QVERIFY2(message.contains(u"oauth-uris"_s), qPrintable(message));
    QStringList paths;
    for (const auto &r : server->requestLog())
        paths.append(r.path);
    QCOMPARE(paths, (QStringList{u"/fhir/.well-known/smart-configuration"_s, u"/fhir/metadata"_s}));

    // A provider relying on discovery says the same.
    auth::SmartBackendTokenProvider::Config config;
    config.clientId = kClientId;
    config.privateKey = m_ecKey;
    auth::SmartBackendTokenProvider provider(config, &client);
    TokenResult result;
    fetchToken(provider, &result);
    QCOMPARE(result.error.kind, FhirError::Kind::Auth);
    QVERIFY(result.error.message().contains(u"No token endpoint was found"_s));
    QVERIFY(result.token.isEmpty());
}

void TestAuth::discoveryFallsBackToCapabilityStatement_data()
{
    QTest::addColumn<int>("wellKnownStatus");
    QTest::addColumn<QByteArray>("wellKnownBody");
    QTest::newRow("404") << 404 << QByteArray(R"({"resourceType":"OperationOutcome"})");
    QTest::newRow("no token_endpoint") << 200 << QByteArray(R"({"issuer":"x"})");
    QTest::newRow("not JSON") << 200 << QByteArray("<html>Welcome</html>");
}

void TestAuth::discoveryFallsBackToCapabilityStatement()
{
    QFETCH(int, wellKnownStatus);
    QFETCH(QByteArray, wellKnownBody);
    // The token endpoint named by the CapabilityStatement is the demo server's, so a provider
    // that discovers it this way really gets a token.
    auto demo = startServer(serverOptions());
    CannedServer canned({
        {u"/base/r4/.well-known/smart-configuration"_s, {wellKnownStatus, wellKnownBody}},
        {u"/base/r4/metadata"_s, {200, capabilityStatementWithToken(demo->tokenUrl())}},
    });
    QNetworkAccessManager network;
    fhir::FhirClient client(&network, canned.url(u"/base/r4"_s));
    auth::SmartDiscovery discovery(&client);
    QSignalSpy finished(&discovery, &auth::SmartDiscovery::finished);
    discovery.start();
    QVERIFY(finished.wait(20000));
    const auto result = finished.first().at(0).value<auth::SmartConfiguration>();
    const auto error = finished.first().at(1).value<FhirError>();
    QVERIFY2(!error.isError(), qPrintable(error.message()));
    QCOMPARE(result.tokenEndpoint, demo->tokenUrl());
    QCOMPARE(result.source, auth::SmartConfiguration::Source::CapabilityStatement);
    QVERIFY(!result.wellKnownProblem.isEmpty());
    QCOMPARE(canned.paths,
             (QStringList{u"/base/r4/.well-known/smart-configuration"_s, u"/base/r4/metadata"_s}));

    auth::SmartBackendTokenProvider::Config config;
    config.clientId = kClientId;
    config.privateKey = m_rsKey;
    auth::SmartBackendTokenProvider provider(config, &client);
    TokenResult token;
    fetchToken(provider, &token);
    QVERIFY2(!token.error.isError(), qPrintable(token.error.message()));
    QVERIFY(!token.token.isEmpty());
    QCOMPARE(provider.tokenUrl(), demo->tokenUrl());
    QCOMPARE(demo->tokensIssued(), 1);
}

void TestAuth::groupExport_data()
{
    QTest::addColumn<bool>("rsa");
    QTest::newRow("RS384") << true;
    QTest::newRow("ES384") << false;
}

void TestAuth::groupExport()
{
    QFETCH(bool, rsa);
    auto s = setup(serverOptions(), rsa ? m_rsKey : m_ecKey);
    QTemporaryDir dir;
    ExportJob job(s.client.get(),
                  groupRequest(*s.server, {u"Patient"_s, u"Observation"_s, u"Condition"_s}),
                  dir.filePath(u"out"_s));
    QCOMPARE(run(job), ExportState::Completed);
    checkFolder(job);
    // One token serves the whole export, and every request to the FHIR server carried it.
    QCOMPARE(s.server->tokensIssued(), 1);
    QCOMPARE(s.provider->tokens.size(), 1);
    QCOMPARE(s.provider->tokenRequests(), 1);
    QCOMPARE(s.provider->grantedScope(), u"system/*.read"_s);
    for (const auto &r : s.server->requestLog()) {
        if (!r.path.endsWith("/auth/token"_L1) && !r.path.endsWith("smart-configuration"_L1))
            QVERIFY2(r.hadAuthorization, qPrintable(r.path));
        QVERIFY2(r.status != 401, qPrintable(r.path));
    }
    // The assertion was signed with the right algorithm and fits the specification.
    QCOMPARE(s.provider->assertions.size(), 1);
    const auto jwt = auth::decodeJwt(s.provider->assertions.first().toLatin1());
    QVERIFY(jwt);
    QCOMPARE(jwt->header.value("alg"_L1).toString(), rsa ? u"RS384"_s : u"ES384"_s);
    QCOMPARE(jwt->header.value("kid"_L1).toString(), rsa ? u"rs-key"_s : u"ec-key"_s);
    QCOMPARE(jwt->claims.value("aud"_L1).toString(), s.server->tokenUrl().toString());
    QCOMPARE(jwt->claims.value("iss"_L1).toString(), kClientId);
    QVERIFY(qint64(jwt->claims.value("exp"_L1).toDouble()) <=
            QDateTime::currentSecsSinceEpoch() + 300);
    // Neither the token nor the assertion is in anything the export wrote.
    checkNoSecrets(job.folder(), s.provider->tokens + s.provider->assertions);
}

void TestAuth::renewalDuringDownload()
{
    // Tokens live 2 s; slow files make the download last longer than that.
    demo::DemoServerOptions o = serverOptions();
    o.tokenLifetimeSeconds = 2;
    o.resourcesPerFile = 100; // many files, each a new request for a token
    o.faults = {demo::Fault::SlowFiles};
    o.slowChunkBytes = 256; // of gzip: about 10 kB/s
    o.slowChunkIntervalMs = 25;
    auto s = setup(o, m_ecKey);
    QTemporaryDir dir;
    bulk::ExportJobOptions options;
    options.parallelDownloads = 1;
    ExportJob job(s.client.get(),
                  groupRequest(*s.server, {u"Patient"_s, u"Observation"_s, u"Condition"_s}),
                  dir.filePath(u"out"_s), options);
    QCOMPARE(run(job), ExportState::Completed);
    checkFolder(job);
    QVERIFY2(s.server->tokensIssued() > 1, qPrintable(QString::number(s.server->tokensIssued())));
    // Renewed while files were coming down, not only before.
    const auto log = s.server->requestLog();
    qsizetype firstFile = -1;
    qsizetype lastToken = -1;
    for (qsizetype i = 0; i < log.size(); ++i) {
        if (firstFile < 0 && log[i].path.contains("/Binary/"_L1))
            firstFile = i;
        if (log[i].path.endsWith("/auth/token"_L1))
            lastToken = i;
    }
    QVERIFY(firstFile >= 0);
    QVERIFY2(lastToken > firstFile, "a token was requested after the first file request");
    checkNoSecrets(job.folder(), s.provider->tokens + s.provider->assertions);
}

void TestAuth::renewalAfter401()
{
    // The token used for the first request of each file is revoked: 401, reject, renew, resend.
    demo::DemoServerOptions o = serverOptions();
    o.faults = {demo::Fault::TokenExpiry};
    auto s = setup(o, m_rsKey);
    QTemporaryDir dir;
    ExportJob job(s.client.get(), groupRequest(*s.server, {u"Patient"_s, u"Condition"_s}),
                  dir.filePath(u"out"_s));
    QCOMPARE(run(job), ExportState::Completed);
    checkFolder(job);
    QVERIFY(s.server->faultsStruck(demo::Fault::TokenExpiry) >= 1);
    QVERIFY(s.server->tokensIssued() > 1);
    int unauthorized = 0;
    for (const auto &r : s.server->requestLog())
        unauthorized += r.status == 401 ? 1 : 0;
    QCOMPARE(unauthorized, s.server->faultsStruck(demo::Fault::TokenExpiry));
    checkNoSecrets(job.folder(), s.provider->tokens + s.provider->assertions);
}

void TestAuth::concurrentCallsShareOneRequest()
{
    auto s = setup(serverOptions(), m_ecKey);
    QList<TokenResult> results(5);
    QObject context;
    for (TokenResult &r : results) {
        s.provider->token(&context, [&r](const QString &token, const FhirError &error) {
            r.done = true;
            r.token = token;
            r.error = error;
        });
    }
    QTRY_VERIFY_WITH_TIMEOUT(
        std::all_of(results.cbegin(), results.cend(), [](const TokenResult &r) { return r.done; }),
        20000);
    for (const TokenResult &r : std::as_const(results)) {
        QVERIFY2(!r.error.isError(), qPrintable(r.error.message()));
        QCOMPARE(r.token, results.first().token);
    }
    QCOMPARE(s.server->tokensIssued(), 1);
    QCOMPARE(s.provider->tokenRequests(), 1);

    // A caller whose context is gone is skipped; the others are served.
    bool calledGone = false;
    bool calledKept = false;
    s.provider->reject(results.first().token);
    {
        QObject gone;
        s.provider->token(&gone, [&](const QString &, const FhirError &) { calledGone = true; });
        s.provider->token(&context, [&](const QString &, const FhirError &) { calledKept = true; });
    }
    QTRY_VERIFY_WITH_TIMEOUT(calledKept, 20000);
    QVERIFY(!calledGone);
    QCOMPARE(s.server->tokensIssued(), 2);
}

void TestAuth::renewsBeforeExpiry()
{
    QCOMPARE(auth::CachingTokenProvider::renewalMargin(300), 30);
    QCOMPARE(auth::CachingTokenProvider::renewalMargin(3600), 360);
    QCOMPARE(auth::CachingTokenProvider::renewalMargin(2), 1);

    // The clock also dates the assertions, which the server checks against its own: so the
    // first token is fetched "271 s ago" and time then runs up to the present.
    auto s = setup(serverOptions(), m_rsKey);
    qint64 offset = -271;
    s.provider->nowSecs = [&offset] {
        return QDateTime::currentSecsSinceEpoch() + offset;
    };
    TokenResult first;
    fetchToken(*s.provider, &first);
    QVERIFY2(!first.error.isError(), qPrintable(first.error.message()));
    QVERIFY(s.provider->canRenew());

    // Reused until 30 s before the 300 s are over...
    offset = -3;
    TokenResult again;
    fetchToken(*s.provider, &again);
    QCOMPARE(again.token, first.token);
    QCOMPARE(s.server->tokensIssued(), 1);
    // ...then renewed before use.
    offset = 0;
    TokenResult renewed;
    fetchToken(*s.provider, &renewed);
    QVERIFY(!renewed.token.isEmpty());
    QVERIFY(renewed.token != first.token);
    QCOMPARE(s.server->tokensIssued(), 2);

    // A 401 for an older token changes nothing; for the current one, it forces a renewal.
    s.provider->reject(first.token);
    TokenResult same;
    fetchToken(*s.provider, &same);
    QCOMPARE(same.token, renewed.token);
    QCOMPARE(s.server->tokensIssued(), 2);
    s.provider->reject(renewed.token);
    TokenResult fresh;
    fetchToken(*s.provider, &fresh);
    QVERIFY(fresh.token != renewed.token);
    QCOMPARE(s.server->tokensIssued(), 3);
}

void TestAuth::refusalsNameTheCause_data()
{
    QTest::addColumn<QString>("keyName");
    QTest::addColumn<QString>("kid");
    QTest::addColumn<QString>("scopes");
    QTest::addColumn<QString>("clientId");
    QTest::addColumn<int>("clockOffset");
    QTest::addColumn<QStringList>("mentions");
    const QString check = u"Check the client id, the key id (kid) and that the public key is "
                          "registered with the server."_s;
    QTest::newRow("wrong key, same kid")
        << u"impostor"_s << QString() << u"system/*.read"_s << kClientId << 0
        << QStringList{u"rejected the client's credentials"_s, u"signature does not verify"_s,
                       check};
    QTest::newRow("unknown kid") << u"ec"_s << u"not-registered"_s << u"system/*.read"_s
                                 << kClientId << 0
                                 << QStringList{u"No key with kid 'not-registered'"_s, check};
    QTest::newRow("expired assertion") << u"ec"_s << QString() << u"system/*.read"_s << kClientId
                                       << -3600 << QStringList{u"expired"_s, check, u"clock"_s};
    // This computer's clock an hour ahead of the server's: the assertion is from the future.
    QTest::newRow("assertion from the future")
        << u"ec"_s << QString() << u"system/*.read"_s << kClientId << 3600
        << QStringList{u"more than five minutes ahead"_s, u"clock"_s};
    QTest::newRow("invalid scope")
        << u"rs"_s << QString() << u"patient/*.read"_s << kClientId << 0
        << QStringList{u"refused the requested scope \"patient/*.read\""_s, u"not a system scope"_s,
                       u"system/*.read"_s};
    QTest::newRow("unknown client")
        << u"rs"_s << QString() << u"system/*.read"_s << u"someone-else"_s << 0
        << QStringList{u"iss and sub"_s, check};
}

void TestAuth::refusalsNameTheCause()
{
    QFETCH(QString, keyName);
    QFETCH(QString, kid);
    QFETCH(QString, scopes);
    QFETCH(QString, clientId);
    QFETCH(int, clockOffset);
    QFETCH(QStringList, mentions);
    auth::Key key = keyName == "rs"_L1 ? m_rsKey : keyName == "ec"_L1 ? m_ecKey : m_impostorKey;
    if (!kid.isEmpty())
        key.setKeyId(kid);
    auto s = setup(serverOptions(), key, scopes, clientId);
    if (clockOffset != 0) {
        // Signs as if it were an hour ago (or ahead): the server's clock disagrees with ours.
        s.provider->nowSecs = [clockOffset] {
            return QDateTime::currentSecsSinceEpoch() + clockOffset;
        };
    }
    TokenResult result;
    fetchToken(*s.provider, &result);
    QVERIFY(result.token.isEmpty());
    QCOMPARE(result.error.kind, FhirError::Kind::Auth);
    const QString message = result.error.message();
    for (const QString &mention : std::as_const(mentions))
        QVERIFY2(message.contains(mention), qPrintable(message));
    QVERIFY(message.startsWith(u"No access token could be obtained: "_s));
    QCOMPARE(s.server->tokensIssued(), 0);
    // Nothing secret in the message.
    QVERIFY(!message.contains(u"eyJ"_s));
}

void TestAuth::replayedAssertionRefused()
{
    auto s = setup(serverOptions(), m_ecKey);
    TokenResult first;
    fetchToken(*s.provider, &first);
    QVERIFY2(!first.error.isError(), qPrintable(first.error.message()));
    // The same assertion again (its jti already used): the server must refuse it.
    s.provider->replay = true;
    s.provider->reject(first.token);
    TokenResult second;
    fetchToken(*s.provider, &second);
    QCOMPARE(second.error.kind, FhirError::Kind::Auth);
    QVERIFY2(second.error.message().contains(u"already used (replay)"_s),
             qPrintable(second.error.message()));
    QCOMPARE(s.server->tokensIssued(), 1);
    // Without the replay, each request carries a fresh assertion (a new jti) and succeeds.
    s.provider->replay = false;
    TokenResult third;
    fetchToken(*s.provider, &third);
    QVERIFY2(!third.error.isError(), qPrintable(third.error.message()));
    QCOMPARE(s.provider->assertions.size(), 2);
    const auto a = auth::decodeJwt(s.provider->assertions.at(0).toLatin1());
    const auto b = auth::decodeJwt(s.provider->assertions.at(1).toLatin1());
    QVERIFY(a && b);
    QVERIFY(a->claims.value("jti"_L1).toString() != b->claims.value("jti"_L1).toString());

    // The same straight over HTTP, independent of the provider.
    QUrlQuery form;
    form.addQueryItem(u"grant_type"_s, u"client_credentials"_s);
    form.addQueryItem(u"scope"_s, u"system/*.read"_s);
    form.addQueryItem(u"client_assertion_type"_s,
                      u"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"_s);
    form.addQueryItem(u"client_assertion"_s,
                      QString::fromLatin1(auth::makeClientAssertion(
                          m_ecKey, kClientId, s.server->tokenUrl().toString())));
    const Headers formType{{"Content-Type", "application/x-www-form-urlencoded"}};
    const QByteArray body = form.toString(QUrl::FullyEncoded).toUtf8();
    QCOMPARE(m_http.post(s.server->tokenUrl(), body, formType).status, 200);
    const Reply replayed = m_http.post(s.server->tokenUrl(), body, formType);
    QCOMPARE(replayed.status, 400);
    QVERIFY(replayed.json().value("error_description"_L1).toString().contains("replay"_L1));
}

void TestAuth::exportWithWrongKeyFails()
{
    auto s = setup(serverOptions(), m_impostorKey);
    QTemporaryDir dir;
    ExportJob job(s.client.get(), groupRequest(*s.server, {u"Patient"_s}), dir.filePath(u"out"_s));
    QCOMPARE(run(job), ExportState::Failed);
    const QString message = job.journal().message;
    QVERIFY2(message.contains(u"The server rejected the client's credentials"_s),
             qPrintable(message));
    QVERIFY2(message.contains(u"Check the client id, the key id (kid)"_s), qPrintable(message));
    // Nothing was kicked off without a token.
    for (const auto &r : s.server->requestLog())
        QVERIFY2(!r.path.contains("$export"_L1), qPrintable(r.path));
}

void TestAuth::clientSecret()
{
    demo::DemoServerOptions o = serverOptions();
    o.clientSecret = u"correct horse+battery:staple"_s;
    auto server = startServer(o);
    QNetworkAccessManager network;
    fhir::FhirClient client(&network, server->baseUrl());

    // The header is what RFC 6749 §2.3.1 asks for.
    QCOMPARE(auth::ClientSecretTokenProvider::basicAuthorization(u"a b"_s, u"c:d+e"_s),
             "Basic " + QByteArray("a+b:c%3Ad%2Be").toBase64());

    auth::ClientSecretTokenProvider::Config config;
    config.clientId = kClientId;
    config.clientSecret = o.clientSecret;
    auth::ClientSecretTokenProvider provider(config, &client);
    client.setTokenProvider(&provider);
    QTemporaryDir dir;
    ExportJob job(&client, groupRequest(*server, {u"Patient"_s, u"Condition"_s}),
                  dir.filePath(u"out"_s));
    QCOMPARE(run(job), ExportState::Completed);
    checkFolder(job);
    QCOMPARE(server->tokensIssued(), 1);
    QCOMPARE(provider.tokenUrl(), server->tokenUrl()); // discovered
    for (const auto &r : server->requestLog())
        QVERIFY2(r.status != 401, qPrintable(r.path));

    // A wrong secret: a clear Auth error, and nothing issued.
    fhir::FhirClient other(&network, server->baseUrl());
    config.clientSecret = u"wrong"_s;
    config.tokenUrl = server->tokenUrl(); // given: no discovery
    auth::ClientSecretTokenProvider wrong(config, &other);
    TokenResult result;
    fetchToken(wrong, &result);
    QCOMPARE(result.error.kind, FhirError::Kind::Auth);
    const QString message = result.error.message();
    QVERIFY2(message.contains(u"The server rejected the client's credentials: The client id or "
                              "the client secret is wrong. Check the client id and the client "
                              "secret."_s),
             qPrintable(message));
    QCOMPARE(server->tokensIssued(), 1);
}

void TestAuth::tokensStayHome_data()
{
    QTest::addColumn<QString>("fault");
    QTest::newRow("second-origin") << u"second-origin"_s;
    QTest::newRow("redirect-files") << u"redirect-files"_s;
}

void TestAuth::tokensStayHome()
{
    QFETCH(QString, fault);
    demo::DemoServerOptions o = serverOptions();
    o.faults = {*demo::faultFromName(fault)};
    auto s = setup(o, m_ecKey);
    QTemporaryDir dir;
    ExportJob job(s.client.get(), groupRequest(*s.server, {u"Patient"_s, u"Condition"_s}),
                  dir.filePath(u"out"_s));
    QCOMPARE(run(job), ExportState::Completed);
    checkFolder(job);
    QVERIFY(s.server->secondOriginRequests() >= 2);
    QCOMPARE(s.server->secondOriginRequestsWithAuthorization(), 0);
    checkNoSecrets(job.folder(), s.provider->tokens + s.provider->assertions);
}

void TestAuth::cliExport()
{
    demo::DemoServerOptions o = serverOptions();
    o.clientSecret = u"cli secret"_s;
    auto server = startServer(o);
    QTemporaryDir dir;
    const QString base = server->baseUrl().toString();
    const QString group = groupRequest(*server).groupId;
    auto write = [&](const QString &name, const QByteArray &data) {
        QFile f(dir.filePath(name));
        if (!f.open(QIODevice::WriteOnly))
            return QString();
        f.write(data);
        return f.fileName();
    };
    const QStringList common{u"export"_s, u"--server"_s, base,         u"--group"_s,
                             group,       u"--type"_s,   u"Patient"_s, u"--quiet"_s};
    QByteArray out, err;

    // An RSA key as PKCS#8 PEM (no kid inside: --key-id names it).
    QVERIFY(!m_rsKey.privatePem().isEmpty());
    const QString pem = write(u"rs.pem"_s, m_rsKey.privatePem());
    QCOMPARE(
        runCli(common + QStringList{u"--client-id"_s, kClientId, u"--key"_s, pem, u"--key-id"_s,
                                    u"rs-key"_s, u"--out"_s, dir.filePath(u"pem"_s)},
               &out, &err),
        0);
    QVERIFY2(out.contains("State: completed"), out.constData());
    QCOMPARE(server->tokensIssued(), 1);

    // An EC key as a private JWK (its kid inside; --key-id says the same).
    const QString jwk =
        write(u"ec.jwk"_s, QJsonDocument(m_ecKey.privateJwk()).toJson(QJsonDocument::Compact));
    QCOMPARE(
        runCli(common + QStringList{u"--client-id"_s, kClientId, u"--key"_s, jwk, u"--key-id"_s,
                                    u"ec-key"_s, u"--out"_s, dir.filePath(u"jwk"_s)},
               &out, &err),
        0);
    QVERIFY2(out.contains("State: completed"), out.constData());
    // ...and without --key-id, the JWK's own kid.
    QCOMPARE(runCli(common + QStringList{u"--client-id"_s, kClientId, u"--key"_s, jwk, u"--out"_s,
                                         dir.filePath(u"jwk-own-kid"_s)},
                    &out, &err),
             0);

    // A client secret from the environment.
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"COHORT_TEST_CLIENT_SECRET"_s, o.clientSecret);
    QCOMPARE(runCli(common + QStringList{u"--client-id"_s, kClientId, u"--client-secret-env"_s,
                                         u"COHORT_TEST_CLIENT_SECRET"_s, u"--out"_s,
                                         dir.filePath(u"secret"_s)},
                    &out, &err, env),
             0);
    QVERIFY2(out.contains("State: completed"), out.constData());
    const int issued = server->tokensIssued();
    QCOMPARE(issued, 4);

    // A wrong key (the registered kid, another key): exit 1 and why.
    const QString impostor = write(u"impostor.pem"_s, m_impostorKey.privatePem());
    QCOMPARE(runCli(common + QStringList{u"--client-id"_s, kClientId, u"--key"_s, impostor,
                                         u"--key-id"_s, u"ec-key"_s, u"--out"_s,
                                         dir.filePath(u"impostor"_s)},
                    &out, &err),
             1);
    const QByteArray both = out + err;
    QVERIFY2(both.contains("The server rejected the client's credentials"), both.constData());
    QVERIFY2(both.contains("signature does not verify"), both.constData());
    QVERIFY2(!both.contains("eyJ"), both.constData());
    QCOMPARE(server->tokensIssued(), issued);

    // No token, assertion or secret in any folder the command line wrote.
    QDirIterator it(dir.path(), QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        if (path.endsWith(".pem"_L1) || path.endsWith(".jwk"_L1))
            continue;
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray data = f.readAll();
        QVERIFY2(!data.contains("eyJ"), qPrintable(path));
        QVERIFY2(!data.contains(o.clientSecret.toLatin1()), qPrintable(path));
    }
}

void TestAuth::cliConnectionOptionErrors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");
    const QStringList server{u"--server"_s, u"http://127.0.0.1:1/fhir"_s};
    QTest::newRow("client id alone")
        << server + QStringList{u"--client-id"_s, u"x"_s}
        << u"--client-id needs --key FILE (SMART Backend Services) or --client-secret-env"_s;
    QTest::newRow("key without client id")
        << server + QStringList{u"--key"_s, m_emptyFile} << u"--key needs --client-id"_s;
    QTest::newRow("two ways") << server + QStringList{u"--client-id"_s,
                                                      u"x"_s,
                                                      u"--key"_s,
                                                      m_emptyFile,
                                                      u"--client-secret-env"_s,
                                                      u"COHORT_TEST_SET_VARIABLE"_s}
                              << u"choose one way to authenticate"_s;
    QTest::newRow("token and client id")
        << server + QStringList{u"--token-env"_s, u"COHORT_TEST_SET_VARIABLE"_s, u"--client-id"_s,
                                u"x"_s}
        << u"--token-env does not go with --client-id"_s;
    QTest::newRow("missing key file")
        << server + QStringList{u"--client-id"_s, u"x"_s, u"--key"_s, u"/nonexistent/k.pem"_s}
        << u"cannot read /nonexistent/k.pem"_s;
    QTest::newRow("not a key") << server +
                                      QStringList{u"--client-id"_s, u"x"_s, u"--key"_s, m_emptyFile}
                               << m_emptyFile + u" holds no usable private key"_s;
    QTest::newRow("scope without client") << server + QStringList{u"--scope"_s, u"system/*.read"_s}
                                          << u"--scope only makes sense with --client-id"_s;
    QTest::newRow("key id without key")
        << server + QStringList{u"--key-id"_s, u"k"_s} << u"--key-id only makes sense with --key"_s;
    QTest::newRow("secret variable unset")
        << server + QStringList{u"--client-id"_s, u"x"_s, u"--client-secret-env"_s,
                                u"COHORT_TEST_UNSET_SECRET"_s}
        << u"COHORT_TEST_UNSET_SECRET is not set"_s;
    QTest::newRow("bad token url")
        << server + QStringList{u"--client-id"_s,         u"x"_s,
                                u"--client-secret-env"_s, u"COHORT_TEST_SET_VARIABLE"_s,
                                u"--token-url"_s,         u"ftp://x/token"_s}
        << u"--token-url 'ftp://x/token' is not an http:// or https:// URL."_s;
}

void TestAuth::cliConnectionOptionErrors()
{
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    for (const QString &command : {u"export"_s, u"groups"_s, u"capabilities"_s}) {
        QStringList full{command};
        full += args;
        if (command == "export"_L1)
            full += QStringList{u"--group"_s, u"g"_s};
        QByteArray out, err;
        QCOMPARE(runCli(full, &out, &err), 1);
        QVERIFY2(QString::fromUtf8(err).contains(message), err.constData());
    }
}

void TestAuth::cliGroupsWithSmartAuth()
{
    auto server = startServer(serverOptions());
    QTemporaryDir dir;
    QFile key(dir.filePath(u"ec.pem"_s));
    QVERIFY(key.open(QIODevice::WriteOnly));
    key.write(m_ecKey.privatePem());
    key.close();
    const QStringList auth{u"--server"_s,    server->baseUrl().toString(),
                           u"--client-id"_s, kClientId,
                           u"--key"_s,       key.fileName(),
                           u"--key-id"_s,    u"ec-key"_s};
    QByteArray out, err;
    QCOMPARE(runCli(QStringList{u"groups"_s} + auth, &out, &err), 0);
    QVERIFY2(out.contains("groups."), out.constData());
    QCOMPARE(runCli(QStringList{u"capabilities"_s} + auth, &out, &err), 0);
    QVERIFY2(out.contains(server->tokenUrl().toEncoded()), out.constData());
    // Without credentials the server refuses, and says so.
    QCOMPARE(runCli({u"groups"_s, u"--server"_s, server->baseUrl().toString()}, &out, &err), 1);
    QVERIFY2(err.contains("401"), err.constData());
}

QTEST_GUILESS_MAIN(TestAuth)
#include "tst_Auth.moc"
