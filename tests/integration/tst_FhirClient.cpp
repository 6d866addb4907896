// FhirClient over real loopback HTTP: against the demo server, and against tiny capture servers
// written here that record the raw request headers (so we see exactly what went over the wire)
// and answer with whatever a test needs: redirects, 401s, HTML error pages, silence, TLS.
// Also GroupSearch, CapabilityStatement on the demo, and the `groups`/`capabilities` commands.

#include "AppInfo.h"
#include "TestFiles.h"
#include "TestHttp.h"
#include "demo/DemoServer.h"
#include "demo/HttpUtil.h"
#include "demo/SyntheticCohort.h"
#include "fhir/CapabilityStatement.h"
#include "fhir/FhirClient.h"
#include "fhir/GroupSearch.h"
#include "fhir/TokenProvider.h"

#include <QFile>
#include <QJsonArray>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QProcess>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSet>
#include <QSslCertificate>
#include <QSslKey>
#include <QSslSocket>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

#ifdef Q_OS_WIN
#include <windows.h>

#include <wincrypt.h>
#endif

using namespace cohort;
using namespace cohort::fhir;
using namespace cohort::test;
using namespace Qt::StringLiterals;

namespace {

// One request as it arrived, header names in the case the client sent them.
struct Captured
{
    QByteArray method;
    QByteArray target;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;

    QByteArray header(QByteArrayView name) const
    {
        for (const auto &[n, v] : headers) {
            if (n.compare(name, Qt::CaseInsensitive) == 0)
                return v;
        }
        return {};
    }
    bool has(QByteArrayView name) const
    {
        return std::any_of(headers.cbegin(), headers.cend(), [name](const auto &h) {
            return h.first.compare(name, Qt::CaseInsensitive) == 0;
        });
    }
    int count(QByteArrayView name) const
    {
        return int(std::count_if(headers.cbegin(), headers.cend(), [name](const auto &h) {
            return h.first.compare(name, Qt::CaseInsensitive) == 0;
        }));
    }
};

struct Action
{
    enum Kind
    {
        Respond,
        RespondAndClose,
        Hang,
        Close
    };
    Kind kind = Respond;
    QByteArray bytes;
};

Action respond(int status, const QByteArray &body = {}, const HeaderList &headers = {},
               const QByteArray &contentType = "application/fhir+json")
{
    QByteArray out = "HTTP/1.1 " + QByteArray::number(status) + ' ' +
                     (status == 200  ? "OK"
                      : status < 400 ? "Redirect"
                                     : "Error") +
                     "\r\n";
    if (!body.isEmpty())
        out += "Content-Type: " + contentType + "\r\n";
    for (const auto &[name, value] : headers)
        out += name + ": " + value + "\r\n";
    out += "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
    return {Action::Respond, out};
}

Action redirect(int status, const QByteArray &location)
{
    return respond(status, {}, {{"Location", location}});
}

// A one-file HTTP/1.1 server: parses requests (keep-alive included), records them and asks
// `handler` what to do. With a TLS configuration it speaks HTTPS.
class CaptureServer : public QTcpServer
{
public:
    using Handler = std::function<Action(const Captured &request, int index)>;

    explicit CaptureServer(Handler handler, QObject *parent = nullptr)
        : QTcpServer(parent)
        , m_handler(std::move(handler))
    {
        if (!listen(QHostAddress::LocalHost, 0))
            qFatal("capture server cannot listen");
    }
    void setTls(const QSslConfiguration &tls) { m_tls = tls; }
    QUrl url(const QString &path = {}) const
    {
        return QUrl(u"%1://127.0.0.1:%2%3"_s.arg(m_tls ? u"https"_s : u"http"_s)
                        .arg(serverPort())
                        .arg(path));
    }
    QList<Captured> requests;
    int connections = 0;
    int disconnections = 0;

protected:
    void incomingConnection(qintptr descriptor) override
    {
        ++connections;
        QTcpSocket *socket = nullptr;
        if (m_tls) {
            auto *tls = new QSslSocket(this);
            tls->setSocketDescriptor(descriptor);
            tls->setSslConfiguration(*m_tls);
            tls->startServerEncryption();
            socket = tls;
        } else {
            socket = new QTcpSocket(this);
            socket->setSocketDescriptor(descriptor);
        }
        auto buffer = std::make_shared<QByteArray>();
        connect(socket, &QTcpSocket::readyRead, this, [this, socket, buffer] {
            *buffer += socket->readAll();
            parse(socket, *buffer);
        });
        connect(socket, &QTcpSocket::disconnected, this, [this] { ++disconnections; });
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    }

private:
    void parse(QTcpSocket *socket, QByteArray &buffer)
    {
        for (;;) {
            const qsizetype end = buffer.indexOf("\r\n\r\n");
            if (end < 0)
                return;
            const QList<QByteArray> lines = buffer.left(end).split('\n');
            Captured request;
            const QList<QByteArray> first = lines.first().trimmed().split(' ');
            request.method = first.value(0);
            request.target = first.value(1);
            for (qsizetype i = 1; i < lines.size(); ++i) {
                const qsizetype colon = lines[i].indexOf(':');
                if (colon > 0)
                    request.headers.append(
                        {lines[i].left(colon).trimmed(), lines[i].mid(colon + 1).trimmed()});
            }
            const qsizetype length = request.header("Content-Length").toLongLong();
            if (buffer.size() < end + 4 + length)
                return;
            request.body = buffer.mid(end + 4, length);
            buffer.remove(0, end + 4 + length);
            requests.append(request);
            const Action action = m_handler(request, int(requests.size() - 1));
            if (action.kind == Action::Respond || action.kind == Action::RespondAndClose)
                socket->write(action.bytes);
            if (action.kind == Action::RespondAndClose || action.kind == Action::Close)
                socket->disconnectFromHost();
        }
    }

    Handler m_handler;
    std::optional<QSslConfiguration> m_tls;
};

// Hands out token-1, then token-2 after a reject(), like a SMART provider fetching a new one.
class RenewingProvider : public TokenProvider
{
public:
    using TokenProvider::TokenProvider;
    void token(QObject *context, Callback done) override
    {
        ++tokenCalls;
        const QString token = u"token-%1"_s.arg(rejected.size() + 1);
        // Asynchronous, as a provider that talks to a token endpoint is.
        QMetaObject::invokeMethod(
            context, [done, token] { done(token, {}); }, Qt::QueuedConnection);
    }
    void reject(const QString &token) override { rejected.append(token); }
    bool canRenew() const override { return true; }

    int tokenCalls = 0;
    QStringList rejected;
};

// Never answers, like a token endpoint that hangs.
class SilentProvider : public TokenProvider
{
public:
    using TokenProvider::TokenProvider;
    void token(QObject *, Callback) override { ++tokenCalls; }
    int tokenCalls = 0;
};

struct CallResult
{
    FhirResponse response;
    int finishedCount = 0;
    bool deleted = false;
};

// Runs a call to its end: finished() and then its deletion.
CallResult run(FhirCall *call, int timeoutMs = 20000)
{
    auto result = std::make_shared<CallResult>();
    QObject::connect(call, &FhirCall::finished, call, [result](const FhirResponse &response) {
        result->response = response;
        ++result->finishedCount;
    });
    QSignalSpy destroyed(call, &QObject::destroyed);
    result->deleted = destroyed.wait(timeoutMs);
    if (!result->deleted)
        call->abort();
    return *result;
}

struct StreamResult
{
    QByteArray body;
    QStringList events; // "started", "read", "finished"
    int status = 0;
    FhirError error;
    int finishedCount = 0;
    qint64 maxAvailable = 0;
    qint64 progressReceived = -1;
    int readyReads = 0;
    bool deleted = false;
};

StreamResult runStream(FhirStream *stream, int timeoutMs = 20000)
{
    auto r = std::make_shared<StreamResult>();
    QObject::connect(stream, &FhirStream::responseStarted, stream, [r, stream] {
        r->events << u"started"_s;
        r->status = stream->status();
    });
    QObject::connect(stream, &FhirStream::readyRead, stream, [r, stream] {
        if (r->events.isEmpty() || r->events.last() != "read"_L1)
            r->events << u"read"_s;
        ++r->readyReads;
        r->maxAvailable = qMax(r->maxAvailable, stream->bytesAvailable());
        char chunk[16 * 1024];
        for (qint64 n; (n = stream->read(chunk, sizeof chunk)) > 0;)
            r->body.append(chunk, n);
    });
    QObject::connect(stream, &FhirStream::downloadProgress, stream,
                     [r](qint64 received, qint64) { r->progressReceived = received; });
    QObject::connect(stream, &FhirStream::finished, stream, [r](const FhirError &error) {
        r->events << u"finished"_s;
        r->error = error;
        ++r->finishedCount;
    });
    QSignalSpy destroyed(stream, &QObject::destroyed);
    r->deleted = destroyed.wait(timeoutMs);
    if (!r->deleted)
        stream->abort();
    return *r;
}

// A private CA and a server certificate for 127.0.0.1 it signed, made with the openssl
// command, as a user's own CA would be.
struct TestPki
{
    QTemporaryDir dir;
    QByteArray caPem;
    QSslConfiguration serverTls;
};

std::unique_ptr<TestPki> makePki()
{
    const QString openssl = QStandardPaths::findExecutable(u"openssl"_s);
    if (openssl.isEmpty() || !QSslSocket::supportsSsl())
        return nullptr;
    auto pki = std::make_unique<TestPki>();
    auto path = [&pki](const char *name) {
        return pki->dir.filePath(QString::fromLatin1(name));
    };
    auto openSsl = [&](const QStringList &args) {
        QProcess p;
        p.start(openssl, args);
        const bool ok =
            p.waitForFinished(60000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
        if (!ok)
            qWarning() << "openssl" << args << p.readAllStandardError();
        return ok;
    };
    auto read = [](const QString &file) {
        QFile f(file);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    };
    const QStringList ec = {u"-newkey"_s, u"ec"_s, u"-pkeyopt"_s, u"ec_paramgen_curve:prime256v1"_s,
                            u"-nodes"_s};
    if (!pki->dir.isValid() ||
        !openSsl(QStringList{u"req"_s, u"-x509"_s} + ec +
                 QStringList{u"-keyout"_s, path("ca.key"), u"-out"_s, path("ca.pem"), u"-days"_s,
                             u"2"_s, u"-subj"_s, u"/CN=Cohort Test CA"_s, u"-addext"_s,
                             u"basicConstraints=critical,CA:TRUE"_s, u"-addext"_s,
                             u"keyUsage=critical,keyCertSign,cRLSign"_s}) ||
        !openSsl(QStringList{u"req"_s} + ec +
                 QStringList{u"-keyout"_s, path("server.key"), u"-out"_s, path("server.csr"),
                             u"-subj"_s, u"/CN=127.0.0.1"_s}))
        return nullptr;
    QFile ext(path("server.ext"));
    if (!ext.open(QIODevice::WriteOnly))
        return nullptr;
    ext.write("subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
              "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n");
    ext.close();
    if (!openSsl({u"x509"_s, u"-req"_s, u"-in"_s, path("server.csr"), u"-CA"_s, path("ca.pem"),
                  u"-CAkey"_s, path("ca.key"), u"-CAcreateserial"_s, u"-out"_s,
                  path("server.pem"), u"-days"_s, u"2"_s, u"-extfile"_s, path("server.ext")}))
        return nullptr;
    pki->caPem = read(path("ca.pem"));
    pki->serverTls = QSslConfiguration::defaultConfiguration();
    pki->serverTls.setLocalCertificate(QSslCertificate(read(path("server.pem")), QSsl::Pem));
    pki->serverTls.setPrivateKey(QSslKey(read(path("server.key")), QSsl::Ec, QSsl::Pem));
    pki->serverTls.setPeerVerifyMode(QSslSocket::VerifyNone);
    if (pki->serverTls.localCertificate().isNull() || pki->serverTls.privateKey().isNull())
        return nullptr;
    return pki;
}

// A 200 whose body is `bytes` long but only its first `sent` bytes are sent (the connection
// stays open): a server stalling mid-body.
Action partialBody(const QByteArray &body, qsizetype sent)
{
    return {Action::Respond, "HTTP/1.1 200 OK\r\nContent-Type: application/fhir+ndjson\r\n"
                             "Content-Length: " +
                                 QByteArray::number(body.size()) + "\r\n\r\n" + body.left(sent)};
}

QByteArray ndjsonLines(int count)
{
    QByteArray data;
    for (int i = 0; i < count; ++i)
        data += R"({"resourceType":"Observation","id":"o)" + QByteArray::number(i) + "\"}\n";
    return data;
}

struct Outcome
{
    int exitCode = -1;
    QString out, err;
    bool finished = false;
};

QByteArray outcome(const QString &code, const QString &text)
{
    return uR"({"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"%1","diagnostics":"%2"}]})"_s
        .arg(code, text)
        .toUtf8();
}

QStringList logLines;
void captureLog(QtMsgType, const QMessageLogContext &context, const QString &message)
{
    if (QByteArrayView(context.category) == "cohort.fhir")
        logLines.append(message);
}

} // namespace

class TestFhirClient : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<demo::DemoServer> makeServer(demo::DemoServerOptions options = {})
    {
        options.patients = 40;
        options.exportSeconds = 0;
        options.resourcesPerFile = 300;
        auto server = std::make_unique<demo::DemoServer>(options);
        QString error;
        if (!server->start(&error))
            qFatal("demo server did not start: %s", qPrintable(error));
        return server;
    }
    QString groupWithMembers(const demo::DemoServer &s) const
    {
        for (const auto &g : s.cohort().groups()) {
            if (g.members.size() >= 3 && g.active)
                return g.id;
        }
        return {};
    }
    // Kick-off and poll with the plain test client; the file URLs and counts of the manifest.
    QList<QPair<QUrl, int>> exportFiles(demo::DemoServer &s, const QString &types);
    // Runs the built cohort-export, serving the in-process servers meanwhile.
    Outcome runCommand(const QStringList &args, const QProcessEnvironment &env = {});

    Http m_http;
    QNetworkAccessManager m_network;

private slots:
    void resolve_data();
    void resolve();
    void sameOrigin_data();
    void sameOrigin();
    void exactHeaders();
    void postBodyAndExtraHeaders();
    void authorizationByMode();
    void redirectSameOriginKeepsAuthorization();
    void redirectCrossOriginDropsAuthorization();
    void redirectMethods();
    void redirectLimit();
    void redirectDemoFilesNoLeak();
    void renewalOn401();
    void renewalOnlyOnce();
    void noRenewalWithoutProvider();
    void streamRenewalOn401();
    void error404Outcome();
    void error500Fatal();
    void errorHtml502();
    void connectionRefused();
    void timeout();
    void abortCall();
    void abortThenDestroyClient();
    void destroyClientFromFinishedSlot();
    void providerGoneWhileWaiting();
    void streamDemoFile();
    void streamRawGzip();
    void streamErrorStatus();
    void streamTruncated();
    void streamHeadersAndRawGzip();
    void streamRedirects();
    void streamRange();
    void streamShortBody();
    void streamTimeoutMidBody();
    void streamAbort();
    void streamConnectionRefused();
    void streamBoundedBuffer();
    void tls();
    void streamTls();
    void tlsSettingsStayWithTheirClient();
    void streamTrustsWindowsRootStore();
    void logLinesAreRedacted();
    void groupSearchPages();
    void groupSearchNameContains();
    void groupSearch401();
    void capabilityStatementFromDemo();
    void groupsCommand();
    void groupsCommandTokenFromEnvironment();
    void capabilitiesCommand();
    void commandFailures_data();
    void commandFailures();
};

QList<QPair<QUrl, int>> TestFhirClient::exportFiles(demo::DemoServer &s, const QString &types)
{
    QList<QPair<QUrl, int>> files;
    const Reply kick = m_http.get(QUrl(s.baseUrl().toString() + u"/Group/"_s + groupWithMembers(s) +
                                       u"/$export?_type="_s + types),
                                  kickoffHeaders());
    if (kick.status != 202)
        return files;
    const QUrl status(QString::fromUtf8(kick.header("Content-Location")));
    Reply poll;
    for (int attempt = 0; attempt < 150 && (poll = m_http.get(status)).status == 202; ++attempt)
        QTest::qWait(100); // a poll interval, as Retry-After asks; not a synchronisation
    for (const QJsonValue &v : poll.json().value("output"_L1).toArray()) {
        const QJsonObject o = v.toObject();
        files.append({QUrl(o.value("url"_L1).toString()), o.value("count"_L1).toInt()});
    }
    return files;
}

Outcome TestFhirClient::runCommand(const QStringList &args, const QProcessEnvironment &env)
{
    QProcess process;
    if (!env.isEmpty())
        process.setProcessEnvironment(env);
    QSignalSpy finished(&process, &QProcess::finished);
    process.start(QStringLiteral(COHORT_EXE), args);
    Outcome o;
    // Not waitForFinished(): the demo server in this process must keep answering.
    o.finished = finished.wait(60000);
    if (!o.finished) {
        process.kill();
        process.waitForFinished(5000);
    }
    o.exitCode = process.exitCode();
    o.out = QString::fromUtf8(process.readAllStandardOutput());
    o.err = QString::fromUtf8(process.readAllStandardError());
    return o;
}

void TestFhirClient::resolve_data()
{
    QTest::addColumn<QString>("base");
    QTest::addColumn<QString>("relative");
    QTest::addColumn<QString>("expected");
    QTest::newRow("keeps base path")
        << u"http://h/fhir"_s << u"Group/x/$export"_s << u"http://h/fhir/Group/x/$export"_s;
    QTest::newRow("leading slash")
        << u"http://h/fhir"_s << u"/Group/x/$export"_s << u"http://h/fhir/Group/x/$export"_s;
    QTest::newRow("base with slash")
        << u"http://h/fhir/"_s << u"metadata"_s << u"http://h/fhir/metadata"_s;
    QTest::newRow("deep base") << u"https://h:8443/a/b/R4"_s << u"Patient/$export"_s
                               << u"https://h:8443/a/b/R4/Patient/$export"_s;
    QTest::newRow("no base path") << u"http://h"_s << u"metadata"_s << u"http://h/metadata"_s;
    QTest::newRow("query kept") << u"http://h/fhir"_s << u"Group?name:contains=abc&_count=2"_s
                                << u"http://h/fhir/Group?name:contains=abc&_count=2"_s;
    QTest::newRow("encoded query kept") << u"http://h/fhir"_s << u"Group?name:contains=a%20b%2Bc"_s
                                        << u"http://h/fhir/Group?name:contains=a%20b%2Bc"_s;
    QTest::newRow("well-known") << u"https://h/fhir"_s << u".well-known/smart-configuration"_s
                                << u"https://h/fhir/.well-known/smart-configuration"_s;
    QTest::newRow("absolute unchanged")
        << u"http://h/fhir"_s << u"https://o:1/x?y=1"_s << u"https://o:1/x?y=1"_s;
}

void TestFhirClient::resolve()
{
    QFETCH(QString, base);
    QFETCH(QString, relative);
    QFETCH(QString, expected);
    FhirClient client(&m_network, QUrl(base));
    const QUrl url = client.resolve(relative);
    QCOMPARE(url.toString(QUrl::FullyEncoded), expected);
    QCOMPARE(QString::fromLatin1(url.toEncoded()), expected); // '$' never becomes %24
}

void TestFhirClient::sameOrigin_data()
{
    QTest::addColumn<QString>("a");
    QTest::addColumn<QString>("b");
    QTest::addColumn<bool>("same");
    QTest::newRow("same") << u"http://h:8080/a"_s << u"http://h:8080/b?c"_s << true;
    QTest::newRow("default port") << u"https://h/a"_s << u"https://h:443/b"_s << true;
    QTest::newRow("host case") << u"https://H.example/a"_s << u"https://h.example/b"_s << true;
    QTest::newRow("port") << u"http://h:8080/a"_s << u"http://h:8081/a"_s << false;
    QTest::newRow("scheme") << u"http://h/a"_s << u"https://h/a"_s << false;
    QTest::newRow("host") << u"https://a.example/x"_s << u"https://b.example/x"_s << false;
    QTest::newRow("subdomain") << u"https://example.org/x"_s << u"https://files.example.org/x"_s
                               << false;
}

void TestFhirClient::sameOrigin()
{
    QFETCH(QString, a);
    QFETCH(QString, b);
    QFETCH(bool, same);
    QCOMPARE(FhirClient::sameOrigin(QUrl(a), QUrl(b)), same);
    QCOMPARE(FhirClient::sameOrigin(QUrl(b), QUrl(a)), same);
}

void TestFhirClient::exactHeaders()
{
    CaptureServer server([](const Captured &, int) { return respond(200, "{}"); });
    FhirClient client(&m_network, server.url(u"/fhir"_s));
    const CallResult r = run(client.get(u"metadata"_s));
    QVERIFY(r.deleted);
    QCOMPARE(r.finishedCount, 1);
    QCOMPARE(r.response.status, 200);
    QVERIFY2(!r.response.error.isError(), qPrintable(r.response.error.message()));
    QCOMPARE(server.requests.size(), 1);
    const Captured &c = server.requests.first();
    QCOMPARE(c.method, QByteArray("GET"));
    QCOMPARE(c.target, QByteArray("/fhir/metadata"));
    QCOMPARE(c.count("Accept"), 1);
    QCOMPARE(c.header("Accept"), QByteArray("application/fhir+json"));
    QCOMPARE(c.count("User-Agent"), 1);
    QCOMPARE(c.header("User-Agent"), userAgent().toUtf8());
    QVERIFY(c.header("User-Agent").startsWith("CohortExport/"));
    QVERIFY(!c.has("Authorization"));
    QVERIFY(!c.has("Content-Type"));

    RequestOptions options;
    options.accept = "application/json";
    run(client.get(u"$export-poll-status/1"_s, options));
    QCOMPARE(server.requests.size(), 2);
    QCOMPARE(server.requests[1].header("Accept"), QByteArray("application/json"));
    QCOMPARE(server.requests[1].target, QByteArray("/fhir/$export-poll-status/1"));
}

void TestFhirClient::postBodyAndExtraHeaders()
{
    CaptureServer server([](const Captured &, int) { return respond(202, {}); });
    FhirClient client(&m_network, server.url(u"/fhir"_s));
    RequestOptions options;
    options.method = "POST";
    options.body = R"({"resourceType":"Parameters"})";
    options.contentType = "application/fhir+json";
    options.headers = {{"Prefer", "respond-async"}, {"X-Custom", "1"}};
    const CallResult r = run(client.get(u"Group/g1/$export?_type=Patient"_s, options));
    QCOMPARE(r.response.status, 202);
    const Captured &c = server.requests.first();
    QCOMPARE(c.method, QByteArray("POST"));
    QCOMPARE(c.target, QByteArray("/fhir/Group/g1/$export?_type=Patient"));
    QCOMPARE(c.header("Content-Type"), QByteArray("application/fhir+json"));
    QCOMPARE(c.header("Prefer"), QByteArray("respond-async"));
    QCOMPARE(c.header("X-Custom"), QByteArray("1"));
    QCOMPARE(c.body, options.body);
}

void TestFhirClient::authorizationByMode()
{
    CaptureServer base([](const Captured &, int) { return respond(200, "{}"); });
    CaptureServer other([](const Captured &, int) { return respond(200, "{}"); });
    FhirClient client(&m_network, base.url(u"/fhir"_s));
    StaticTokenProvider provider(u"static-token-123"_s);
    client.setTokenProvider(&provider);
    QCOMPARE(client.tokenProvider(), &provider);

    run(client.get(u"Group"_s));
    QCOMPARE(base.requests.last().header("Authorization"), QByteArray("Bearer static-token-123"));

    RequestOptions never;
    never.auth = AuthMode::Never;
    run(client.get(u"Group"_s, never));
    QVERIFY(!base.requests.last().has("Authorization"));

    run(client.send(other.url(u"/file.ndjson"_s))); // BaseOrigin: another origin gets nothing
    QVERIFY(!other.requests.last().has("Authorization"));

    RequestOptions always;
    always.auth = AuthMode::Always;
    run(client.send(other.url(u"/file.ndjson"_s), always));
    QCOMPARE(other.requests.last().header("Authorization"), QByteArray("Bearer static-token-123"));

    // An empty token means no header at all.
    provider.setToken({});
    run(client.get(u"Group"_s));
    QVERIFY(!base.requests.last().has("Authorization"));
    client.setTokenProvider(nullptr);
    run(client.get(u"Group"_s));
    QVERIFY(!base.requests.last().has("Authorization"));
    QCOMPARE(base.requests.size(), 4);
    QCOMPARE(other.requests.size(), 2);
}

void TestFhirClient::redirectSameOriginKeepsAuthorization()
{
    CaptureServer server([](const Captured &c, int) {
        if (c.target == "/fhir/start")
            return redirect(302, "next?x=1"); // relative to the current URL
        return respond(200, R"({"ok":true})");
    });
    FhirClient client(&m_network, server.url(u"/fhir"_s));
    StaticTokenProvider provider(u"same-origin-token"_s);
    client.setTokenProvider(&provider);
    const CallResult r = run(client.get(u"start"_s));
    QCOMPARE(r.response.status, 200);
    QCOMPARE(r.response.url, server.url(u"/fhir/next?x=1"_s));
    QCOMPARE(r.response.json().value("ok"_L1).toBool(), true);
    QCOMPARE(server.requests.size(), 2);
    QCOMPARE(server.requests[1].target, QByteArray("/fhir/next?x=1"));
    QCOMPARE(server.requests[1].header("Authorization"), QByteArray("Bearer same-origin-token"));
    QCOMPARE(server.requests[1].header("Accept"), QByteArray("application/fhir+json"));
}

void TestFhirClient::redirectCrossOriginDropsAuthorization()
{
    CaptureServer storage([](const Captured &, int) {
        return respond(200, "line\n", {}, "application/fhir+ndjson");
    });
    const QByteArray target = storage.url(u"/bucket/file.ndjson?sig=abc"_s).toEncoded();
    CaptureServer server([target](const Captured &, int) { return redirect(307, target); });
    FhirClient client(&m_network, server.url(u"/fhir"_s));
    StaticTokenProvider provider(u"must-not-leak-token"_s);
    client.setTokenProvider(&provider);

    for (const AuthMode mode : {AuthMode::BaseOrigin, AuthMode::Always}) {
        RequestOptions options;
        options.auth = mode;
        options.headers = {{"Accept-Encoding", "identity"}};
        const StreamResult r = runStream(client.stream(server.url(u"/fhir/Binary/1"_s), options));
        QVERIFY(!r.error.isError());
        QCOMPARE(r.body, QByteArray("line\n"));
        QCOMPARE(server.requests.last().header("Authorization"),
                 QByteArray("Bearer must-not-leak-token"));
        QVERIFY(!storage.requests.last().has("Authorization"));
        QCOMPARE(storage.requests.last().header("Accept-Encoding"), QByteArray("identity"));
    }
    // A caller's own Authorization header (client_secret_basic...) stays home too.
    RequestOptions basic;
    basic.auth = AuthMode::Never;
    basic.headers = {{"Authorization", "Basic dXNlcjpwYXNz"}};
    const CallResult r = run(client.send(server.url(u"/fhir/Binary/2"_s), basic));
    QCOMPARE(r.response.status, 200);
    QCOMPARE(server.requests.last().header("Authorization"), QByteArray("Basic dXNlcjpwYXNz"));
    QVERIFY(!storage.requests.last().has("Authorization"));
    QCOMPARE(storage.requests.size(), 3);
}

void TestFhirClient::redirectMethods()
{
    CaptureServer server([](const Captured &c, int) {
        if (c.target == "/see-other")
            return redirect(303, "/result");
        if (c.target == "/temporary")
            return redirect(307, "/again");
        if (c.target == "/permanent")
            return redirect(308, "/again");
        return respond(200, "{}");
    });
    FhirClient client(&m_network, server.url());
    RequestOptions post;
    post.method = "POST";
    post.body = "a=1";
    post.contentType = "application/x-www-form-urlencoded";

    run(client.get(u"see-other"_s, post));
    QCOMPARE(server.requests.size(), 2);
    QCOMPARE(server.requests[1].method, QByteArray("GET"));
    QVERIFY(server.requests[1].body.isEmpty());
    QVERIFY(!server.requests[1].has("Content-Type"));

    for (const QString &path : {u"temporary"_s, u"permanent"_s}) {
        server.requests.clear();
        const CallResult r = run(client.get(path, post));
        QCOMPARE(r.response.status, 200);
        QCOMPARE(server.requests.size(), 2);
        QCOMPARE(server.requests[1].target, QByteArray("/again"));
        QCOMPARE(server.requests[1].method, QByteArray("POST"));
        QCOMPARE(server.requests[1].body, QByteArray("a=1"));
        QCOMPARE(server.requests[1].header("Content-Type"),
                 QByteArray("application/x-www-form-urlencoded"));
    }
}

void TestFhirClient::redirectLimit()
{
    CaptureServer server([](const Captured &c, int) { return redirect(302, c.target + "x"); });
    FhirClient client(&m_network, server.url());
    RequestOptions options;
    options.maxRedirects = 3;
    const CallResult r = run(client.get(u"loop"_s, options));
    QCOMPARE(r.response.error.kind, FhirError::Kind::Network);
    QCOMPARE(r.response.error.networkError, QNetworkReply::TooManyRedirectsError);
    QCOMPARE(server.requests.size(), 4);
    QVERIFY(!r.response.error.message().isEmpty());
}

void TestFhirClient::redirectDemoFilesNoLeak()
{
    demo::DemoServerOptions o;
    o.faults = {demo::Fault::RedirectFiles};
    auto s = makeServer(o);
    const auto files = exportFiles(*s, u"Patient"_s);
    QVERIFY(!files.isEmpty());
    FhirClient client(&m_network, s->baseUrl());
    StaticTokenProvider provider(u"demo-token-abcdef"_s);
    client.setTokenProvider(&provider);
    RequestOptions options;
    options.auth = AuthMode::Always; // the strictest test: even "always" stays on its origin
    options.accept = "application/fhir+ndjson";
    const StreamResult r = runStream(client.stream(files.first().first, options));
    QVERIFY2(!r.error.isError(), qPrintable(r.error.message()));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.body.count('\n'), files.first().second);
    QCOMPARE(s->secondOriginRequests(), 1);
    QCOMPARE(s->secondOriginRequestsWithAuthorization(), 0);
    const auto log = s->requestLog();
    QVERIFY(std::any_of(log.cbegin(), log.cend(), [](const auto &e) {
        return e.status == 307 && e.hadAuthorization && !e.secondOrigin;
    }));
}

void TestFhirClient::renewalOn401()
{
    CaptureServer server([](const Captured &c, int) {
        if (c.header("Authorization") == "Bearer token-2")
            return respond(200, R"({"resourceType":"Bundle"})");
        return respond(401, outcome(u"login"_s, u"The access token has expired."_s),
                       {{"WWW-Authenticate", "Bearer error=\"invalid_token\""}});
    });
    FhirClient client(&m_network, server.url(u"/fhir"_s));
    RenewingProvider provider;
    client.setTokenProvider(&provider);
    const CallResult r = run(client.get(u"Group"_s));
    QCOMPARE(r.finishedCount, 1);
    QVERIFY2(!r.response.error.isError(), qPrintable(r.response.error.message()));
    QCOMPARE(r.response.status, 200);
    QCOMPARE(server.requests.size(), 2);
    QCOMPARE(server.requests[0].header("Authorization"), QByteArray("Bearer token-1"));
    QCOMPARE(server.requests[1].header("Authorization"), QByteArray("Bearer token-2"));
    QCOMPARE(provider.tokenCalls, 2);
    QCOMPARE(provider.rejected, QStringList{u"token-1"_s});
}

void TestFhirClient::renewalOnlyOnce()
{
    CaptureServer server(
        [](const Captured &, int) { return respond(401, outcome(u"login"_s, u"Not allowed."_s)); });
    FhirClient client(&m_network, server.url(u"/fhir"_s));
    RenewingProvider provider;
    client.setTokenProvider(&provider);
    const CallResult r = run(client.get(u"Group"_s));
    QCOMPARE(r.finishedCount, 1);
    QCOMPARE(r.response.error.kind, FhirError::Kind::Http);
    QCOMPARE(r.response.error.httpStatus, 401);
    QCOMPARE(r.response.error.issues.value(0).text, u"Not allowed."_s);
    QCOMPARE(server.requests.size(), 2); // one resend, not a loop
    QCOMPARE(provider.tokenCalls, 2);
    QCOMPARE(provider.rejected.size(), 1);
}

void TestFhirClient::noRenewalWithoutProvider()
{
    CaptureServer server(
        [](const Captured &, int) { return respond(401, outcome(u"login"_s, u"No."_s)); });
    FhirClient client(&m_network, server.url(u"/fhir"_s));
    StaticTokenProvider provider(u"cannot-renew-token"_s); // canRenew() false
    client.setTokenProvider(&provider);
    QCOMPARE(run(client.get(u"Group"_s)).response.status, 401);
    QCOMPARE(server.requests.size(), 1);
    client.setTokenProvider(nullptr);
    QCOMPARE(run(client.get(u"Group"_s)).response.error.httpStatus, 401);
    QCOMPARE(server.requests.size(), 2);
}

void TestFhirClient::streamRenewalOn401()
{
    const QByteArray body = "{\"resourceType\":\"Patient\"}\n";
    CaptureServer server([body](const Captured &c, int) {
        if (c.header("Authorization") == "Bearer token-2")
            return respond(200, body, {}, "application/fhir+ndjson");
        return respond(401, outcome(u"login"_s, u"expired"_s));
    });
    FhirClient client(&m_network, server.url(u"/fhir"_s));
    RenewingProvider provider;
    client.setTokenProvider(&provider);
    const StreamResult r = runStream(client.stream(server.url(u"/fhir/Binary/f1"_s)));
    QVERIFY2(!r.error.isError(), qPrintable(r.error.message()));
    QCOMPARE(r.events, (QStringList{u"started"_s, u"read"_s, u"finished"_s}));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.body, body);
    QCOMPARE(server.requests.size(), 2);
    QCOMPARE(provider.rejected, QStringList{u"token-1"_s});
}

void TestFhirClient::error404Outcome()
{
    auto s = makeServer();
    FhirClient client(&m_network, s->baseUrl());
    const CallResult r = run(client.get(u"Group/nope?_secret=x"_s));
    QCOMPARE(r.finishedCount, 1);
    const FhirError &e = r.response.error;
    QCOMPARE(e.kind, FhirError::Kind::Http);
    QCOMPARE(e.httpStatus, 404);
    QCOMPARE(r.response.status, 404);
    QCOMPARE(e.issues.size(), 1);
    QCOMPARE(e.issues.first().code, u"not-found"_s);
    QCOMPARE(e.url, QUrl(s->baseUrl().toString() + u"/Group/nope"_s));
    QCOMPARE(e.message(), u"The server answered 404 (Not Found): Group 'nope' does not exist."_s);
    QVERIFY(!r.response.body.isEmpty()); // the OperationOutcome itself, for callers that want it
}

void TestFhirClient::error500Fatal()
{
    demo::DemoServerOptions o;
    o.faults = {demo::Fault::Fatal};
    auto s = makeServer(o);
    FhirClient client(&m_network, s->baseUrl());
    RequestOptions kickoff;
    kickoff.headers = {{"Prefer", "respond-async"}};
    const CallResult kick =
        run(client.get(u"Group/"_s + groupWithMembers(*s) + u"/$export"_s, kickoff));
    QCOMPARE(kick.response.status, 202);
    const QUrl status(QString::fromUtf8(kick.response.header("content-location")));
    QVERIFY(status.isValid());
    RequestOptions poll;
    poll.accept = "application/json";
    const CallResult r = run(client.send(status, poll));
    const FhirError &e = r.response.error;
    QCOMPARE(e.kind, FhirError::Kind::Http);
    QCOMPARE(e.httpStatus, 500);
    QCOMPARE(e.issues.first().severity, u"fatal"_s);
    QCOMPARE(e.issues.first().code, u"exception"_s);
    QVERIFY(!e.isTransient());
    QVERIFY2(e.message().startsWith(
                 u"The server answered 500 (Internal Server Error): The export failed"_s),
             qPrintable(e.message()));
}

void TestFhirClient::errorHtml502()
{
    const QByteArray html =
        "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
        "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>"
        "\r\n</body>\r\n</html>\r\n";
    CaptureServer server(
        [html](const Captured &, int) { return respond(502, html, {}, "text/html"); });
    FhirClient client(&m_network, server.url(u"/fhir"_s));
    const CallResult r = run(client.get(u"metadata"_s));
    const FhirError &e = r.response.error;
    QCOMPARE(e.kind, FhirError::Kind::Http);
    QCOMPARE(e.httpStatus, 502);
    QVERIFY(e.issues.isEmpty());
    QCOMPARE(e.bodyExcerpt, u"502 Bad Gateway nginx"_s);
    QCOMPARE(e.message(), u"The server answered 502 (Bad Gateway): 502 Bad Gateway nginx."_s);
}

void TestFhirClient::connectionRefused()
{
    quint16 port = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        port = probe.serverPort();
    } // closed again: nothing listens there now
    FhirClient client(&m_network, QUrl(u"http://127.0.0.1:%1/fhir"_s.arg(port)));
    const CallResult r = run(client.get(u"metadata"_s));
    QCOMPARE(r.finishedCount, 1);
    const FhirError &e = r.response.error;
    QCOMPARE(e.kind, FhirError::Kind::Network);
    QCOMPARE(e.networkError, QNetworkReply::ConnectionRefusedError);
    QCOMPARE(e.message(), u"Could not connect to 127.0.0.1:%1: Connection refused."_s.arg(port));
}

void TestFhirClient::timeout()
{
    CaptureServer server([](const Captured &, int) { return Action{Action::Hang, {}}; });
    FhirClient client(&m_network, server.url(u"/fhir"_s));
    QCOMPARE(client.defaultTimeout(), 60000);
    RequestOptions options;
    options.timeoutMs = 300;
    QElapsedTimer timer;
    timer.start();
    const CallResult r = run(client.get(u"metadata"_s, options), 10000);
    QVERIFY(r.deleted);
    QCOMPARE(r.response.error.kind, FhirError::Kind::Timeout);
    QVERIFY(timer.elapsed() >= 250);
    QVERIFY(timer.elapsed() < 8000);
    QVERIFY2(r.response.error.message().contains(u"0.3 seconds"_s),
             qPrintable(r.response.error.message()));

    client.setDefaultTimeout(400); // the client default applies when the request has none
    const StreamResult s = runStream(client.stream(client.resolve(u"Binary/x"_s)), 10000);
    QCOMPARE(s.error.kind, FhirError::Kind::Timeout);
    QVERIFY(s.events == QStringList{u"finished"_s});
}

void TestFhirClient::abortCall()
{
    CaptureServer server([](const Captured &, int) { return Action{Action::Hang, {}}; });
    FhirClient client(&m_network, server.url(u"/fhir"_s));
    FhirCall *call = client.get(u"metadata"_s);
    auto count = std::make_shared<int>(0);
    auto kind = std::make_shared<FhirError::Kind>(FhirError::Kind::None);
    connect(call, &FhirCall::finished, call, [count, kind](const FhirResponse &r) {
        ++*count;
        *kind = r.error.kind;
    });
    QTRY_COMPARE(server.requests.size(), 1);
    QSignalSpy destroyed(call, &QObject::destroyed);
    call->abort();
    call->abort(); // twice is harmless
    QVERIFY(destroyed.wait(5000));
    QCOMPARE(*count, 1);
    QCOMPARE(*kind, FhirError::Kind::Cancelled);

    // Aborted before it even started.
    FhirStream *stream = client.stream(server.url(u"/x"_s));
    stream->abort();
    const StreamResult r = runStream(stream);
    QCOMPARE(r.finishedCount, 1);
    QCOMPARE(r.error.kind, FhirError::Kind::Cancelled);
    QCOMPARE(server.requests.size(), 1);
}

void TestFhirClient::abortThenDestroyClient()
{
    CaptureServer server([](const Captured &, int) { return Action{Action::Hang, {}}; });
    auto client = std::make_unique<FhirClient>(&m_network, server.url(u"/fhir"_s));
    FhirCall *call = client->get(u"metadata"_s);
    FhirStream *stream = client->stream(server.url(u"/f"_s));
    QTRY_COMPARE(server.requests.size(), 2);
    QSignalSpy callGone(call, &QObject::destroyed);
    QSignalSpy streamGone(stream, &QObject::destroyed);
    call->abort();
    client.reset(); // with the cancellation still queued
    QCOMPARE(callGone.size(), 1);
    QCOMPARE(streamGone.size(), 1);
    QTest::qWait(50); // let anything queued run: nothing may touch the dead client
    // A network manager that goes away under a running request ends it too.
    auto network = std::make_unique<QNetworkAccessManager>();
    FhirClient other(network.get(), server.url(u"/fhir"_s));
    FhirCall *orphan = other.get(u"metadata"_s);
    QTRY_COMPARE(server.requests.size(), 3);
    auto count = std::make_shared<int>(0);
    connect(orphan, &FhirCall::finished, orphan, [count](const FhirResponse &) { ++*count; });
    QSignalSpy orphanGone(orphan, &QObject::destroyed);
    network.reset();
    QVERIFY(orphanGone.wait(5000));
    QCOMPARE(*count, 1);
}

void TestFhirClient::destroyClientFromFinishedSlot()
{
    // A slot that deletes the client (as ServerSession replaces its client) also deletes the
    // finished call or stream: nothing may be scheduled on them afterwards (ASan sees it).
    CaptureServer server([](const Captured &, int) { return respond(200, "{}"); });
    for (const StreamTransport transport : {StreamTransport::Curl, StreamTransport::Qt}) {
        for (const bool viaCall : {true, false}) {
            auto client = std::make_unique<FhirClient>(&m_network, server.url(u"/fhir"_s));
            client->setStreamTransport(transport);
            bool done = false;
            auto destroyClient = [&] {
                done = true;
                client.reset();
            };
            if (viaCall) {
                connect(client->get(u"metadata"_s), &FhirCall::finished, this,
                        [&](const FhirResponse &r) {
                            QCOMPARE(r.status, 200);
                            destroyClient();
                        });
            } else {
                connect(client->stream(server.url(u"/f"_s)), &FhirStream::finished, this,
                        [&](const FhirError &) { destroyClient(); });
            }
            QTRY_VERIFY(done);
            QVERIFY(!client);
            QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
            QTest::qWait(20); // anything still queued runs against nothing
        }
    }
}

void TestFhirClient::providerGoneWhileWaiting()
{
    CaptureServer server([](const Captured &, int) { return respond(200, "{}"); });
    FhirClient client(&m_network, server.url(u"/fhir"_s));
    auto provider = std::make_unique<SilentProvider>();
    client.setTokenProvider(provider.get());
    FhirCall *call = client.get(u"metadata"_s);
    QTRY_COMPARE(provider->tokenCalls, 1);
    QSignalSpy gone(call, &QObject::destroyed);
    auto kind = std::make_shared<FhirError::Kind>(FhirError::Kind::None);
    connect(call, &FhirCall::finished, call,
            [kind](const FhirResponse &r) { *kind = r.error.kind; });
    provider.reset();
    QVERIFY(gone.wait(5000));
    QCOMPARE(*kind, FhirError::Kind::Auth);
    QCOMPARE(client.tokenProvider(), nullptr);
    QVERIFY(server.requests.isEmpty());
}

void TestFhirClient::streamDemoFile()
{
    auto s = makeServer();
    const auto files = exportFiles(*s, u"Observation"_s);
    QVERIFY(!files.isEmpty());
    const QUrl file = files.first().first;
    const Reply direct = m_http.get(file);
    QCOMPARE(direct.status, 200);
    QVERIFY(direct.body.size() > 10000);

    FhirClient client(&m_network, s->baseUrl());
    RequestOptions options;
    options.accept = "application/fhir+ndjson";
    FhirStream *stream = client.stream(file, options);
    QCOMPARE(stream->status(), 0);
    QCOMPARE(stream->bytesAvailable(), 0);
    const StreamResult r = runStream(stream);
    QVERIFY2(!r.error.isError(), qPrintable(r.error.message()));
    QCOMPARE(r.finishedCount, 1);
    QCOMPARE(r.events, (QStringList{u"started"_s, u"read"_s, u"finished"_s}));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.body, direct.body);
    QCOMPARE(r.body.count('\n'), files.first().second);
    QVERIFY(r.maxAvailable <= 4 * 1024 * 1024);
    QVERIFY(r.progressReceived > 0);

    // A body that trickles in arrives in many pieces, each handed out as it comes.
    demo::DemoServerOptions o;
    o.slowChunkBytes = 4096;
    o.slowChunkIntervalMs = 5;
    auto slowServer = makeServer(o);
    const auto slowFiles = exportFiles(*slowServer, u"Observation"_s);
    QVERIFY(!slowFiles.isEmpty());
    slowServer->setFault(demo::Fault::SlowFiles, true);
    FhirClient slowClient(&m_network, slowServer->baseUrl());
    options.headers = {{"Accept-Encoding", "identity"}};
    const StreamResult slow = runStream(slowClient.stream(slowFiles.first().first, options));
    QVERIFY2(!slow.error.isError(), qPrintable(slow.error.message()));
    QCOMPARE(slow.body, direct.body); // same seed, same bytes
    QVERIFY2(slow.readyReads >= 3, qPrintable(QString::number(slow.readyReads)));
    QCOMPARE(slow.events, (QStringList{u"started"_s, u"read"_s, u"finished"_s}));
}

void TestFhirClient::streamRawGzip()
{
    auto s = makeServer();
    const auto files = exportFiles(*s, u"Observation"_s);
    QVERIFY(!files.isEmpty());
    const Reply direct = m_http.get(files.first().first, {{"Accept-Encoding", "identity"}});
    FhirClient client(&m_network, s->baseUrl());
    RequestOptions options;
    options.accept = "application/fhir+ndjson";
    options.headers = {{"Accept-Encoding", "gzip"}};
    FhirStream *stream = client.stream(files.first().first, options);
    QByteArray encoding;
    connect(stream, &FhirStream::responseStarted, stream,
            [&encoding, stream] { encoding = stream->header("content-encoding"); });
    const StreamResult r = runStream(stream);
    QVERIFY2(!r.error.isError(), qPrintable(r.error.message()));
    QCOMPARE(encoding, QByteArray("gzip"));
    QVERIFY(r.body.size() < direct.body.size()); // raw, still compressed
    QCOMPARE(gunzip(r.body), direct.body);
}

void TestFhirClient::streamErrorStatus()
{
    auto s = makeServer();
    FhirClient client(&m_network, s->baseUrl());
    const StreamResult r = runStream(client.stream(client.resolve(u"Binary/does-not-exist"_s)));
    QCOMPARE(r.events, (QStringList{u"started"_s, u"finished"_s})); // no readyRead for an error
    QCOMPARE(r.status, 404);
    QVERIFY(r.body.isEmpty());
    QCOMPARE(r.error.kind, FhirError::Kind::Http);
    QCOMPARE(r.error.httpStatus, 404);
    QCOMPARE(r.error.issues.value(0).code, u"not-found"_s);

    // A huge error page is cut at 64 KiB, not buffered whole.
    QByteArray page = "<html><body>" + QByteArray(2 * 1024 * 1024, 'x') + "</body></html>";
    CaptureServer server(
        [page](const Captured &, int) { return respond(503, page, {}, "text/html"); });
    FhirClient other(&m_network, server.url());
    const CallResult big = run(other.get(u"x"_s));
    QCOMPARE(big.response.error.httpStatus, 503);
    QVERIFY(big.response.body.size() <= 64 * 1024);
    QVERIFY(big.response.error.bodyExcerpt.size() <= 300);
}

void TestFhirClient::streamTruncated()
{
    demo::DemoServerOptions o;
    auto s = makeServer(o);
    const auto files = exportFiles(*s, u"Observation"_s);
    QVERIFY(!files.isEmpty());
    s->setFault(demo::Fault::DropConnection, true);
    FhirClient client(&m_network, s->baseUrl());
    RequestOptions options;
    options.accept = "application/fhir+ndjson";
    options.headers = {{"Accept-Encoding", "identity"}};
    const StreamResult r = runStream(client.stream(files.first().first, options));
    QCOMPARE(s->faultsStruck(demo::Fault::DropConnection), 1);
    QCOMPARE(r.finishedCount, 1);
    QCOMPARE(r.error.kind, FhirError::Kind::Network);
    static const QRegularExpression closedAfter(
        u"^The connection closed after (\\d+) of (\\d+) bytes\\.$"_s);
    const auto m = closedAfter.match(r.error.detail);
    QVERIFY2(m.hasMatch(), qPrintable(r.error.detail));
    QCOMPARE(m.captured(1).toLongLong(), r.body.size());
    QVERIFY(m.captured(1).toLongLong() < m.captured(2).toLongLong());
    QVERIFY(r.error.message().contains(u"closed after"_s));

    // The same truncation on a call is an error too, never a short "success".
    CaptureServer liar([](const Captured &, int) {
        return Action{Action::RespondAndClose,
                      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                      "Content-Length: 100\r\n\r\n{\"a\":"};
    });
    FhirClient other(&m_network, liar.url());
    const CallResult c = run(other.get(u"x"_s));
    QCOMPARE(c.response.error.kind, FhirError::Kind::Network);
    QCOMPARE(c.response.error.detail, u"The connection closed after 5 of 100 bytes."_s);
}

// What goes over the wire for a stream: Accept exactly as given (or none), one User-Agent, the
// caller's Accept-Encoding and Range verbatim and nothing the transport adds on its own; a gzip
// body comes out as sent (the caller inflates it), its length checked against Content-Length.
void TestFhirClient::streamHeadersAndRawGzip()
{
    const QByteArray plain = ndjsonLines(3000);
    const QByteArray compressed = demo::gzipCompress(plain);
    CaptureServer server([compressed](const Captured &c, int) {
        if (c.header("Accept-Encoding") == "gzip")
            return respond(200, compressed, {{"Content-Encoding", "gzip"}},
                           "application/fhir+ndjson");
        return respond(200, "{}\n", {}, "application/fhir+ndjson");
    });
    FhirClient client(&m_network, server.url(u"/fhir"_s));
    RequestOptions options;
    options.accept = "application/fhir+ndjson";
    options.headers = {{"Accept-Encoding", "gzip"}, {"X-Request-Id", "abc"}};
    FhirStream *stream = client.stream(server.url(u"/fhir/Binary/1"_s), options);
    QByteArray encoding;
    connect(stream, &FhirStream::responseStarted, stream,
            [&encoding, stream] { encoding = stream->header("content-encoding"); });
    const StreamResult r = runStream(stream);
    QVERIFY2(!r.error.isError(), qPrintable(r.error.message()));
    QCOMPARE(encoding, QByteArray("gzip"));
    QCOMPARE(r.body, compressed);
    QCOMPARE(gunzip(r.body), plain);
    QCOMPARE(r.progressReceived, compressed.size());
    const Captured &c = server.requests.first();
    QCOMPARE(c.method, QByteArray("GET"));
    QCOMPARE(c.target, QByteArray("/fhir/Binary/1"));
    QCOMPARE(c.count("Accept"), 1);
    QCOMPARE(c.header("Accept"), QByteArray("application/fhir+ndjson"));
    QCOMPARE(c.count("User-Agent"), 1);
    QCOMPARE(c.header("User-Agent"), userAgent().toUtf8());
    QCOMPARE(c.count("Accept-Encoding"), 1);
    QCOMPARE(c.header("Accept-Encoding"), QByteArray("gzip"));
    QCOMPARE(c.header("X-Request-Id"), QByteArray("abc"));
    QVERIFY(!c.has("Authorization"));
    QVERIFY(!c.has("Expect"));
    QVERIFY(!c.has("Content-Type"));

    // No Accept at all when none is given; curl adds no Accept-Encoding of its own (Qt does,
    // and inflates behind the caller's back: one reason the app always sets it).
    RequestOptions bare;
    bare.accept.clear();
    const StreamResult b = runStream(client.stream(server.url(u"/fhir/x"_s), bare));
    QVERIFY2(!b.error.isError(), qPrintable(b.error.message()));
    QCOMPARE(b.body, QByteArray("{}\n"));
    QVERIFY(!server.requests.last().has("Accept"));
    if (client.streamTransport() == StreamTransport::Curl)
        QVERIFY(!server.requests.last().has("Accept-Encoding"));
}

void TestFhirClient::streamRedirects()
{
    const QByteArray body = ndjsonLines(10);
    CaptureServer other([body](const Captured &, int) {
        return respond(200, body, {}, "application/fhir+ndjson");
    });
    const QByteArray elsewhere = other.url(u"/bucket/f.ndjson?sig=secret"_s).toEncoded();
    CaptureServer server([body, elsewhere](const Captured &c, int) {
        if (c.target == "/fhir/same")
            return redirect(302, "moved/f.ndjson"); // relative, same origin
        if (c.target == "/fhir/away")
            return redirect(307, elsewhere);
        if (c.target == "/fhir/loop")
            return redirect(302, "/fhir/loop");
        if (c.target == "/fhir/https-to-http")
            return redirect(302, "http://127.0.0.1:1/x");
        return respond(200, body, {}, "application/fhir+ndjson");
    });
    FhirClient client(&m_network, server.url(u"/fhir"_s));
    StaticTokenProvider provider(u"stream-token-123"_s);
    client.setTokenProvider(&provider);
    RequestOptions options;
    options.auth = AuthMode::Always; // even "always" stays on the original origin
    options.headers = {{"Accept-Encoding", "identity"}, {"Range", "bytes=0-"}};

    const StreamResult same = runStream(client.stream(server.url(u"/fhir/same"_s), options));
    QVERIFY2(!same.error.isError(), qPrintable(same.error.message()));
    QCOMPARE(same.events, (QStringList{u"started"_s, u"read"_s, u"finished"_s}));
    QCOMPARE(same.body, body);
    QCOMPARE(server.requests.size(), 2);
    QCOMPARE(server.requests[1].target, QByteArray("/fhir/moved/f.ndjson"));
    QCOMPARE(server.requests[1].header("Authorization"), QByteArray("Bearer stream-token-123"));
    QCOMPARE(server.requests[1].header("Range"), QByteArray("bytes=0-"));

    FhirStream *away = client.stream(server.url(u"/fhir/away"_s), options);
    QUrl finalUrl;
    connect(away, &FhirStream::responseStarted, away, [&finalUrl, away] { finalUrl = away->url(); });
    const StreamResult a = runStream(away);
    QVERIFY2(!a.error.isError(), qPrintable(a.error.message()));
    QCOMPARE(a.body, body);
    QCOMPARE(finalUrl, QUrl::fromEncoded(elsewhere));
    QCOMPARE(server.requests.last().header("Authorization"), QByteArray("Bearer stream-token-123"));
    QCOMPARE(other.requests.size(), 1);
    QVERIFY(!other.requests.first().has("Authorization"));
    QCOMPARE(other.requests.first().header("Accept-Encoding"), QByteArray("identity"));
    QCOMPARE(other.requests.first().target, QByteArray("/bucket/f.ndjson?sig=secret"));

    options.maxRedirects = 2;
    const int before = int(server.requests.size());
    const StreamResult loop = runStream(client.stream(server.url(u"/fhir/loop"_s), options));
    QCOMPARE(loop.events, QStringList{u"finished"_s});
    QCOMPARE(loop.error.kind, FhirError::Kind::Network);
    QCOMPARE(loop.error.networkError, QNetworkReply::TooManyRedirectsError);
    QCOMPARE(server.requests.size(), before + 3);
}

// Range passes through and a 206 is an answer like any other 2xx; the demo server too.
void TestFhirClient::streamRange()
{
    const QByteArray body = ndjsonLines(500);
    CaptureServer server([body](const Captured &c, int) {
        const QByteArray range = c.header("Range");
        if (!range.startsWith("bytes=") || !range.endsWith('-'))
            return respond(200, body, {}, "application/fhir+ndjson");
        const qsizetype first = range.mid(6, range.size() - 7).toLongLong();
        return respond(206, body.mid(first),
                       {{"Content-Range", "bytes " + QByteArray::number(first) + '-' +
                                              QByteArray::number(body.size() - 1) + '/' +
                                              QByteArray::number(body.size())}},
                       "application/fhir+ndjson");
    });
    FhirClient client(&m_network, server.url());
    RequestOptions options;
    options.headers = {{"Range", "bytes=1000-"}, {"Accept-Encoding", "identity"}};
    FhirStream *stream = client.stream(server.url(u"/f"_s), options);
    QByteArray contentRange;
    connect(stream, &FhirStream::responseStarted, stream,
            [&contentRange, stream] { contentRange = stream->header("Content-Range"); });
    const StreamResult r = runStream(stream);
    QVERIFY2(!r.error.isError(), qPrintable(r.error.message()));
    QCOMPARE(r.status, 206);
    QCOMPARE(r.body, body.mid(1000));
    QCOMPARE(contentRange, "bytes 1000-" + QByteArray::number(body.size() - 1) + '/' +
                               QByteArray::number(body.size()));

    auto s = makeServer();
    const auto files = exportFiles(*s, u"Observation"_s);
    QVERIFY(!files.isEmpty());
    const Reply whole = m_http.get(files.first().first, {{"Accept-Encoding", "identity"}});
    FhirClient demoClient(&m_network, s->baseUrl());
    options.accept = "application/fhir+ndjson";
    options.headers = {{"Range", "bytes=100-"}, {"Accept-Encoding", "identity"}};
    const StreamResult d = runStream(demoClient.stream(files.first().first, options));
    QVERIFY2(!d.error.isError(), qPrintable(d.error.message()));
    QCOMPARE(d.status, 206);
    QCOMPARE(d.body, whole.body.mid(100));
}

void TestFhirClient::streamShortBody()
{
    CaptureServer liar([](const Captured &, int) {
        return Action{Action::RespondAndClose,
                      "HTTP/1.1 200 OK\r\nContent-Type: application/fhir+ndjson\r\n"
                      "Content-Length: 100\r\n\r\n{\"a\":"};
    });
    FhirClient client(&m_network, liar.url());
    const StreamResult r = runStream(client.stream(liar.url(u"/f"_s)));
    QCOMPARE(r.finishedCount, 1);
    QCOMPARE(r.body, QByteArray("{\"a\":"));
    QCOMPARE(r.error.kind, FhirError::Kind::Network);
    QCOMPARE(r.error.networkError, QNetworkReply::RemoteHostClosedError);
    QCOMPARE(r.error.detail, u"The connection closed after 5 of 100 bytes."_s);
    QVERIFY2(r.error.message().startsWith(u"The connection to 127.0.0.1:"_s),
             qPrintable(r.error.message()));
}

// "No bytes for timeoutMs" applies mid-body too: what arrived is handed out, then Timeout.
void TestFhirClient::streamTimeoutMidBody()
{
    const QByteArray body = ndjsonLines(2000);
    CaptureServer server([body](const Captured &, int) { return partialBody(body, 5000); });
    FhirClient client(&m_network, server.url());
    RequestOptions options;
    options.timeoutMs = 300;
    QElapsedTimer timer;
    timer.start();
    const StreamResult r = runStream(client.stream(server.url(u"/f"_s), options), 10000);
    QCOMPARE(r.error.kind, FhirError::Kind::Timeout);
    QVERIFY(timer.elapsed() >= 250);
    QVERIFY(timer.elapsed() < 8000);
    QCOMPARE(r.events, (QStringList{u"started"_s, u"read"_s, u"finished"_s}));
    QCOMPARE(r.body, body.left(5000));
    QVERIFY2(r.error.message().contains(u"0.3 seconds"_s), qPrintable(r.error.message()));
}

void TestFhirClient::streamAbort()
{
    // Mid-body: the first bytes arrived, the rest never comes.
    const QByteArray body = ndjsonLines(20000);
    CaptureServer server([body](const Captured &, int) { return partialBody(body, 100000); });
    FhirClient client(&m_network, server.url());
    FhirStream *stream = client.stream(server.url(u"/f"_s));
    auto count = std::make_shared<int>(0);
    auto kind = std::make_shared<FhirError::Kind>(FhirError::Kind::None);
    connect(stream, &FhirStream::finished, stream, [count, kind](const FhirError &e) {
        ++*count;
        *kind = e.kind;
    });
    QSignalSpy readable(stream, &FhirStream::readyRead);
    QVERIFY(readable.wait(10000));
    QVERIFY(stream->bytesAvailable() > 0);
    QSignalSpy destroyed(stream, &QObject::destroyed);
    stream->abort();
    stream->abort(); // twice is harmless
    QCOMPARE(stream->bytesAvailable(), 0);
    QVERIFY(destroyed.wait(5000));
    QCOMPARE(*count, 1);
    QCOMPARE(*kind, FhirError::Kind::Cancelled);
    QTRY_COMPARE(server.disconnections, 1); // the transfer's connection was closed

    // While the token is still being fetched: nothing is ever sent.
    SilentProvider provider;
    client.setTokenProvider(&provider);
    FhirStream *waiting = client.stream(server.url(u"/g"_s));
    QTRY_COMPARE(provider.tokenCalls, 1);
    waiting->abort();
    const StreamResult w = runStream(waiting);
    QCOMPARE(w.finishedCount, 1);
    QCOMPARE(w.error.kind, FhirError::Kind::Cancelled);
    QCOMPARE(server.requests.size(), 1);

    // Destroying the client ends its running streams.
    auto owner = std::make_unique<FhirClient>(&m_network, server.url());
    FhirStream *orphan = owner->stream(server.url(u"/h"_s));
    QSignalSpy orphanReadable(orphan, &FhirStream::readyRead);
    QVERIFY(orphanReadable.wait(10000));
    QSignalSpy orphanGone(orphan, &QObject::destroyed);
    owner.reset();
    QCOMPARE(orphanGone.size(), 1);
    QTRY_COMPARE(server.disconnections, 2);
}

void TestFhirClient::streamConnectionRefused()
{
    quint16 port = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        port = probe.serverPort();
    } // closed again: nothing listens there now
    const QUrl url(u"http://127.0.0.1:%1/fhir/Binary/1?sig=secret"_s.arg(port));
    FhirClient client(&m_network, url);
    const StreamResult r = runStream(client.stream(url));
    QCOMPARE(r.events, QStringList{u"finished"_s});
    QCOMPARE(r.error.kind, FhirError::Kind::Network);
    QCOMPARE(r.error.networkError, QNetworkReply::ConnectionRefusedError);
    QCOMPARE(r.error.message(), u"Could not connect to 127.0.0.1:%1: Connection refused."_s.arg(port));
    QVERIFY(!r.error.url.toString().contains(u"secret"_s));
}

// A consumer that does not read holds up the transfer, not memory: what is buffered for it
// stays bounded (the transport pauses; TCP flow control reaches the server), and everything
// arrives once it reads again. curl hands data over in batches, not TLS record by record.
void TestFhirClient::streamBoundedBuffer()
{
    QByteArray body;
    body.reserve(48 * 1024 * 1024);
    for (int i = 0; body.size() < 48 * 1024 * 1024; ++i)
        body += R"({"resourceType":"Observation","id":"o)" + QByteArray::number(i) +
                R"(","status":"final","code":{"text":"padding padding padding padding"}})" "\n";
    CaptureServer server([&body](const Captured &, int) {
        return respond(200, body, {}, "application/fhir+ndjson");
    });
    FhirClient client(&m_network, server.url());
    FhirStream *stream = client.stream(server.url(u"/big"_s));
    QByteArray received;
    bool reading = false;
    qint64 mostAvailable = 0;
    int readyReads = 0;
    auto drain = [&] {
        std::vector<char> chunk(1024 * 1024);
        for (qint64 n; (n = stream->read(chunk.data(), qint64(chunk.size()))) > 0;)
            received.append(chunk.data(), n);
    };
    connect(stream, &FhirStream::readyRead, stream, [&] {
        ++readyReads;
        mostAvailable = qMax(mostAvailable, stream->bytesAvailable());
        if (reading)
            drain();
    });
    FhirError error;
    bool finished = false;
    connect(stream, &FhirStream::finished, stream, [&](const FhirError &e) {
        drain();
        error = e;
        finished = true;
    });
    QTRY_VERIFY_WITH_TIMEOUT(stream->bytesAvailable() >= 3 * 1024 * 1024, 20000);
    QTest::qWait(300); // a chance to overrun the bound, if it did not hold
    QVERIFY2(stream->bytesAvailable() <= 8 * 1024 * 1024,
             qPrintable(QString::number(stream->bytesAvailable())));
    QVERIFY(!finished);
    reading = true;
    drain();
    QTRY_VERIFY_WITH_TIMEOUT(finished, 60000);
    QVERIFY2(!error.isError(), qPrintable(error.message()));
    QCOMPARE(received.size(), body.size());
    QVERIFY(received == body);
    QVERIFY2(mostAvailable <= 8 * 1024 * 1024, qPrintable(QString::number(mostAvailable)));
    if (client.streamTransport() == StreamTransport::Curl) {
        // 48 MiB in 16 KiB pieces would be 3072 notifications.
        QVERIFY2(readyReads < 400, qPrintable(QString::number(readyReads)));
    }
}

void TestFhirClient::tls()
{
    const auto pki = makePki();
    if (!pki)
        QSKIP("needs the openssl command and Qt's TLS backend");
    CaptureServer server([](const Captured &, int) {
        return respond(200, R"({"resourceType":"CapabilityStatement"})");
    });
    server.setTls(pki->serverTls);

    FhirClient client(&m_network, server.url(u"/fhir"_s));
    QVERIFY(client.baseUrl().scheme() == "https"_L1);
    const CallResult untrusted = run(client.get(u"metadata"_s));
    const FhirError &e = untrusted.response.error;
    QCOMPARE(e.kind, FhirError::Kind::Tls);
    QVERIFY2(e.detail.contains(u"Cohort Test CA"_s), qPrintable(e.detail));
    QVERIFY2(e.message().startsWith(u"The TLS certificate of 127.0.0.1 is not trusted: "_s),
             qPrintable(e.message()));
    QVERIFY(e.message().endsWith(u"Add the server's CA certificate to the profile."_s));
    QVERIFY(server.requests.isEmpty()); // nothing was sent over the untrusted connection

    QString error;
    QVERIFY(!client.addTrustedCaCertificates("not a certificate", &error));
    QVERIFY(!error.isEmpty());
    QVERIFY2(client.addTrustedCaCertificates(pki->caPem, &error), qPrintable(error));
    const CallResult trusted = run(client.get(u"metadata"_s));
    QVERIFY2(!trusted.response.error.isError(), qPrintable(trusted.response.error.message()));
    QCOMPARE(trusted.response.status, 200);
    QCOMPARE(server.requests.size(), 1);
    QCOMPARE(server.requests.first().header("User-Agent"), userAgent().toUtf8());
}

// The private CA for streams: untrusted until added (a TLS error that names the certificate,
// nothing sent), trusted afterwards; and a certificate for another name is refused even from
// a trusted CA.
void TestFhirClient::streamTls()
{
    const auto pki = makePki();
    if (!pki)
        QSKIP("needs the openssl command and Qt's TLS backend");
    const QByteArray body = ndjsonLines(1000);
    CaptureServer server([body](const Captured &, int) {
        return respond(200, body, {}, "application/fhir+ndjson");
    });
    server.setTls(pki->serverTls);
    FhirClient client(&m_network, server.url(u"/fhir"_s));
    const StreamResult untrusted = runStream(client.stream(server.url(u"/fhir/Binary/1"_s)));
    QCOMPARE(untrusted.events, QStringList{u"finished"_s});
    const FhirError &e = untrusted.error;
    QCOMPARE(e.kind, FhirError::Kind::Tls);
    QVERIFY2(e.detail.contains(u"(certificate 127.0.0.1, issuer Cohort Test CA)"_s),
             qPrintable(e.detail));
    QVERIFY2(e.message().startsWith(u"The TLS certificate of 127.0.0.1 is not trusted: "_s),
             qPrintable(e.message()));
    QVERIFY(server.requests.isEmpty());

    QString error;
    QVERIFY2(client.addTrustedCaCertificates(pki->caPem, &error), qPrintable(error));
    const StreamResult trusted = runStream(client.stream(server.url(u"/fhir/Binary/1"_s)));
    QVERIFY2(!trusted.error.isError(), qPrintable(trusted.error.message()));
    QCOMPARE(trusted.body, body);
    QCOMPARE(server.requests.size(), 1);
    // Again, on the same client (a kept connection, or a new one verified the same way).
    QCOMPARE(runStream(client.stream(server.url(u"/fhir/Binary/2"_s))).body, body);
    // Another client (another profile) does not inherit the CA, nor its kept connections
    // (tlsSettingsStayWithTheirClient).
    {
        FhirClient stranger(&m_network, server.url(u"/fhir"_s));
        const StreamResult refused = runStream(stranger.stream(server.url(u"/fhir/Binary/1"_s)));
        QCOMPARE(refused.error.kind, FhirError::Kind::Tls);
        QCOMPARE(server.requests.size(), 2);
    }

    // Trusted issuer, wrong name: the certificate is for 127.0.0.1 only.
    QUrl byName = server.url(u"/fhir/Binary/3"_s);
    byName.setHost(u"localhost"_s);
    const StreamResult mismatch = runStream(client.stream(byName));
    QCOMPARE(mismatch.error.kind, FhirError::Kind::Tls);
    QVERIFY2(mismatch.error.detail.contains(u"host name"_s), qPrintable(mismatch.error.detail));
    QVERIFY2(mismatch.error.detail.contains(u"Cohort Test CA"_s), qPrintable(mismatch.error.detail));
}

// A connection verified with one profile's CA is never lent to a client without it: another
// profile's client on the same QNetworkAccessManager (as the app builds them) is refused by
// TLS while the first one's connections are still kept open, for send() (always Qt) and for
// streams over each transport.
void TestFhirClient::tlsSettingsStayWithTheirClient()
{
    const auto pki = makePki();
    if (!pki)
        QSKIP("needs the openssl command and Qt's TLS backend");
    const QByteArray body = ndjsonLines(100);
    CaptureServer server([body](const Captured &request, int) {
        if (request.target.endsWith("/metadata"))
            return respond(200, R"({"resourceType":"CapabilityStatement"})");
        return respond(200, body, {}, "application/fhir+ndjson");
    });
    server.setTls(pki->serverTls);
    QNetworkAccessManager network; // one for every profile, as ServerSession has
    for (const StreamTransport transport : {StreamTransport::Curl, StreamTransport::Qt}) {
        FhirClient trusting(&network, server.url(u"/fhir"_s));
        trusting.setStreamTransport(transport);
        QString error;
        QVERIFY2(trusting.addTrustedCaCertificates(pki->caPem, &error), qPrintable(error));
        const CallResult called = run(trusting.get(u"metadata"_s));
        QVERIFY2(!called.response.error.isError(), qPrintable(called.response.error.message()));
        const StreamResult streamed = runStream(trusting.stream(server.url(u"/fhir/Binary/1"_s)));
        QVERIFY2(!streamed.error.isError(), qPrintable(streamed.error.message()));
        QCOMPARE(streamed.body, body);
        // Kept open for reuse: what a careless client would borrow.
        QVERIFY(server.connections > server.disconnections);
        const qsizetype sent = server.requests.size();

        FhirClient stranger(&network, server.url(u"/fhir"_s));
        stranger.setStreamTransport(transport);
        const CallResult refusedCall = run(stranger.get(u"metadata"_s));
        QCOMPARE(refusedCall.response.error.kind, FhirError::Kind::Tls);
        const StreamResult refusedStream =
            runStream(stranger.stream(server.url(u"/fhir/Binary/2"_s)));
        QCOMPARE(refusedStream.error.kind, FhirError::Kind::Tls);
        QVERIFY2(refusedStream.body.isEmpty(), refusedStream.body.constData());
        QCOMPARE(server.requests.size(), sent); // nothing went over an unverified connection

        // The trusting client goes on as before, and another one with the same CA works too.
        QCOMPARE(run(trusting.get(u"metadata"_s)).response.status, 200);
        FhirClient sameCa(&network, server.url(u"/fhir"_s));
        sameCa.setStreamTransport(transport);
        QVERIFY(sameCa.addTrustedCaCertificates(pki->caPem));
        QCOMPARE(runStream(sameCa.stream(server.url(u"/fhir/Binary/3"_s))).body, body);
    }
    // A client with a manager of its own, deleted in a slot of its call (as ServerSession
    // replaces its client): the manager goes later, not under the reply that is finishing.
    auto doomed = std::make_unique<FhirClient>(&network, server.url(u"/fhir"_s));
    QVERIFY(doomed->addTrustedCaCertificates(pki->caPem));
    bool done = false;
    connect(doomed->get(u"metadata"_s), &FhirCall::finished, this, [&](const FhirResponse &r) {
        QCOMPARE(r.status, 200);
        done = true;
        doomed.reset();
    });
    QTRY_VERIFY(done);
    QVERIFY(!doomed);
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    QTest::qWait(20); // anything still queued runs against nothing
}

void TestFhirClient::streamTrustsWindowsRootStore()
{
#ifdef Q_OS_WIN
    // A root an administrator deployed (a hospital's TLS inspection) is in the Windows store,
    // never in a file of ours: libcurl must take the store. Adding a root asks the user in a
    // dialog on Windows, so this runs where nobody is asked: under Wine.
    if (!test::runningUnderWine())
        QSKIP("adding a root certificate asks the user in a dialog on Windows; runs under Wine");
    const auto pki = makePki();
    if (!pki)
        QSKIP("needs the openssl command and Qt's TLS backend");
    const QByteArray body = ndjsonLines(10);
    CaptureServer server([body](const Captured &, int) {
        return respond(200, body, {}, "application/fhir+ndjson");
    });
    server.setTls(pki->serverTls);
    const QUrl url = server.url(u"/fhir/Binary/1"_s);
    {
        FhirClient before(&m_network, server.url(u"/fhir"_s));
        before.setStreamTransport(StreamTransport::Curl);
        QCOMPARE(runStream(before.stream(url)).error.kind, FhirError::Kind::Tls);
    }
    HCERTSTORE store = CertOpenSystemStoreW(0, L"ROOT");
    QVERIFY(store);
    const QByteArray der = QSslCertificate(pki->caPem).toDer();
    PCCERT_CONTEXT added = nullptr;
    QVERIFY(CertAddEncodedCertificateToStore(store, X509_ASN_ENCODING,
                                             reinterpret_cast<const BYTE *>(der.constData()),
                                             DWORD(der.size()), CERT_STORE_ADD_REPLACE_EXISTING,
                                             &added));
    // Wine writes a system store to the registry only on a commit or close (Windows at once),
    // and libcurl opens the ROOT store afresh for each connection.
    QVERIFY(CertControlStore(store, 0, CERT_STORE_CTRL_COMMIT, nullptr));
    const auto removeRoot = qScopeGuard([&] {
        CertDeleteCertificateFromStore(added); // frees the context
        CertControlStore(store, 0, CERT_STORE_CTRL_COMMIT, nullptr);
        CertCloseStore(store, 0);
    });
    FhirClient client(&m_network, server.url(u"/fhir"_s)); // no CA of its own
    client.setStreamTransport(StreamTransport::Curl);
    const StreamResult trusted = runStream(client.stream(url));
    QVERIFY2(!trusted.error.isError(), qPrintable(trusted.error.message()));
    QCOMPARE(trusted.body, body);
#else
    QSKIP("the Windows certificate store");
#endif
}

void TestFhirClient::logLinesAreRedacted()
{
    CaptureServer server([](const Captured &, int) { return respond(200, "{}"); });
    FhirClient client(&m_network, server.url(u"/fhir"_s));
    StaticTokenProvider provider(u"log-secret-token"_s);
    client.setTokenProvider(&provider);
    logLines.clear();
    QLoggingCategory::setFilterRules(u"cohort.fhir.debug=true"_s);
    const QtMessageHandler previous = qInstallMessageHandler(captureLog);
    run(client.get(u"Group?_sig=capability-secret"_s));
    qInstallMessageHandler(previous);
    QLoggingCategory::setFilterRules({});
    QCOMPARE(logLines.size(), 1);
    const QString line = logLines.first();
    QVERIFY2(line.startsWith(u"GET %1 -> 200 ("_s.arg(server.url(u"/fhir/Group"_s).toString())),
             qPrintable(line));
    QVERIFY(line.endsWith(u" ms)"_s));
    QVERIFY(!line.contains(u"secret"_s));
}

void TestFhirClient::groupSearchPages()
{
    auto s = makeServer();
    FhirClient client(&m_network, s->baseUrl());
    GroupSearch search(&client);
    QSignalSpy pages(&search, &GroupSearch::pageLoaded);
    QSignalSpy failed(&search, &GroupSearch::failed);
    QStringList ids;
    int pageCount = 0;
    connect(&search, &GroupSearch::pageLoaded, this, [&](const QList<Group> &groups, bool hasMore) {
        ++pageCount;
        QVERIFY(groups.size() <= 2);
        QCOMPARE(search.isLoading(), false);
        QCOMPARE(search.hasMore(), hasMore);
        for (const Group &g : groups)
            ids.append(g.id);
    });
    QVERIFY(!search.isLoading());
    search.start({}, 2);
    QVERIFY(search.isLoading());
    const int expected = int(s->cohort().groups().size());
    for (int i = 0; i < expected; ++i) {
        QVERIFY(pages.wait(10000));
        if (!search.hasMore())
            break;
        search.fetchMore();
        search.fetchMore(); // ignored while loading
    }
    QVERIFY(failed.isEmpty());
    QVERIFY(!search.hasMore());
    QCOMPARE(pageCount, (expected + 1) / 2);
    QCOMPARE(search.total(), expected);
    QCOMPARE(ids.size(), expected);
    QCOMPARE(QSet<QString>(ids.cbegin(), ids.cend()).size(), expected); // each exactly once
    for (const auto &g : s->cohort().groups())
        QVERIFY2(ids.contains(g.id), qPrintable(g.id));
}

void TestFhirClient::groupSearchNameContains()
{
    auto s = makeServer();
    FhirClient client(&m_network, s->baseUrl());
    GroupSearch search(&client);
    QList<Group> found;
    connect(&search, &GroupSearch::pageLoaded, this, [&](const QList<Group> &groups, bool more) {
        found += groups;
        if (more)
            search.fetchMore();
    });
    QSignalSpy pages(&search, &GroupSearch::pageLoaded);
    search.start(u"reGIStry"_s, 50);
    QTRY_VERIFY_WITH_TIMEOUT(!search.isLoading() && !search.hasMore(), 10000);
    QStringList expected;
    for (const auto &g : s->cohort().groups()) {
        if (g.name.contains(u"registry"_s, Qt::CaseInsensitive))
            expected.append(g.id);
    }
    QVERIFY(expected.size() >= 2);
    QVERIFY(expected.size() < s->cohort().groups().size());
    QStringList ids;
    for (const Group &g : std::as_const(found)) {
        ids.append(g.id);
        QVERIFY(g.name.contains(u"Registry"_s));
        QCOMPARE(g.type, u"person"_s);
        QVERIFY(g.quantity.has_value());
    }
    QCOMPARE(ids, expected);

    // A new search cancels the running one; its page never arrives.
    found.clear();
    pages.clear();
    search.start(u"Pilot"_s);
    search.start(u"Small Pilot"_s);
    QVERIFY(pages.wait(10000));
    QTRY_VERIFY(!search.isLoading());
    QCOMPARE(pages.size(), 1);
    QCOMPARE(found.size(), 1);
    QCOMPARE(found.first().id, u"small-pilot"_s);
    QCOMPARE(found.first().memberCount(), 5);

    // Names with characters that mean something in a query.
    found.clear();
    pages.clear();
    search.start(u"a+b&c=d"_s);
    QVERIFY(pages.wait(10000));
    QVERIFY(found.isEmpty());
    QCOMPARE(search.total(), 0);
}

void TestFhirClient::groupSearch401()
{
    demo::DemoServerOptions o;
    o.auth = true;
    o.clientId = u"client"_s;
    auto s = makeServer(o);
    FhirClient client(&m_network, s->baseUrl());
    GroupSearch search(&client);
    QSignalSpy pages(&search, &GroupSearch::pageLoaded);
    FhirError error;
    connect(&search, &GroupSearch::failed, this, [&error](const FhirError &e) { error = e; });
    QSignalSpy failed(&search, &GroupSearch::failed);
    search.start();
    QVERIFY(failed.wait(10000));
    QCOMPARE(pages.size(), 0);
    QCOMPARE(error.kind, FhirError::Kind::Http);
    QCOMPARE(error.httpStatus, 401);
    QVERIFY(error.message().contains(u"bearer access token"_s));
    QVERIFY(!search.isLoading());
    QVERIFY(!search.hasMore());
}

void TestFhirClient::capabilityStatementFromDemo()
{
    for (const bool auth : {false, true}) {
        demo::DemoServerOptions o;
        o.auth = auth;
        o.clientId = u"client"_s;
        auto s = makeServer(o);
        FhirClient client(&m_network, s->baseUrl());
        const CallResult r = run(client.get(u"metadata"_s));
        QCOMPARE(r.response.status, 200);
        QString error;
        const auto cs = CapabilityStatement::fromJson(r.response.json(), &error);
        QVERIFY2(cs, qPrintable(error));
        QCOMPARE(cs->fhirVersion, u"4.0.1"_s);
        QCOMPARE(cs->softwareName, u"Cohort Export demo server"_s);
        QVERIFY(cs->systemExport);
        QVERIFY(cs->patientExport);
        QVERIFY(cs->groupExport);
        QCOMPARE(cs->tokenEndpoint, auth ? s->tokenUrl() : QUrl());
        for (QLatin1StringView type : demo::SyntheticCohort::resourceTypes())
            QVERIFY2(cs->resource(QString(type)), type.data());
        const ResourceCapability *group = cs->resource(u"Group"_s);
        QVERIFY(group);
        QVERIFY(group->interactions.contains(u"search-type"_s));
        QCOMPARE(group->searchParams, QStringList{u"name"_s});
        QCOMPARE(group->operations, QStringList{u"export"_s});
    }
}

void TestFhirClient::groupsCommand()
{
    auto s = makeServer();
    const Outcome all = runCommand({u"groups"_s, u"--server"_s, s->baseUrl().toString()});
    QVERIFY(all.finished);
    QVERIFY2(all.exitCode == 0, qPrintable(all.err));
    const QStringList lines = all.out.split(u'\n', Qt::SkipEmptyParts);
    QVERIFY2(lines.first().startsWith(u"NAME"_s), qPrintable(all.out));
    for (const QString &column :
         {u"TYPE"_s, u"ACTUAL"_s, u"MEMBERS/QUANTITY"_s, u"ACTIVE"_s, u"ID"_s})
        QVERIFY(lines.first().contains(column));
    for (const auto &g : s->cohort().groups()) {
        const auto row = std::find_if(lines.cbegin(), lines.cend(), [&g](const QString &line) {
            return line.startsWith(g.name) && line.endsWith(g.id);
        });
        QVERIFY2(row != lines.cend(), qPrintable(g.id));
        const QString members = u"%1/%1"_s.arg(g.members.size());
        QVERIFY2(row->contains(members), qPrintable(*row));
        QVERIFY(row->contains(g.active ? u"yes"_s : u"no"_s));
    }
    QVERIFY(all.out.contains(u"%1 groups."_s.arg(s->cohort().groups().size())));

    const Outcome filtered =
        runCommand({u"groups"_s, u"--server"_s, s->baseUrl().toString(), u"--name"_s, u"pilot"_s});
    QCOMPARE(filtered.exitCode, 0);
    QVERIFY(filtered.out.contains(u"Small Pilot Study"_s));
    QVERIFY(!filtered.out.contains(u"Registry"_s));
    QVERIFY(filtered.out.contains(u"1 group."_s));

    const Outcome none =
        runCommand({u"groups"_s, u"--server"_s, s->baseUrl().toString(), u"--name"_s, u"zzz"_s});
    QCOMPARE(none.exitCode, 0);
    QCOMPARE(none.out, u"No groups found.\n"_s);
}

void TestFhirClient::groupsCommandTokenFromEnvironment()
{
    CaptureServer server([](const Captured &c, int) {
        if (c.header("Authorization") != "Bearer env-token-value")
            return respond(401, outcome(u"login"_s, u"A valid token is required."_s));
        return respond(200, R"({"resourceType":"Bundle","type":"searchset","total":1,"entry":[
            {"resource":{"resourceType":"Group","id":"g1","name":"Env Group","type":"person",
             "actual":true,"quantity":3,"active":true}}]})");
    });
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"COHORT_TEST_TOKEN"_s, u"env-token-value"_s);
    const QString base = server.url(u"/fhir"_s).toString();
    const Outcome ok = runCommand(
        {u"groups"_s, u"--server"_s, base, u"--token-env"_s, u"COHORT_TEST_TOKEN"_s}, env);
    QVERIFY2(ok.exitCode == 0, qPrintable(ok.err));
    QVERIFY(ok.out.contains(u"Env Group"_s));
    QVERIFY(ok.out.contains(u"0/3"_s));
    QCOMPARE(server.requests.last().target, QByteArray("/fhir/Group?_count=50"));

    const Outcome refused = runCommand({u"groups"_s, u"--server"_s, base});
    QCOMPARE(refused.exitCode, 1);
    QVERIFY2(refused.err.contains(
                 u"The server answered 401 (Unauthorized): A valid token is required."_s),
             qPrintable(refused.err));
    QVERIFY(refused.out.isEmpty());

    const Outcome unset = runCommand(
        {u"groups"_s, u"--server"_s, base, u"--token-env"_s, u"COHORT_TEST_UNSET_VARIABLE"_s});
    QCOMPARE(unset.exitCode, 1);
    QVERIFY(unset.err.contains(u"COHORT_TEST_UNSET_VARIABLE is not set"_s));
}

void TestFhirClient::capabilitiesCommand()
{
    for (const bool auth : {false, true}) {
        demo::DemoServerOptions o;
        o.auth = auth;
        o.clientId = u"client"_s;
        auto s = makeServer(o);
        const Outcome r = runCommand({u"capabilities"_s, u"--server"_s, s->baseUrl().toString()});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains(u"Cohort Export demo server %1"_s.arg(appVersion())),
                 qPrintable(r.out));
        QVERIFY(r.out.contains(u"FHIR version:    4.0.1"_s));
        QVERIFY(r.out.contains(
            u"system ([base]/$export), patient (Patient/$export), group (Group/[id]/$export)"_s));
        if (auth)
            QVERIFY2(r.out.contains(s->tokenUrl().toString()), qPrintable(r.out));
        else
            QVERIFY(r.out.contains(u"Token endpoint:  none advertised"_s));
        QVERIFY(r.out.contains(u"Resource types ("_s));
        static const QRegularExpression groupLine(
            u"\\n  Group +read, search-type; search: name; operations: export\\n"_s);
        QVERIFY2(groupLine.match(r.out).hasMatch(), qPrintable(r.out));
    }
}

void TestFhirClient::commandFailures_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");
    quint16 port = 0;
    {
        QTcpServer probe;
        probe.listen(QHostAddress::LocalHost, 0);
        port = probe.serverPort();
    }
    const QString closed = u"http://127.0.0.1:%1/fhir"_s.arg(port);
    QTest::newRow("groups refused")
        << QStringList{u"groups"_s, u"--server"_s, closed}
        << u"Could not connect to 127.0.0.1:%1: Connection refused."_s.arg(port);
    QTest::newRow("capabilities refused") << QStringList{u"capabilities"_s, u"--server"_s, closed}
                                          << u"Could not connect to 127.0.0.1"_s;
    QTest::newRow("groups bad url") << QStringList{u"groups"_s, u"--server"_s, u"not a url"_s}
                                    << u"'not a url' is not an http:// or https:// URL."_s;
    QTest::newRow("capabilities ftp")
        << QStringList{u"capabilities"_s, u"--server"_s, u"ftp://h/x"_s}
        << u"is not an http:// or https:// URL."_s;
    QTest::newRow("groups no server") << QStringList{u"groups"_s} << u"--server is required"_s;
    QTest::newRow("capabilities no server")
        << QStringList{u"capabilities"_s} << u"--server is required"_s;
    QTest::newRow("missing ca file") << QStringList{u"groups"_s, u"--server"_s, u"https://h/fhir"_s,
                                                    u"--ca-cert"_s, u"/nonexistent/ca.pem"_s}
                                     << u"cannot read /nonexistent/ca.pem"_s;
}

void TestFhirClient::commandFailures()
{
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    const Outcome r = runCommand(args);
    QVERIFY(r.finished);
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains(message), qPrintable(r.err));
    QVERIFY(r.err.startsWith(u"cohort-export "_s));

    // And --help works for both.
    const Outcome help = runCommand({args.first(), u"--help"_s});
    QCOMPARE(help.exitCode, 0);
    QVERIFY(help.out.contains(u"--server <URL>"_s));
    QVERIFY(help.out.contains(u"--token-env <VAR>"_s));
}

QTEST_GUILESS_MAIN(TestFhirClient)
#include "tst_FhirClient.moc"
