// FileDownload and DownloadQueue over real loopback HTTP: against the demo Bulk Data server
// (faults included) and, for answers it cannot give, a tiny scripted HTTP server.

#include "TestHttp.h"
#include "auth/Jwk.h"
#include "auth/Jwt.h"
#include "demo/DemoServer.h"
#include "demo/SyntheticCohort.h"
#include "export/BinaryResourceDecoder.h"
#include "export/DownloadQueue.h"
#include "export/FileDownload.h"
#include "fhir/FhirClient.h"
#include "fhir/FhirDateTime.h"
#include "fhir/TokenProvider.h"

#include <QDir>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QSet>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>
#include <functional>

using namespace cohort;
using namespace cohort::bulk;
using namespace cohort::test;
using namespace Qt::StringLiterals;

namespace {

struct Manifest
{
    QUrl statusUrl;
    QList<FileTask> tasks;
};

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool writeFile(const QString &path, const QByteArray &data)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(data) == data.size();
}

QByteArray httpResponse(int status, const QByteArray &reason, const QByteArray &body,
                        const QList<QPair<QByteArray, QByteArray>> &headers = {})
{
    QByteArray out = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reason + "\r\n";
    for (const auto &[name, value] : headers)
        out += name + ": " + value + "\r\n";
    out += "Content-Length: " + QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n";
    return out + body;
}

// A scripted HTTP/1.1 server: each request is answered with what the handler returns (a whole
// raw response), or not at all when it returns nothing (to provoke timeouts). A response that
// ends with kStall is sent without it and the connection then stays open, silent.
class ScriptedServer
{
public:
    static constexpr QByteArrayView kStall = "<<stall>>";
    struct Request
    {
        QByteArray method;
        QByteArray target;
        QList<QPair<QByteArray, QByteArray>> headers;
        QByteArray header(QByteArrayView name) const
        {
            for (const auto &[n, v] : headers) {
                if (n.compare(name, Qt::CaseInsensitive) == 0)
                    return v;
            }
            return {};
        }
    };
    using Handler = std::function<QByteArray(const Request &request, int index)>;

    explicit ScriptedServer(Handler handler)
        : m_handler(std::move(handler))
    {
        m_server.listen(QHostAddress::LocalHost, 0);
        QObject::connect(&m_server, &QTcpServer::newConnection, &m_server, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
                QObject::connect(socket, &QTcpSocket::readyRead, socket,
                                 [this, socket] { onData(socket); });
            }
        });
    }
    QUrl url(const QString &path = u"/file.ndjson"_s) const
    {
        return QUrl(u"http://127.0.0.1:%1%2"_s.arg(m_server.serverPort()).arg(path));
    }
    QList<Request> requests;

private:
    void onData(QTcpSocket *socket)
    {
        QByteArray &buffer = m_buffers[socket];
        buffer += socket->readAll();
        const qsizetype end = buffer.indexOf("\r\n\r\n");
        if (end < 0)
            return;
        const QList<QByteArray> lines = buffer.left(end).split('\n');
        buffer.clear();
        Request request;
        const QList<QByteArray> first = lines.value(0).trimmed().split(' ');
        request.method = first.value(0);
        request.target = first.value(1);
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const qsizetype colon = lines[i].indexOf(':');
            if (colon > 0)
                request.headers.append(
                    {lines[i].left(colon).trimmed(), lines[i].mid(colon + 1).trimmed()});
        }
        requests.append(request);
        const QByteArray response = m_handler(request, int(requests.size() - 1));
        if (response.isEmpty())
            return;
        if (response.endsWith(kStall)) {
            socket->write(response.chopped(kStall.size()));
            return;
        }
        socket->write(response);
        socket->disconnectFromHost();
    }

    QTcpServer m_server;
    Handler m_handler;
    QHash<QTcpSocket *, QByteArray> m_buffers;
};

QByteArray sampleNdjson(int lines, const QByteArray &type = "Observation")
{
    QByteArray data;
    for (int i = 0; i < lines; ++i) {
        data +=
            "{\"resourceType\":\"" + type + "\",\"id\":\"o" + QByteArray::number(i) +
            "\",\"status\":\"final\",\"valueQuantity\":{\"value\":" + QByteArray::number(i % 97) +
            "}}\n";
    }
    return data;
}

} // namespace

class TestFileDownload : public QObject
{
    Q_OBJECT

private:
    static demo::DemoServerOptions quick()
    {
        demo::DemoServerOptions o;
        o.patients = 40;
        o.exportSeconds = 0;
        o.resourcesPerFile = 300;
        return o;
    }
    std::unique_ptr<demo::DemoServer> makeServer(const demo::DemoServerOptions &options = quick())
    {
        auto server = std::make_unique<demo::DemoServer>(options);
        QString error;
        if (!server->start(&error))
            qFatal("demo server did not start: %s", qPrintable(error));
        return server;
    }
    QString firstGroup(const demo::DemoServer &s) const
    {
        for (const auto &g : s.cohort().groups()) {
            if (g.members.size() >= 3 && g.active)
                return g.id;
        }
        return {};
    }
    // Kick-off and poll (as a client would, but quickly); tasks named the way the app names them.
    bool runExport(demo::DemoServer &s, const QString &path, Manifest *out,
                   const Headers &extra = {});
    static DownloadOptions fastOptions(bool gzip = false)
    {
        DownloadOptions o;
        o.gzip = gzip;
        o.retryBaseDelayMs = 20;
        o.timeoutMs = 10000;
        return o;
    }
    struct Outcome
    {
        FileResult result;
        int finishedCount = 0;
        QList<QPair<qint64, qint64>> progress;
    };
    // Runs the download to its end on the event loop.
    bool run(FileDownload &download, Outcome *out, int timeoutMs = 30000);
    QByteArray fetchToken(demo::DemoServer &s, const auth::Key &key);

    Http m_http;
    QNetworkAccessManager m_network;
    QTemporaryDir m_dir;

private slots:
    void initTestCase();
    void plainDownload();
    void gzipDownload();
    void dropConnectionResumes_data();
    void dropConnectionResumes();
    void slowFiles();
    void redirectToSecondOrigin();
    void secondOriginWithoutToken();
    void resumeExistingPart_data();
    void resumeExistingPart();
    void completePartIsAccepted();
    void serverIgnoresRange();
    void binaryResource();
    void binaryFromDemoServer();
    void goneAfterDelete();
    void gone410();
    void hugeRetryAfterIsCapped();
    void countMismatchAndWrongType();
    void abortKeepsPartAndResumes();
    void retryAfterAndBackoff();
    void timeoutIsRetried();
    void stalledTransferIsResumed_data();
    void stalledTransferIsResumed();
    void nonRetryableAndExhausted();
    void resumedPartIsRechecked();
    void corruptGzipFallsBackToIdentity_data();
    void corruptGzipFallsBackToIdentity();
    void unsafePathRefused();
    void queueParallelTwo();
    void queueAbort();
};

bool TestFileDownload::runExport(demo::DemoServer &s, const QString &path, Manifest *out,
                                 const Headers &extra)
{
    const Reply kick = m_http.get(QUrl(s.baseUrl().toString() + path), kickoffHeaders() + extra);
    if (kick.status != 202)
        return false;
    out->statusUrl = QUrl(QString::fromUtf8(kick.header("Content-Location")));
    for (int attempt = 0; attempt < 200; ++attempt) {
        const Reply poll =
            m_http.get(out->statusUrl, Headers{{"Accept", "application/json"}} + extra);
        if (poll.status == 202) {
            QTest::qWait(50);
            continue;
        }
        if (poll.status != 200)
            return false;
        QHash<QString, int> perType;
        for (const char *member : {"output", "error"}) {
            for (const QJsonValue &v : poll.json().value(QLatin1String(member)).toArray()) {
                const QJsonObject o = v.toObject();
                FileTask task;
                task.type = o.value("type"_L1).toString();
                task.url = QUrl(o.value("url"_L1).toString());
                task.expectedCount = o.value("count"_L1).toInteger(-1);
                task.kind =
                    qstrcmp(member, "error") == 0 ? FileTask::Kind::Error : FileTask::Kind::Output;
                task.relativePath = u"%1%2.%3.ndjson"_s.arg(
                    task.kind == FileTask::Kind::Error ? u"error/"_s : QString(), task.type,
                    QString::number(++perType[task.type]).rightJustified(3, u'0'));
                out->tasks.append(task);
            }
        }
        return true;
    }
    return false;
}

bool TestFileDownload::run(FileDownload &download, Outcome *out, int timeoutMs)
{
    QObject::connect(&download, &FileDownload::finished, &download, [out](const FileResult &r) {
        out->result = r;
        ++out->finishedCount;
    });
    QObject::connect(&download, &FileDownload::progress, &download,
                     [out](qint64 received, qint64 total) {
                         out->progress.append({received, total});
                     });
    QSignalSpy finished(&download, &FileDownload::finished);
    download.start();
    return finished.wait(timeoutMs);
}

QByteArray TestFileDownload::fetchToken(demo::DemoServer &s, const auth::Key &key)
{
    const QByteArray assertion =
        auth::makeClientAssertion(key, u"client"_s, s.tokenUrl().toString());
    QUrlQuery form;
    form.addQueryItem(u"grant_type"_s, u"client_credentials"_s);
    form.addQueryItem(u"scope"_s, u"system/*.read"_s);
    form.addQueryItem(u"client_assertion_type"_s,
                      u"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"_s);
    form.addQueryItem(u"client_assertion"_s, QString::fromLatin1(assertion));
    const Reply r = m_http.post(s.tokenUrl(), form.toString(QUrl::FullyEncoded).toUtf8(),
                                {{"Content-Type", "application/x-www-form-urlencoded"}});
    return r.json().value("access_token"_L1).toString().toLatin1();
}

void TestFileDownload::initTestCase()
{
    QVERIFY(m_dir.isValid());
}

void TestFileDownload::plainDownload()
{
    auto s = makeServer();
    Manifest m;
    QVERIFY(runExport(*s, u"/Group/"_s + firstGroup(*s) + u"/$export?_type=Observation"_s, &m));
    QVERIFY(!m.tasks.isEmpty());
    const FileTask task = m.tasks.first();
    const Reply direct = m_http.get(task.url, {{"Accept-Encoding", "identity"}});
    QCOMPARE(direct.status, 200);

    fhir::FhirClient client(&m_network, s->baseUrl());
    FileDownload download(&client, task, m_dir.filePath(u"plain"_s), fastOptions(false));
    Outcome o;
    QVERIFY(run(download, &o));
    QVERIFY2(o.result.ok, qPrintable(o.result.message));
    QCOMPARE(readFile(download.finalPath()), direct.body);
    QVERIFY(!QFile::exists(download.partPath()));
    QCOMPARE(o.result.bytes, direct.body.size());
    QCOMPARE(o.result.lines, task.expectedCount);
    QCOMPARE(o.result.problemCount, 0);
    QCOMPARE(o.result.attempts, 1);
    QVERIFY(!o.result.resumed);
    QCOMPARE(o.finishedCount, 1);
    QVERIFY(!o.progress.isEmpty());
    QCOMPARE(o.progress.last(), qMakePair(qint64(direct.body.size()), qint64(direct.body.size())));
    QCOMPARE(download.bytesTotal(), direct.body.size());
}

void TestFileDownload::gzipDownload()
{
    auto s = makeServer();
    Manifest m;
    QVERIFY(runExport(*s, u"/Group/"_s + firstGroup(*s) + u"/$export?_type=Observation"_s, &m));
    const FileTask task = m.tasks.first();
    const Reply plain = m_http.get(task.url, {{"Accept-Encoding", "identity"}});
    const Reply gz = m_http.get(task.url, {{"Accept-Encoding", "gzip"}});
    QCOMPARE(gz.header("Content-Encoding"), QByteArray("gzip"));

    fhir::FhirClient client(&m_network, s->baseUrl());
    FileDownload download(&client, task, m_dir.filePath(u"gzip"_s), fastOptions(true));
    Outcome o;
    QVERIFY(run(download, &o));
    QVERIFY2(o.result.ok, qPrintable(o.result.message));
    // Progress counts decoded bytes on disk, the file's own unit, never compressed bytes: it
    // ends at the file's size, and a total shown on the way is an estimate in the same unit.
    QVERIFY(gz.body.size() < plain.body.size());
    QCOMPARE(o.progress.last(), qMakePair(qint64(plain.body.size()), qint64(plain.body.size())));
    for (const auto &[received, total] : std::as_const(o.progress)) {
        QVERIFY(received <= plain.body.size());
        QVERIFY(total < 0 || total >= received);
    }
    QCOMPARE(readFile(download.finalPath()), plain.body);
    QCOMPARE(o.result.bytes, plain.body.size());
    QCOMPARE(o.result.lines, task.expectedCount);
    QCOMPARE(o.result.problemCount, 0);
}

void TestFileDownload::dropConnectionResumes_data()
{
    QTest::addColumn<bool>("gzip");
    QTest::newRow("identity") << false;
    QTest::newRow("gzip") << true;
}

void TestFileDownload::dropConnectionResumes()
{
    QFETCH(bool, gzip);
    auto s = makeServer();
    Manifest m;
    QVERIFY(runExport(*s, u"/Group/"_s + firstGroup(*s) + u"/$export?_type=Observation"_s, &m));
    const FileTask task = m.tasks.first();
    const Reply clean = m_http.get(task.url, {{"Accept-Encoding", "identity"}});
    s->setFault(demo::Fault::DropConnection, true);

    fhir::FhirClient client(&m_network, s->baseUrl());
    FileDownload download(&client, task, m_dir.filePath(u"drop-%1"_s.arg(gzip)), fastOptions(gzip));
    QStringList log;
    connect(&download, &FileDownload::logMessage, this,
            [&log](const QString &l) { log.append(l); });
    Outcome o;
    QVERIFY(run(download, &o));
    QCOMPARE(s->faultsStruck(demo::Fault::DropConnection), 1);
    QVERIFY2(o.result.ok, qPrintable(o.result.message));
    QCOMPARE(o.result.attempts, 2);
    QVERIFY(o.result.resumed);
    QCOMPARE(readFile(download.finalPath()), clean.body);
    QCOMPARE(o.result.lines, task.expectedCount);
    QCOMPARE(o.result.problemCount, 0);
    QVERIFY2(log.join(u'\n').contains("continuing after byte"_L1), qPrintable(log.join(u'\n')));
}

void TestFileDownload::slowFiles()
{
    demo::DemoServerOptions options = quick();
    options.faults = {demo::Fault::SlowFiles};
    options.slowChunkBytes = 4096;
    options.slowChunkIntervalMs = 5;
    auto s = makeServer(options);
    Manifest m;
    QVERIFY(runExport(*s, u"/Group/"_s + firstGroup(*s) + u"/$export?_type=Observation"_s, &m));
    const FileTask task = m.tasks.first();
    fhir::FhirClient client(&m_network, s->baseUrl());
    FileDownload download(&client, task, m_dir.filePath(u"slow"_s), fastOptions(false));
    Outcome o;
    QVERIFY(run(download, &o));
    QVERIFY2(o.result.ok, qPrintable(o.result.message));
    QCOMPARE(o.result.lines, task.expectedCount);
    QVERIFY2(o.progress.size() >= 3, "progress should be reported while the body trickles in");
    QCOMPARE(o.progress.last().first, o.result.bytes);
}

void TestFileDownload::redirectToSecondOrigin()
{
    demo::DemoServerOptions options = quick();
    options.faults = {demo::Fault::RedirectFiles};
    auto s = makeServer(options);
    Manifest m;
    QVERIFY(runExport(*s, u"/Group/"_s + firstGroup(*s) + u"/$export?_type=Patient"_s, &m));
    const FileTask task = m.tasks.first();
    QCOMPARE(task.url.port(), s->baseUrl().port());
    fhir::FhirClient client(&m_network, s->baseUrl());
    DownloadOptions opts = fastOptions(true);
    opts.auth = fhir::AuthMode::Always;
    FileDownload download(&client, task, m_dir.filePath(u"redirect"_s), opts);
    Outcome o;
    QVERIFY(run(download, &o));
    QVERIFY2(o.result.ok, qPrintable(o.result.message));
    QCOMPARE(o.result.lines, task.expectedCount);
    QCOMPARE(s->secondOriginRequests(), 1);
    QCOMPARE(s->secondOriginRequestsWithAuthorization(), 0);
}

void TestFileDownload::secondOriginWithoutToken()
{
    QString error;
    const auth::Key key = auth::Key::generate(auth::JwtAlgorithm::ES384, u"es-1"_s, &error);
    QVERIFY2(!key.isNull(), qPrintable(error));
    demo::DemoServerOptions options = quick();
    options.auth = true;
    options.clientId = u"client"_s;
    options.clientKeys = {key};
    options.faults = {demo::Fault::SecondOrigin};
    auto s = makeServer(options);
    const QByteArray token = fetchToken(*s, key);
    QVERIFY(!token.isEmpty());
    Manifest m;
    QVERIFY(runExport(*s, u"/Group/"_s + firstGroup(*s) + u"/$export?_type=Patient"_s, &m,
                      {{"Authorization", "Bearer " + token}}));
    const FileTask task = m.tasks.first();
    QCOMPARE(task.url.port(), s->secondOriginUrl().port());

    fhir::FhirClient client(&m_network, s->baseUrl());
    fhir::StaticTokenProvider tokens(QString::fromLatin1(token));
    client.setTokenProvider(&tokens);
    DownloadOptions opts = fastOptions(true);
    opts.auth = fhir::AuthMode::Never; // the manifest said requiresAccessToken: false
    FileDownload download(&client, task, m_dir.filePath(u"second"_s), opts);
    Outcome o;
    QVERIFY(run(download, &o));
    QVERIFY2(o.result.ok, qPrintable(o.result.message));
    QCOMPARE(o.result.lines, task.expectedCount);
    QCOMPARE(s->secondOriginRequests(), 1);
    QCOMPARE(s->secondOriginRequestsWithAuthorization(), 0);
}

void TestFileDownload::resumeExistingPart_data()
{
    QTest::addColumn<int>("keepLines");
    QTest::addColumn<QByteArray>("tail"); // written after the kept lines
    QTest::newRow("half a line") << 10 << QByteArray("HALF");
    QTest::newRow("garbage after the last newline") << 25 << QByteArray("\x01\x02garbage{{");
    QTest::newRow("exactly at a line end") << 7 << QByteArray();
    QTest::newRow("only a partial first line") << 0 << QByteArray("{\"resourceType\":\"Obs");
}

void TestFileDownload::resumeExistingPart()
{
    QFETCH(int, keepLines);
    QFETCH(QByteArray, tail);
    auto s = makeServer();
    Manifest m;
    QVERIFY(runExport(*s, u"/Group/"_s + firstGroup(*s) + u"/$export?_type=Observation"_s, &m));
    const FileTask task = m.tasks.first();
    const QByteArray clean = m_http.get(task.url, {{"Accept-Encoding", "identity"}}).body;
    const QList<QByteArray> lines = clean.split('\n');
    QByteArray kept;
    for (int i = 0; i < keepLines; ++i)
        kept += lines[i] + '\n';
    QByteArray partial = tail == "HALF" ? lines[keepLines].left(lines[keepLines].size() / 2) : tail;

    fhir::FhirClient client(&m_network, s->baseUrl());
    FileDownload download(
        &client, task,
        m_dir.filePath(u"resume-%1"_s.arg(QString::fromUtf8(QTest::currentDataTag()))),
        fastOptions(true));
    QVERIFY(writeFile(download.partPath(), kept + partial));
    Outcome o;
    QVERIFY(run(download, &o));
    QVERIFY2(o.result.ok, qPrintable(o.result.message));
    QCOMPARE(o.result.resumed, keepLines > 0);
    QCOMPARE(o.result.attempts, 1);
    const QByteArray onDisk = readFile(download.finalPath());
    QCOMPARE(onDisk.size(), clean.size());
    QCOMPARE(onDisk, clean);
    QCOMPARE(o.result.lines, task.expectedCount);
    QCOMPARE(o.result.problemCount, 0);
    if (keepLines > 0) {
        // The continuation was asked for from the kept size and counted from there.
        QCOMPARE(o.progress.first().first, kept.size());
        QCOMPARE(o.progress.last().second, clean.size());
    }
}

void TestFileDownload::completePartIsAccepted()
{
    // A crash after the last byte but before the rename: the server answers the Range request
    // with 416 and the full length, which is exactly what we have.
    auto s = makeServer();
    Manifest m;
    QVERIFY(runExport(*s, u"/Group/"_s + firstGroup(*s) + u"/$export?_type=Observation"_s, &m));
    const FileTask task = m.tasks.first();
    const QByteArray clean = m_http.get(task.url, {{"Accept-Encoding", "identity"}}).body;
    fhir::FhirClient client(&m_network, s->baseUrl());
    FileDownload download(&client, task, m_dir.filePath(u"complete-part"_s), fastOptions(true));
    QVERIFY(writeFile(download.partPath(), clean));
    Outcome o;
    QVERIFY(run(download, &o));
    QVERIFY2(o.result.ok, qPrintable(o.result.message));
    QCOMPARE(readFile(download.finalPath()), clean);
    QCOMPARE(o.result.lines, task.expectedCount);
    QCOMPARE(o.result.attempts, 1);
    QCOMPARE(s->requestLog().last().status, 416);
}

void TestFileDownload::serverIgnoresRange()
{
    const QByteArray body = sampleNdjson(500);
    ScriptedServer server([&body](const ScriptedServer::Request &, int) {
        return httpResponse(200, "OK", body, {{"Content-Type", "application/fhir+ndjson"}});
    });
    fhir::FhirClient client(&m_network, server.url(u"/"_s));
    FileTask task{u"Observation"_s, server.url(), u"Observation.001.ndjson"_s, 500,
                  FileTask::Kind::Output};
    FileDownload download(&client, task, m_dir.filePath(u"ignores-range"_s), fastOptions(true));
    // A kept part whose content differs from the server's: it must not survive the 200.
    const QByteArray stale = sampleNdjson(40, "Observation").replace("final", "amend") + "{\"res";
    QVERIFY(writeFile(download.partPath(), stale));
    Outcome o;
    QVERIFY(run(download, &o));
    QVERIFY2(o.result.ok, qPrintable(o.result.message));
    QVERIFY(!o.result.resumed);
    QCOMPARE(readFile(download.finalPath()), body);
    QCOMPARE(o.result.lines, 500);
    QCOMPARE(o.result.problemCount, 0);
    QCOMPARE(server.requests.size(), 1);
    const ScriptedServer::Request &r = server.requests.first();
    const qint64 kept = stale.lastIndexOf('\n') + 1;
    QCOMPARE(r.header("Range"), "bytes=" + QByteArray::number(kept) + '-');
    QCOMPARE(r.header("Accept-Encoding"), QByteArray("identity"));
    QCOMPARE(r.header("Accept"), QByteArray("application/fhir+ndjson"));
}

void TestFileDownload::binaryResource()
{
    const QByteArray ndjson = sampleNdjson(3000); // ~300 kB: many reads
    // The base64 with "\/" escapes and line breaks, as some serialisers write it.
    QByteArray b64 = ndjson.toBase64();
    b64.replace("/", "\\/");
    const QByteArray json = "{\"resourceType\":\"Binary\",\"id\":\"x\",\"contentType\":"
                            "\"application/fhir+ndjson\",\"data\":\"" +
                            b64 + "\"}";
    ScriptedServer server([&json](const ScriptedServer::Request &, int) {
        return httpResponse(200, "OK", json,
                            {{"Content-Type", "application/fhir+json; charset=utf-8"}});
    });
    fhir::FhirClient client(&m_network, server.url(u"/"_s));
    FileTask task{u"Observation"_s, server.url(u"/Binary/x"_s), u"Observation.001.ndjson"_s, 3000,
                  FileTask::Kind::Output};
    FileDownload download(&client, task, m_dir.filePath(u"binary"_s), fastOptions(false));
    Outcome o;
    QVERIFY(run(download, &o));
    QVERIFY2(o.result.ok, qPrintable(o.result.message));
    QCOMPARE(readFile(download.finalPath()), ndjson);
    QCOMPARE(o.result.lines, 3000);
    QCOMPARE(o.result.problemCount, 0);

    // An OperationOutcome with 200 instead of the Binary fails with a clear sentence.
    ScriptedServer outcome([](const ScriptedServer::Request &, int) {
        return httpResponse(200, "OK", R"({"resourceType":"OperationOutcome","issue":[]})",
                            {{"Content-Type", "application/fhir+json"}});
    });
    FileTask task2 = task;
    task2.url = outcome.url();
    FileDownload download2(&client, task2, m_dir.filePath(u"binary-outcome"_s), fastOptions(false));
    Outcome o2;
    QVERIFY(run(download2, &o2));
    QVERIFY(!o2.result.ok);
    QVERIFY2(o2.result.message.contains("OperationOutcome resource instead of the file"_L1),
             qPrintable(o2.result.message));
    QCOMPARE(o2.result.attempts, 1);
}

void TestFileDownload::binaryFromDemoServer()
{
    // The demo server's Binary read (asked for FHIR JSON), decoded in pieces.
    auto s = makeServer();
    Manifest m;
    QVERIFY(runExport(*s, u"/Group/"_s + firstGroup(*s) + u"/$export?_type=Observation"_s, &m));
    const QUrl url = m.tasks.first().url;
    const QByteArray ndjson = m_http.get(url, {{"Accept-Encoding", "identity"}}).body;
    const Reply binary = m_http.get(url, {{"Accept", "application/fhir+json"}});
    QCOMPARE(binary.status, 200);
    for (qsizetype piece : {1, 7, 4096, 65536}) {
        BinaryResourceDecoder decoder;
        QByteArray out;
        for (qsizetype i = 0; i < binary.body.size(); i += piece)
            QVERIFY(decoder.feed(
                QByteArrayView(binary.body).sliced(i, qMin(piece, binary.body.size() - i)), &out));
        QVERIFY2(decoder.finish(), qPrintable(decoder.errorString()));
        QCOMPARE(out, ndjson);
        QCOMPARE(decoder.contentType(), u"application/fhir+ndjson"_s);
    }
}

void TestFileDownload::goneAfterDelete()
{
    auto s = makeServer();
    Manifest m;
    QVERIFY(runExport(*s, u"/Group/"_s + firstGroup(*s) + u"/$export?_type=Observation"_s, &m));
    QCOMPARE(m_http.del(m.statusUrl).status, 202);
    const int before = int(s->requestLog().size());
    fhir::FhirClient client(&m_network, s->baseUrl());
    FileDownload download(&client, m.tasks.first(), m_dir.filePath(u"gone"_s), fastOptions(true));
    Outcome o;
    QVERIFY(run(download, &o));
    QVERIFY(!o.result.ok);
    QCOMPARE(o.result.attempts, 1);
    QCOMPARE(s->requestLog().size(), before + 1);
    QCOMPARE(o.result.error.kind, fhir::FhirError::Kind::Http);
    QCOMPARE(o.result.error.httpStatus, 404);
    QVERIFY2(o.result.message.startsWith("The server no longer has this file (404 Not Found)"_L1),
             qPrintable(o.result.message));
    QVERIFY(!QFile::exists(download.finalPath()));
}

// A file the server dropped between the manifest and the download (expired export): 410 is as
// final as 404, one request, and the message says why.
void TestFileDownload::gone410()
{
    ScriptedServer server([](const ScriptedServer::Request &, int) {
        return httpResponse(410, "Gone", "expired", {{"Content-Type", "text/plain"}});
    });
    fhir::FhirClient client(&m_network, server.url(u"/"_s));
    FileTask task{u"Observation"_s, server.url(), u"Observation.001.ndjson"_s, 3,
                  FileTask::Kind::Output};
    FileDownload download(&client, task, m_dir.filePath(u"gone410"_s), fastOptions(true));
    Outcome o;
    QVERIFY(run(download, &o));
    QVERIFY(!o.result.ok);
    QCOMPARE(o.result.attempts, 1);
    QCOMPARE(server.requests.size(), 1);
    QCOMPARE(o.result.error.httpStatus, 410);
    QVERIFY2(o.result.message.startsWith("The server no longer has this file (410 Gone)"_L1),
             qPrintable(o.result.message));
    QVERIFY(!QFile::exists(download.finalPath()));
}

// Retry-After of 10^11 seconds (or a date years ahead) waits at most 120 s, not forever; the
// log line says so. The wait itself is not sat out: the download is aborted once it is logged.
void TestFileDownload::hugeRetryAfterIsCapped()
{
    for (const QByteArray &retryAfter :
         {QByteArray("99999999999"), QByteArray("Fri, 31 Dec 9999 23:59:59 GMT")}) {
        ScriptedServer server([&retryAfter](const ScriptedServer::Request &, int) {
            return httpResponse(503, "Service Unavailable", "busy", {{"Retry-After", retryAfter}});
        });
        fhir::FhirClient client(&m_network, server.url(u"/"_s));
        FileTask task{u"Observation"_s, server.url(), u"Observation.001.ndjson"_s, 3,
                      FileTask::Kind::Output};
        FileDownload download(&client, task, m_dir.filePath(u"huge-retry"_s), fastOptions(true));
        QSignalSpy logged(&download, &FileDownload::logMessage);
        download.start();
        QTRY_VERIFY_WITH_TIMEOUT(!logged.isEmpty(), 20000);
        const QString line = logged.first().first().toString();
        QVERIFY2(line.contains("Trying again in 120.0 s"_L1), qPrintable(line));
        download.abort();
        QCOMPARE(server.requests.size(), 1);
    }
}

void TestFileDownload::countMismatchAndWrongType()
{
    auto s = makeServer();
    Manifest m;
    QVERIFY(runExport(*s, u"/Group/"_s + firstGroup(*s) + u"/$export?_type=Observation"_s, &m));
    fhir::FhirClient client(&m_network, s->baseUrl());

    FileTask task = m.tasks.first();
    const qint64 count = task.expectedCount;
    task.expectedCount = count + 3;
    FileDownload download(&client, task, m_dir.filePath(u"count"_s), fastOptions(true));
    Outcome o;
    QVERIFY(run(download, &o));
    QVERIFY2(o.result.ok, qPrintable(o.result.message)); // validation does not fail a download
    QCOMPARE(o.result.lines, count);
    QCOMPARE(o.result.problemCount, 1);
    QCOMPARE(o.result.problems.first().line, 0);
    QCOMPARE(o.result.problems.first().message,
             u"Observation.001.ndjson: the file has %1 resources, but the manifest announced %2."_s
                 .arg(count)
                 .arg(count + 3));
    QVERIFY(QFile::exists(download.finalPath()));

    task = m.tasks.first();
    task.type = u"Condition"_s;
    task.relativePath = u"Condition.001.ndjson"_s;
    FileDownload wrong(&client, task, m_dir.filePath(u"count"_s), fastOptions(true));
    Outcome w;
    QVERIFY(run(wrong, &w));
    QVERIFY(w.result.ok);
    QCOMPARE(w.result.problemCount, count);
    QCOMPARE(w.result.problems.size(), qMin<qint64>(100, count));
    QCOMPARE(w.result.problems[4].line, 5);
    QCOMPARE(w.result.problems[4].message,
             u"Condition.001.ndjson: line 5 is a Observation, not a Condition."_s);
}

void TestFileDownload::abortKeepsPartAndResumes()
{
    demo::DemoServerOptions options = quick();
    options.faults = {demo::Fault::SlowFiles};
    options.slowChunkBytes = 2048;
    options.slowChunkIntervalMs = 10;
    auto s = makeServer(options);
    Manifest m;
    QVERIFY(runExport(*s, u"/Group/"_s + firstGroup(*s) + u"/$export?_type=Observation"_s, &m));
    const FileTask task = m.tasks.first();
    const QByteArray clean = m_http.get(task.url, {{"Accept-Encoding", "identity"}}).body;
    QVERIFY(clean.size() > 20 * 2048);

    fhir::FhirClient client(&m_network, s->baseUrl());
    FileDownload download(&client, task, m_dir.filePath(u"abort"_s), fastOptions(false));
    QSignalSpy finished(&download, &FileDownload::finished);
    download.start();
    QTRY_VERIFY_WITH_TIMEOUT(download.bytesReceived() > 8 * 2048, 20000);
    download.abort();
    // finished() follows once the file side has closed the .part.
    QVERIFY(finished.wait(10000));
    QCOMPARE(finished.size(), 1);
    const auto result = finished.first().first().value<FileResult>();
    QVERIFY(!result.ok);
    QCOMPARE(result.error.kind, fhir::FhirError::Kind::Cancelled);
    download.abort(); // a second abort is a no-op
    QCOMPARE(finished.size(), 1);
    QVERIFY(QFile::exists(download.partPath()));
    QVERIFY(!QFile::exists(download.finalPath()));
    const qint64 partSize = QFileInfo(download.partPath()).size();
    QVERIFY(partSize > 0 && partSize < clean.size());

    // Later (the server is fast again): start() continues from the kept lines.
    s->setFault(demo::Fault::SlowFiles, false);
    finished.clear();
    download.start();
    QVERIFY(finished.wait(20000));
    const auto second = finished.first().first().value<FileResult>();
    QVERIFY2(second.ok, qPrintable(second.message));
    QVERIFY(second.resumed);
    QCOMPARE(second.attempts, 1);
    QCOMPARE(readFile(download.finalPath()), clean);
    QCOMPARE(second.lines, task.expectedCount);
    QCOMPARE(second.problemCount, 0);
    QCOMPARE(finished.size(), 1);
}

void TestFileDownload::retryAfterAndBackoff()
{
    const QByteArray body = sampleNdjson(50);
    ScriptedServer server([&body](const ScriptedServer::Request &, int index) {
        switch (index) {
        case 0:
            return httpResponse(503, "Service Unavailable", "busy", {{"Retry-After", "1"}});
        case 1:
            return httpResponse(429, "Too Many Requests", "slow down",
                                {{"Retry-After", fhir::formatHttpDate(
                                                     QDateTime::currentDateTimeUtc().addSecs(2))}});
        case 2:
            return httpResponse(500, "Internal Server Error", "oops");
        default:
            return httpResponse(200, "OK", body, {{"Content-Type", "application/fhir+ndjson"}});
        }
    });
    fhir::FhirClient client(&m_network, server.url(u"/"_s));
    FileTask task{u"Observation"_s, server.url(), u"Observation.001.ndjson"_s, 50,
                  FileTask::Kind::Output};
    DownloadOptions opts = fastOptions(true);
    opts.retryBaseDelayMs = 300;
    FileDownload download(&client, task, m_dir.filePath(u"retry"_s), opts);
    QElapsedTimer clock;
    clock.start();
    Outcome o;
    QVERIFY(run(download, &o));
    const qint64 elapsed = clock.elapsed();
    QVERIFY2(o.result.ok, qPrintable(o.result.message));
    QCOMPARE(o.result.attempts, 4);
    QCOMPARE(server.requests.size(), 4);
    QCOMPARE(readFile(download.finalPath()), body);
    // 1 s (Retry-After seconds) + 1–2 s (an HTTP-date with whole seconds) + 1.2 s (300 ms * 2^2).
    QVERIFY2(elapsed >= 3000, qPrintable(QString::number(elapsed)));
}

void TestFileDownload::timeoutIsRetried()
{
    const QByteArray body = sampleNdjson(20);
    ScriptedServer server([&body](const ScriptedServer::Request &, int index) {
        return index == 0
                   ? QByteArray() // never answers
                   : httpResponse(200, "OK", body, {{"Content-Type", "application/fhir+ndjson"}});
    });
    fhir::FhirClient client(&m_network, server.url(u"/"_s));
    FileTask task{u"Observation"_s, server.url(), u"Observation.001.ndjson"_s, 20,
                  FileTask::Kind::Output};
    DownloadOptions opts = fastOptions(true);
    opts.timeoutMs = 500;
    FileDownload download(&client, task, m_dir.filePath(u"timeout"_s), opts);
    Outcome o;
    QVERIFY(run(download, &o));
    QVERIFY2(o.result.ok, qPrintable(o.result.message));
    QCOMPARE(o.result.attempts, 2);
    QCOMPARE(readFile(download.finalPath()), body);
}

void TestFileDownload::stalledTransferIsResumed_data()
{
    QTest::addColumn<fhir::StreamTransport>("transport");
    QTest::newRow("curl") << fhir::StreamTransport::Curl;
    QTest::newRow("qt") << fhir::StreamTransport::Qt;
}

// A server that sends part of a body and then nothing, with the connection open: the transport's
// own timeout is long, the stall timeout ends the attempt, and the next one resumes with Range.
void TestFileDownload::stalledTransferIsResumed()
{
    QFETCH(fhir::StreamTransport, transport);
    const QByteArray body = sampleNdjson(400);
    const qsizetype cut = body.size() / 2 + 7; // inside a line
    ScriptedServer server([&](const ScriptedServer::Request &r, int index) {
        const Headers headers{{"Content-Type", "application/fhir+ndjson"},
                              {"Accept-Ranges", "bytes"}};
        if (index == 0) {
            return httpResponse(200, "OK", body, headers).chopped(body.size() - cut) +
                   ScriptedServer::kStall.toByteArray();
        }
        const qint64 from = r.header("Range").mid(6).chopped(1).toLongLong();
        return httpResponse(
            206, "Partial Content", body.mid(from),
            headers + Headers{{"Content-Range", "bytes " + QByteArray::number(from) + '-' +
                                                    QByteArray::number(body.size() - 1) + '/' +
                                                    QByteArray::number(body.size())}});
    });
    fhir::FhirClient client(&m_network, server.url(u"/"_s));
    client.setStreamTransport(transport);
    FileTask task{u"Observation"_s, server.url(), u"Observation.001.ndjson"_s, 400,
                  FileTask::Kind::Output};
    DownloadOptions opts = fastOptions(false);
    opts.timeoutMs = 600000; // the transport would wait ten minutes
    opts.stallTimeoutMs = 400;
    FileDownload download(&client, task, m_dir.filePath(u"stall-%1"_s.arg(int(transport))), opts);
    QSignalSpy logged(&download, &FileDownload::logMessage);
    Outcome o;
    QVERIFY(run(download, &o, 20000));
    QVERIFY2(o.result.ok, qPrintable(o.result.message));
    QCOMPARE(o.result.attempts, 2);
    QVERIFY(o.result.resumed);
    QCOMPARE(readFile(download.finalPath()), body);
    QCOMPARE(server.requests.size(), 2);
    const QByteArray range = server.requests.at(1).header("Range");
    QCOMPARE(range, "bytes=" + QByteArray::number(body.lastIndexOf('\n', cut) + 1) + '-');
    bool said = false;
    for (const auto &args : std::as_const(logged))
        said =
            said || args.first().toString().contains(u"Nothing arrived or was written for 0.4 s"_s);
    QVERIFY(said);
}

void TestFileDownload::nonRetryableAndExhausted()
{
    ScriptedServer forbidden([](const ScriptedServer::Request &, int) {
        return httpResponse(403, "Forbidden",
                            R"({"resourceType":"OperationOutcome","issue":[{"severity":"error",)"
                            R"("code":"forbidden","diagnostics":"Not your file."}]})",
                            {{"Content-Type", "application/fhir+json"}});
    });
    fhir::FhirClient client(&m_network, forbidden.url(u"/"_s));
    FileTask task{u"Observation"_s, forbidden.url(), u"Observation.001.ndjson"_s, -1,
                  FileTask::Kind::Output};
    FileDownload download(&client, task, m_dir.filePath(u"forbidden"_s), fastOptions(true));
    Outcome o;
    QVERIFY(run(download, &o));
    QVERIFY(!o.result.ok);
    QCOMPARE(o.result.attempts, 1);
    QCOMPARE(forbidden.requests.size(), 1);
    QCOMPARE(o.result.error.httpStatus, 403);
    QVERIFY2(o.result.message.contains("Not your file."_L1), qPrintable(o.result.message));

    ScriptedServer broken([](const ScriptedServer::Request &, int) {
        return httpResponse(502, "Bad Gateway", "<html><body>upstream down</body></html>",
                            {{"Content-Type", "text/html"}});
    });
    task.url = broken.url();
    DownloadOptions opts = fastOptions(true);
    opts.maxAttempts = 3;
    FileDownload download2(&client, task, m_dir.filePath(u"broken"_s), opts);
    Outcome o2;
    QVERIFY(run(download2, &o2));
    QVERIFY(!o2.result.ok);
    QCOMPARE(o2.result.attempts, 3);
    QCOMPARE(broken.requests.size(), 3);
    QCOMPARE(o2.result.error.httpStatus, 502);
    QVERIFY2(o2.result.message.startsWith(
                 "Observation.001.ndjson could not be downloaded after 3 attempts: "_L1),
             qPrintable(o2.result.message));
}

void TestFileDownload::resumedPartIsRechecked()
{
    // The kept part is re-read on start(): its lines are counted and its problems reported with
    // their own line numbers, and the continuation's lines are numbered after them.
    const QByteArray body = sampleNdjson(10);
    const QList<QByteArray> lines = body.split('\n');
    QByteArray kept = lines[0] + '\n' + "not json\n" + lines[2] + '\n';
    const qint64 keptSize = kept.size();
    QByteArray rest;
    for (int i = 3; i < 10; ++i)
        rest += (i == 6 ? QByteArray("[]") : lines[i]) + '\n';
    ScriptedServer server([&](const ScriptedServer::Request &r, int) {
        if (r.header("Range") != "bytes=" + QByteArray::number(keptSize) + '-')
            return httpResponse(400, "Bad Request", "unexpected range");
        const qint64 total = keptSize + rest.size();
        return httpResponse(206, "Partial Content", rest,
                            {{"Content-Type", "application/fhir+ndjson"},
                             {"Content-Range", "bytes " + QByteArray::number(keptSize) + '-' +
                                                   QByteArray::number(total - 1) + '/' +
                                                   QByteArray::number(total)}});
    });
    fhir::FhirClient client(&m_network, server.url(u"/"_s));
    FileTask task{u"Observation"_s, server.url(), u"Observation.001.ndjson"_s, 10,
                  FileTask::Kind::Output};
    FileDownload download(&client, task, m_dir.filePath(u"recheck"_s), fastOptions(true));
    QVERIFY(writeFile(download.partPath(), kept + "{\"resourceType\":\"Observation\",\"id"));
    Outcome o;
    QVERIFY(run(download, &o));
    QVERIFY2(o.result.ok, qPrintable(o.result.message));
    QVERIFY(o.result.resumed);
    QCOMPARE(readFile(download.finalPath()), kept + rest);
    QCOMPARE(o.result.lines, 10);
    QCOMPARE(o.result.problemCount, 2);
    QCOMPARE(o.result.problems[0].line, 2);
    QVERIFY(
        o.result.problems[0].message.startsWith("Observation.001.ndjson: line 2 is not JSON: "_L1));
    QCOMPARE(o.result.problems[1].line, 7);
    QCOMPARE(o.result.problems[1].message,
             u"Observation.001.ndjson: line 7 is a JSON array, not an object."_s);
}

void TestFileDownload::corruptGzipFallsBackToIdentity_data()
{
    QTest::addColumn<QByteArray>("gzipBody");
    QTest::newRow("invalid") << QByteArray("\x1f\x8b\x09\x00 not even the right method");
    QTest::newRow("never ends") << QByteArray("\x1f\x8b\x08\x00 this is not deflate data at all");
}

void TestFileDownload::corruptGzipFallsBackToIdentity()
{
    QFETCH(QByteArray, gzipBody);
    const QByteArray body = sampleNdjson(200);
    ScriptedServer server([&](const ScriptedServer::Request &r, int) {
        if (r.header("Accept-Encoding") == "gzip") {
            return httpResponse(
                200, "OK", gzipBody,
                {{"Content-Type", "application/fhir+ndjson"}, {"Content-Encoding", "gzip"}});
        }
        return httpResponse(200, "OK", body, {{"Content-Type", "application/fhir+ndjson"}});
    });
    fhir::FhirClient client(&m_network, server.url(u"/"_s));
    FileTask task{u"Observation"_s, server.url(), u"Observation.001.ndjson"_s, 200,
                  FileTask::Kind::Output};
    FileDownload download(
        &client, task,
        m_dir.filePath(u"corrupt-gzip-%1"_s.arg(QString::fromUtf8(QTest::currentDataTag()))),
        fastOptions(true));
    Outcome o;
    QVERIFY(run(download, &o));
    QVERIFY2(o.result.ok, qPrintable(o.result.message));
    QCOMPARE(o.result.attempts, 2);
    QCOMPARE(server.requests.size(), 2);
    QCOMPARE(server.requests[1].header("Accept-Encoding"), QByteArray("identity"));
    QVERIFY(server.requests[1].header("Range").isEmpty());
    QCOMPARE(readFile(download.finalPath()), body);
    QCOMPARE(o.result.problemCount, 0);
}

void TestFileDownload::unsafePathRefused()
{
    fhir::FhirClient client(&m_network, QUrl(u"http://127.0.0.1:9/fhir"_s));
    FileTask task{u"Observation"_s, QUrl(u"http://127.0.0.1:9/x"_s), u"../escape.ndjson"_s, -1,
                  FileTask::Kind::Output};
    FileDownload download(&client, task, m_dir.filePath(u"unsafe"_s), fastOptions(true));
    Outcome o;
    QVERIFY(run(download, &o));
    QVERIFY(!o.result.ok);
    QVERIFY2(o.result.message.contains("not a safe relative path"_L1),
             qPrintable(o.result.message));
    QVERIFY(!QFile::exists(m_dir.filePath(u"escape.ndjson.part"_s)));
}

void TestFileDownload::queueParallelTwo()
{
    auto s = makeServer();
    Manifest m;
    QVERIFY(runExport(*s, u"/$export"_s, &m));
    QVERIFY2(m.tasks.size() >= 5, qPrintable(QString::number(m.tasks.size())));
    qint64 serverBytes = 0;
    for (const FileTask &t : std::as_const(m.tasks))
        serverBytes += m_http.get(t.url, {{"Accept-Encoding", "identity"}}).body.size();

    fhir::FhirClient client(&m_network, s->baseUrl());
    const QString folder = m_dir.filePath(u"queue"_s);
    DownloadQueue queue(&client, folder, fastOptions(false), 2);
    queue.setTasks(m.tasks);
    int active = 0;
    int maxActive = 0;
    QList<int> startOrder;
    QHash<int, FileResult> results;
    DownloadQueue::Progress last;
    int progressSignals = 0;
    connect(&queue, &DownloadQueue::fileStarted, this, [&](int index) {
        startOrder.append(index);
        maxActive = qMax(maxActive, ++active);
    });
    connect(&queue, &DownloadQueue::fileFinished, this, [&](int index, const FileResult &r) {
        --active;
        results.insert(index, r);
    });
    connect(&queue, &DownloadQueue::progress, this, [&](const DownloadQueue::Progress &p) {
        last = p;
        ++progressSignals;
    });
    QSignalSpy finished(&queue, &DownloadQueue::finished);
    queue.start();
    QVERIFY(queue.isRunning());
    QVERIFY(finished.wait(60000));
    QCOMPARE(finished.size(), 1);
    QVERIFY(!queue.isRunning());
    QCOMPARE(maxActive, 2);
    QCOMPARE(active, 0);
    QList<int> expectedOrder;
    for (int i = 0; i < m.tasks.size(); ++i)
        expectedOrder.append(i);
    QCOMPARE(startOrder, expectedOrder);
    QCOMPARE(results.size(), m.tasks.size());
    qint64 sum = 0;
    for (int i = 0; i < m.tasks.size(); ++i) {
        QVERIFY2(results[i].ok, qPrintable(results[i].message));
        QCOMPARE(results[i].lines, m.tasks[i].expectedCount);
        QVERIFY(QFile::exists(QDir(folder).filePath(m.tasks[i].relativePath)));
        sum += results[i].bytes;
    }
    QCOMPARE(sum, serverBytes);
    QVERIFY(progressSignals > 0);
    QCOMPARE(last.filesTotal, int(m.tasks.size()));
    QCOMPARE(last.filesDone, int(m.tasks.size()));
    QCOMPARE(last.filesFailed, 0);
    QCOMPARE(last.filesActive, 0);
    QCOMPARE(last.bytesReceived, serverBytes);
    QCOMPARE(last.bytesExpected, serverBytes);
    QCOMPARE(queue.currentProgress().bytesReceived, serverBytes);
}

void TestFileDownload::queueAbort()
{
    demo::DemoServerOptions options = quick();
    options.faults = {demo::Fault::SlowFiles};
    options.slowChunkBytes = 1024;
    options.slowChunkIntervalMs = 20;
    auto s = makeServer(options);
    Manifest m;
    QVERIFY(runExport(*s, u"/$export"_s, &m));
    QVERIFY(m.tasks.size() >= 4);
    fhir::FhirClient client(&m_network, s->baseUrl());
    DownloadQueue queue(&client, m_dir.filePath(u"queue-abort"_s), fastOptions(false), 2);
    queue.setTasks(m.tasks);
    QSignalSpy started(&queue, &DownloadQueue::fileStarted);
    QSignalSpy fileFinished(&queue, &DownloadQueue::fileFinished);
    QSignalSpy finished(&queue, &DownloadQueue::finished);
    queue.start();
    QTRY_VERIFY_WITH_TIMEOUT(queue.currentProgress().bytesReceived > 4096, 20000);
    queue.abort();
    QVERIFY(finished.wait(10000)); // once every download has closed its file
    QCOMPARE(finished.size(), 1);
    QCOMPARE(started.size(), 2);
    QCOMPARE(fileFinished.size(), 2);
    for (const auto &args : std::as_const(fileFinished))
        QCOMPARE(args.at(1).value<FileResult>().error.kind, fhir::FhirError::Kind::Cancelled);
    QVERIFY(!queue.isRunning());
    queue.abort();
    QCOMPARE(finished.size(), 1);
}

QTEST_GUILESS_MAIN(TestFileDownload)
#include "tst_FileDownload.moc"
