// The export engine end to end against the demo server over loopback: the whole flow, every
// injectable fault, cancel at each stage, resume after a kill, and where tokens may go.

#include "TestFiles.h"
#include "TestHttp.h"
#include "auth/Jwk.h"
#include "auth/Jwt.h"
#include "demo/DemoServer.h"
#include "demo/SyntheticCohort.h"
#include "export/ExportJob.h"
#include "fhir/FhirClient.h"
#include "fhir/FhirDateTime.h"
#include "fhir/TokenProvider.h"
#include "review/ExportFolder.h"

#include <QDirIterator>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QProcess>
#include <QRandomGenerator>
#include <QPointer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>

#ifdef Q_OS_UNIX
#include <csignal>
#endif

using namespace cohort;
using namespace cohort::test;
using namespace Qt::StringLiterals;
using bulk::ExportJob;
using bulk::ExportState;


class TestExportJob : public QObject
{
    Q_OBJECT

private:
    struct Setup
    {
        std::unique_ptr<demo::DemoServer> server;
        std::unique_ptr<QNetworkAccessManager> network;
        std::unique_ptr<fhir::FhirClient> client;
        std::unique_ptr<fhir::StaticTokenProvider> tokens;
        QByteArray token;
    };
    Setup setup(demo::DemoServerOptions o, bool withToken = false)
    {
        Setup s;
        s.server = std::make_unique<demo::DemoServer>(o);
        QString error;
        if (!s.server->start(&error))
            qFatal("demo server: %s", qPrintable(error));
        s.network = std::make_unique<QNetworkAccessManager>();
        s.client = std::make_unique<fhir::FhirClient>(s.network.get(), s.server->baseUrl());
        if (withToken) {
            s.token = token(*s.server);
            s.tokens = std::make_unique<fhir::StaticTokenProvider>(QString::fromLatin1(s.token));
            s.client->setTokenProvider(s.tokens.get());
        }
        return s;
    }
    static demo::DemoServerOptions quick()
    {
        demo::DemoServerOptions o;
        o.patients = 40;
        o.exportSeconds = 0;
        o.resourcesPerFile = 400;
        return o;
    }
    demo::DemoServerOptions withAuth(demo::DemoServerOptions o)
    {
        o.auth = true;
        o.clientId = u"engine-test"_s;
        o.clientKeys = {m_key};
        return o;
    }
    QByteArray token(demo::DemoServer &server)
    {
        QUrlQuery form;
        form.addQueryItem(u"grant_type"_s, u"client_credentials"_s);
        form.addQueryItem(u"scope"_s, u"system/*.read"_s);
        form.addQueryItem(u"client_assertion_type"_s,
                          u"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"_s);
        form.addQueryItem(u"client_assertion"_s,
                          QString::fromLatin1(auth::makeClientAssertion(
                              m_key, u"engine-test"_s, server.tokenUrl().toString())));
        const Reply r = m_http.post(server.tokenUrl(), form.toString(QUrl::FullyEncoded).toUtf8(),
                                    {{"Content-Type", "application/x-www-form-urlencoded"}});
        return r.json().value("access_token"_L1).toString().toLatin1();
    }
    bulk::ExportRequest groupRequest(const demo::DemoServer &s, const QStringList &types = {})
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
    // Runs a job to its end; returns its final state.
    ExportState run(ExportJob &job, int timeoutMs = 60000)
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
    // What the demo server would give for the same request, file by file, via a second export
    // straight over HTTP (same seed, same data).
    QMap<QString, qint64> expectedCounts(const bulk::ExportJournal &j)
    {
        QMap<QString, qint64> counts;
        for (const auto &f : j.files)
            counts.insert(f.task.relativePath, f.task.expectedCount);
        return counts;
    }
    void checkFolder(const ExportJob &job)
    {
        const auto files = ndjsonFilesIn(job.folder());
        QVERIFY(!files.isEmpty());
        QVERIFY2(partFilesIn(job.folder()).isEmpty(), "no .part file may remain");
        const auto expected = expectedCounts(job.journal());
        QCOMPARE(QStringList(files.keys()), QStringList(expected.keys()));
        for (auto it = files.cbegin(); it != files.cend(); ++it) {
            const QList<QByteArray> lines = it.value().chopped(1).split('\n');
            QCOMPARE(qint64(lines.size()), expected.value(it.key()));
            const QString type = it.key().section(u'/', -1).section(u'.', 0, 0);
            for (const QByteArray &line : lines)
                QVERIFY(line.startsWith("{\"resourceType\":\"" + type.toLatin1() + '"'));
        }
        QVERIFY(QFile::exists(QDir(job.folder()).filePath(u"manifest.json"_s)));
        QVERIFY(QFile::exists(QDir(job.folder()).filePath(u"export.json"_s)));
        QVERIFY(QFile::exists(QDir(job.folder()).filePath(u"export.log"_s)));
    }

    Http m_http;
    auth::Key m_key;

private slots:
    void initTestCase();
    void completeGroupExport();
    void postWithPatientsAndFilters();
    void systemAndPatientLevels();
    void invalidRequestNeverSent();
    void recoverableFaults_data();
    void recoverableFaults();
    void fatalFaults_data();
    void fatalFaults();
    void lenientEndsPartiallyCompleted();
    void progressAndCheckNow();
    void cancelWhileKickingOff();
    void cancelWhilePolling();
    void forgottenStatusUrlFails();
    void filesGoneWithTheExport();
    void cancelWhileDownloading();
    void resumeInProcess();
    void resumeAfterExpiresTriesAnyway();
    void tokensStayHome_data();
    void tokensStayHome();
    void staticTokenCannotOutliveExpiry();
    void cliExportSummaryAndExitCodes();
    void killAndResumeIsByteIdentical();
    void pagedManifestWithDeleted();
    void folderLockedAgainstSecondJob();
};

void TestExportJob::initTestCase()
{
    QString error;
    m_key = auth::Key::generate(auth::JwtAlgorithm::ES384, u"engine-key"_s, &error);
    QVERIFY2(!m_key.isNull(), qPrintable(error));
}

void TestExportJob::completeGroupExport()
{
    auto s = setup(quick());
    QTemporaryDir dir;
    const QString folder = dir.filePath(u"out"_s);
    ExportJob job(s.client.get(),
                  groupRequest(*s.server, {u"Patient"_s, u"Observation"_s, u"Condition"_s}),
                  folder);
    QSignalSpy states(&job, &ExportJob::stateChanged);
    QCOMPARE(run(job), ExportState::Completed);
    QList<ExportState> seen;
    for (const auto &args : states)
        seen.append(args.at(0).value<ExportState>());
    QCOMPARE(seen, (QList<ExportState>{ExportState::KickingOff, ExportState::Polling,
                                       ExportState::Downloading, ExportState::Completed}));
    checkFolder(job);
    const auto files = ndjsonFilesIn(folder);
    QVERIFY(files.contains(u"Patient.001.ndjson"_s));
    QVERIFY(files.contains(u"Observation.001.ndjson"_s));
    QVERIFY2(files.contains(u"Observation.002.ndjson"_s),
             "400 per file: Observations span several files");
    // The journal on disk says the same as the job.
    const auto journal = bulk::ExportJournal::load(folder);
    QVERIFY(journal.has_value());
    QCOMPARE(journal->state, ExportState::Completed);
    QVERIFY(journal->transactionTime.isValid());
    // The demo server's Expires: an hour after the export completed, kept in export.json.
    const qint64 keptFor = QDateTime::currentDateTimeUtc().secsTo(journal->expires);
    QVERIFY2(keptFor > 3300 && keptFor <= 3600, qPrintable(QString::number(keptFor)));
    for (const auto &f : journal->files)
        QCOMPARE(f.status, bulk::ExportJournal::File::Status::Done);
    QVERIFY(job.summary().contains(QDir::toNativeSeparators(folder)));
    // A second export never lands in the same folder.
    ExportJob again(s.client.get(), groupRequest(*s.server), folder);
    QString error;
    QVERIFY(!again.prepare(&error));
    QVERIFY(error.contains("already holds an export"_L1));
}

void TestExportJob::postWithPatientsAndFilters()
{
    auto s = setup(quick());
    QTemporaryDir dir;
    bulk::ExportRequest r = groupRequest(*s.server, {u"Patient"_s, u"Observation"_s});
    const auto *g = s.server->cohort().group(r.groupId);
    const QString p = s.server->cohort().patient(g->members[1]).id;
    r.patients = {u"Patient/"_s + p};
    r.typeFilters = {u"Observation?category=laboratory"_s};
    r.since = u"2019-01-01T00:00:00+01:00"_s;
    ExportJob job(s.client.get(), r, dir.filePath(u"out"_s));
    QCOMPARE(run(job), ExportState::Completed);
    checkFolder(job);
    const auto files = ndjsonFilesIn(job.folder());
    for (auto it = files.cbegin(); it != files.cend(); ++it) {
        for (const QByteArray &line : it.value().chopped(1).split('\n')) {
            QVERIFY(line.contains(p.toLatin1()));
            if (it.key().startsWith("Observation"_L1))
                QVERIFY(line.contains("\"laboratory\""));
        }
    }
    // The server saw a POST.
    bool sawPost = false;
    for (const auto &req : s.server->requestLog())
        sawPost = sawPost || (req.method == "POST" && req.path.endsWith("$export"_L1));
    QVERIFY(sawPost);
}

void TestExportJob::systemAndPatientLevels()
{
    demo::DemoServerOptions o = quick();
    o.patients = 10;
    auto s = setup(o);
    for (auto level : {bulk::ExportRequest::Level::System, bulk::ExportRequest::Level::Patient}) {
        QTemporaryDir dir;
        bulk::ExportRequest r;
        r.level = level;
        r.types = {u"Patient"_s};
        ExportJob job(s.client.get(), r, dir.filePath(u"out"_s));
        QCOMPARE(run(job), ExportState::Completed);
        QCOMPARE(ndjsonFilesIn(job.folder()).value(u"Patient.001.ndjson"_s).count('\n'), 10);
    }
}

void TestExportJob::invalidRequestNeverSent()
{
    auto s = setup(quick());
    QTemporaryDir dir;
    bulk::ExportRequest r = groupRequest(*s.server);
    r.since = u"2024-01-01T00:00:00"_s; // no time zone
    ExportJob job(s.client.get(), r, dir.filePath(u"out"_s));
    QString error;
    QVERIFY(!job.prepare(&error));
    QVERIFY2(error.contains("time zone"_L1), qPrintable(error));
    QVERIFY(s.server->requestLog().isEmpty());
    QVERIFY(!QFile::exists(dir.filePath(u"out/export.json"_s)));
}

void TestExportJob::recoverableFaults_data()
{
    QTest::addColumn<QString>("fault");
    QTest::addColumn<double>("exportSeconds");
    QTest::newRow("kickoff-429") << u"kickoff-429"_s << 0.0;
    QTest::newRow("poll-429") << u"poll-429"_s << 0.0;
    QTest::newRow("transient") << u"transient"_s << 0.0;
    QTest::newRow("retry-after-date") << u"retry-after-date"_s << 1.0;
    QTest::newRow("drop-connection") << u"drop-connection"_s << 0.0;
    QTest::newRow("slow-files") << u"slow-files"_s << 0.0;
    QTest::newRow("second-origin") << u"second-origin"_s << 0.0;
    QTest::newRow("redirect-files") << u"redirect-files"_s << 0.0;
    QTest::newRow("expiring-urls") << u"expiring-urls"_s << 0.0;
}

void TestExportJob::recoverableFaults()
{
    QFETCH(QString, fault);
    QFETCH(double, exportSeconds);
    demo::DemoServerOptions o = quick();
    o.exportSeconds = exportSeconds;
    o.faults = {*demo::faultFromName(fault)};
    auto s = setup(o);
    QTemporaryDir dir;
    ExportJob job(s.client.get(),
                  groupRequest(*s.server, {u"Patient"_s, u"Condition"_s, u"Encounter"_s}),
                  dir.filePath(u"out"_s));
    QCOMPARE(run(job), ExportState::Completed);
    checkFolder(job);
    QVERIFY2(s.server->faultsStruck(o.faults.values().first()) >= 1,
             "the fault must actually have struck");
    if (fault == "drop-connection"_L1) {
        // Every file was cut once and completed by a second request.
        QFile f(QDir(job.folder()).filePath(u"export.log"_s));
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(s.server->faultsStruck(demo::Fault::DropConnection),
                 int(job.journal().files.size()));
    }
    if (fault == "second-origin"_L1 || fault == "redirect-files"_L1)
        QVERIFY(s.server->secondOriginRequests() >= int(job.journal().files.size()));
    if (fault == "expiring-urls"_L1) {
        // Every file's first URL had expired: one fresh manifest, then each file once more.
        QCOMPARE(s.server->faultsStruck(demo::Fault::ExpiringUrls),
                 int(job.journal().files.size()));
        int manifests = 0;
        for (const auto &r : s.server->requestLog())
            manifests += r.path.contains("$export-poll-status"_L1) && r.status == 200 ? 1 : 0;
        QCOMPARE(manifests, 2);
    }
}

void TestExportJob::fatalFaults_data()
{
    QTest::addColumn<QString>("fault");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("fatal") << u"fatal"_s << u"could not read the patient store"_s;
    QTest::newRow("bad-manifest") << u"bad-manifest"_s << u"manifest"_s;
}

void TestExportJob::fatalFaults()
{
    QFETCH(QString, fault);
    QFETCH(QString, mentions);
    demo::DemoServerOptions o = quick();
    o.faults = {*demo::faultFromName(fault)};
    auto s = setup(o);
    QTemporaryDir dir;
    ExportJob job(s.client.get(), groupRequest(*s.server, {u"Patient"_s}), dir.filePath(u"out"_s));
    QCOMPARE(run(job), ExportState::Failed);
    QVERIFY2(job.journal().message.contains(mentions), qPrintable(job.journal().message));
    QCOMPARE(bulk::ExportJournal::load(job.folder())->state, ExportState::Failed);
    QVERIFY(ndjsonFilesIn(job.folder()).isEmpty());
}

void TestExportJob::lenientEndsPartiallyCompleted()
{
    auto s = setup(quick());
    QTemporaryDir dir;
    bulk::ExportRequest r = groupRequest(*s.server, {u"Patient"_s});
    r.includeAssociatedData = {u"LatestProvenanceResources"_s};
    r.lenient = true;
    ExportJob job(s.client.get(), r, dir.filePath(u"out"_s));
    QCOMPARE(run(job), ExportState::PartiallyCompleted);
    checkFolder(job);
    QVERIFY(ndjsonFilesIn(job.folder()).contains(u"error/OperationOutcome.001.ndjson"_s));
    QVERIFY2(job.journal().message.contains("1 warning"_L1), qPrintable(job.journal().message));
    QVERIFY(job.journal().message.contains("includeAssociatedData"_L1));
}

void TestExportJob::progressAndCheckNow()
{
    demo::DemoServerOptions o = quick();
    o.exportSeconds = 3;
    auto s = setup(o);
    QTemporaryDir dir;
    ExportJob job(s.client.get(), groupRequest(*s.server, {u"Patient"_s}), dir.filePath(u"out"_s));
    QVERIFY(job.prepare(nullptr));
    QSignalSpy done(&job, &ExportJob::finished);
    job.start();
    QTRY_VERIFY_WITH_TIMEOUT(
        job.progress().server.percent >= 0 && job.progress().nextCheck.isValid(), 10000);
    QVERIFY(job.progress().server.text.endsWith("% complete"_L1));
    QVERIFY(job.progress().nextCheck > QDateTime::currentDateTimeUtc().addMSecs(-100));
    const qsizetype polls = s.server->requestLog().size();
    job.checkNow();
    QTRY_VERIFY_WITH_TIMEOUT(s.server->requestLog().size() > polls, 5000);
    QVERIFY(done.wait(20000));
    QCOMPARE(job.state(), ExportState::Completed);
}

void TestExportJob::cancelWhileKickingOff()
{
    demo::DemoServerOptions o = quick();
    o.faults = {demo::Fault::Kickoff429};
    auto s = setup(o);
    QTemporaryDir dir;
    ExportJob job(s.client.get(), groupRequest(*s.server), dir.filePath(u"out"_s));
    QVERIFY(job.prepare(nullptr));
    QSignalSpy done(&job, &ExportJob::finished);
    job.start();
    // The 429 arrives and the job waits to try again: cancel then.
    QTRY_VERIFY_WITH_TIMEOUT(s.server->faultsStruck(demo::Fault::Kickoff429) == 1 &&
                                 job.progress().nextCheck.isValid(),
                             5000);
    job.cancel();
    QVERIFY(done.count() == 1 || done.wait(5000));
    QCOMPARE(job.state(), ExportState::Cancelled);
    QVERIFY(job.journal().statusUrl.isEmpty());
    const qsizetype requests = s.server->requestLog().size();
    QTest::qWait(1500); // longer than the Retry-After: no kick-off may follow a cancel
    QCOMPARE(s.server->requestLog().size(), requests);
}

void TestExportJob::cancelWhilePolling()
{
    demo::DemoServerOptions o = quick();
    o.exportSeconds = 60;
    auto s = setup(o);
    QTemporaryDir dir;
    ExportJob job(s.client.get(), groupRequest(*s.server), dir.filePath(u"out"_s));
    QVERIFY(job.prepare(nullptr));
    QSignalSpy done(&job, &ExportJob::finished);
    job.start();
    QTRY_COMPARE_WITH_TIMEOUT(job.state(), ExportState::Polling, 5000);
    QTRY_VERIFY_WITH_TIMEOUT(job.progress().nextCheck.isValid(), 5000);
    job.cancel();
    QVERIFY(done.wait(10000));
    QCOMPARE(job.state(), ExportState::Cancelled);
    bool sawDelete = false;
    for (const auto &r : s.server->requestLog())
        sawDelete = sawDelete || (r.method == "DELETE" && r.status == 202);
    QVERIFY2(sawDelete, "cancel must DELETE the status URL");
    QCOMPARE(m_http.get(job.journal().statusUrl).status, 404);
    QCOMPARE(bulk::ExportJournal::load(job.folder())->state, ExportState::Cancelled);
}

// The server forgets the export while we poll (a restart, an expiry, someone's DELETE): the
// next poll's 404 ends the export with that reason, not an endless wait.
void TestExportJob::forgottenStatusUrlFails()
{
    demo::DemoServerOptions o = quick();
    o.exportSeconds = 60;
    auto s = setup(o);
    QTemporaryDir dir;
    ExportJob job(s.client.get(), groupRequest(*s.server), dir.filePath(u"out"_s));
    QVERIFY(job.prepare(nullptr));
    QSignalSpy done(&job, &ExportJob::finished);
    job.start();
    QTRY_VERIFY_WITH_TIMEOUT(job.progress().nextCheck.isValid(), 5000); // between two polls
    QCOMPARE(m_http.del(job.journal().statusUrl).status, 202);
    job.checkNow();
    QVERIFY(done.wait(10000));
    QCOMPARE(job.state(), ExportState::Failed);
    QVERIFY2(job.journal().message.contains("The server no longer knows this export (404)"_L1),
             qPrintable(job.journal().message));
    QCOMPARE(bulk::ExportJournal::load(job.folder())->state, ExportState::Failed);
    QVERIFY(ndjsonFilesIn(job.folder()).isEmpty());
}

// The server drops the export and its files while we download (it expired): the missing files
// answer 404, the status URL is asked for a fresh manifest once, answers 404 too, and the export
// fails saying so; the files already complete are kept.
void TestExportJob::filesGoneWithTheExport()
{
    demo::DemoServerOptions o = quick();
    o.resourcesPerFile = 100;
    o.faults = {demo::Fault::SlowFiles};
    o.slowChunkBytes = 1024;
    o.slowChunkIntervalMs = 20;
    o.expiresSeconds = -60; // and the server's Expires header said so
    auto s = setup(o);
    QTemporaryDir dir;
    bulk::ExportJobOptions options;
    options.parallelDownloads = 1;
    ExportJob job(s.client.get(), groupRequest(*s.server, {u"Patient"_s, u"Observation"_s}),
                  dir.filePath(u"out"_s), options);
    QVERIFY(job.prepare(nullptr));
    QSignalSpy done(&job, &ExportJob::finished);
    QSignalSpy fileDone(&job, &ExportJob::fileFinished);
    job.start();
    QVERIFY(fileDone.wait(60000)); // one file is complete, the next one is on its way
    QVERIFY(job.journal().files.size() >= 3);
    QCOMPARE(m_http.del(job.journal().statusUrl).status, 202);
    QVERIFY(done.wait(60000));
    QCOMPARE(job.state(), ExportState::Failed);
    const QString message = job.journal().message;
    QVERIFY2(message.contains("The server no longer knows this export (404)"_L1),
             qPrintable(message));
    QVERIFY(job.journal().expires.isValid());
    QVERIFY2(message.contains("would keep the files until "_L1 +
                              fhir::formatInstant(job.journal().expires) + ", and that has passed"_L1),
             qPrintable(message));
    int statusPolls = 0;
    for (const auto &r : s.server->requestLog())
        statusPolls += r.path.contains("$export-poll-status"_L1) && r.method == "GET" ? 1 : 0;
    QVERIFY2(statusPolls >= 2, "the status URL must have been asked again");
    const auto kept = ndjsonFilesIn(job.folder());
    QVERIFY(!kept.isEmpty() && kept.size() < job.journal().files.size());
}

void TestExportJob::cancelWhileDownloading()
{
    demo::DemoServerOptions o = quick();
    o.faults = {demo::Fault::SlowFiles};
    o.slowChunkBytes = 2048;
    o.slowChunkIntervalMs = 20;
    auto s = setup(o);
    QTemporaryDir dir;
    bulk::ExportJobOptions options;
    options.parallelDownloads = 2;
    ExportJob job(s.client.get(), groupRequest(*s.server, {u"Patient"_s, u"Observation"_s}),
                  dir.filePath(u"out"_s), options);
    QVERIFY(job.prepare(nullptr));
    QSignalSpy done(&job, &ExportJob::finished);
    job.start();
    QTRY_VERIFY_WITH_TIMEOUT(job.state() == ExportState::Downloading &&
                                 job.progress().download.bytesReceived > 0,
                             10000);
    job.cancel();
    QVERIFY(done.count() == 1 || done.wait(10000));
    QCOMPARE(job.state(), ExportState::Cancelled);
    QVERIFY(partFilesIn(job.folder()).isEmpty());
    // Whatever is left is whole: every remaining file is one the journal calls done.
    const auto journal = bulk::ExportJournal::load(job.folder());
    QSet<QString> done2;
    for (const auto &f : journal->files)
        if (f.status == bulk::ExportJournal::File::Status::Done)
            done2.insert(f.task.relativePath);
    for (const QString &name : ndjsonFilesIn(job.folder()).keys())
        QVERIFY2(done2.contains(name), qPrintable(name));
}

// The server's Expires has passed when the download is resumed: said so, then tried anyway, as
// a server may keep its files longer (the demo server does).
void TestExportJob::resumeAfterExpiresTriesAnyway()
{
    demo::DemoServerOptions o = quick();
    o.expiresSeconds = -60;
    o.faults = {demo::Fault::SlowFiles};
    o.slowChunkBytes = 1024;
    o.slowChunkIntervalMs = 20;
    auto s = setup(o);
    QTemporaryDir dir;
    const QString folder = dir.filePath(u"out"_s);
    {
        // Gone the moment it starts downloading, as a crash would take it (no cancel, no DELETE).
        // Polling its state could miss that moment: the gzip-compressed file is a few chunks.
        auto *job = new ExportJob(s.client.get(), groupRequest(*s.server, {u"Patient"_s}), folder);
        QVERIFY(job->prepare(nullptr));
        connect(job, &ExportJob::stateChanged, job, [job](ExportState state) {
            if (state == ExportState::Downloading)
                job->deleteLater();
        });
        const QPointer<ExportJob> alive(job);
        job->start();
        QTRY_VERIFY_WITH_TIMEOUT(alive.isNull(), 10000);
    }
    QCOMPARE(bulk::ExportJournal::load(folder)->state, ExportState::Downloading);
    QString error;
    std::unique_ptr<ExportJob> resumed(ExportJob::resume(s.client.get(), folder, {}, &error));
    QVERIFY2(resumed, qPrintable(error));
    QStringList log;
    connect(resumed.get(), &ExportJob::logMessage, this, [&log](const QString &m) { log << m; });
    QCOMPARE(run(*resumed), ExportState::Completed);
    QVERIFY2(!log.filter("would keep the files until"_L1).filter("trying anyway"_L1).isEmpty(),
             qPrintable(log.join(u'\n')));
}

void TestExportJob::resumeInProcess()
{
    demo::DemoServerOptions o = quick();
    o.exportSeconds = 2;
    auto s = setup(o);
    QTemporaryDir dir;
    const QString folder = dir.filePath(u"out"_s);
    {
        // Stop a job while it polls (as a crash would: no cancel, no DELETE).
        auto *job = new ExportJob(s.client.get(),
                                  groupRequest(*s.server, {u"Patient"_s, u"Encounter"_s}), folder);
        QVERIFY(job->prepare(nullptr));
        job->start();
        QTRY_COMPARE_WITH_TIMEOUT(job->state(), ExportState::Polling, 5000);
        delete job;
    }
    QCOMPARE(bulk::ExportJournal::load(folder)->state, ExportState::Polling);
    QString error;
    std::unique_ptr<ExportJob> resumed(ExportJob::resume(s.client.get(), folder, {}, &error));
    QVERIFY2(resumed, qPrintable(error));
    QCOMPARE(run(*resumed), ExportState::Completed);
    checkFolder(*resumed);
    int kickoffs = 0;
    for (const auto &r : s.server->requestLog())
        kickoffs += r.path.endsWith("$export"_L1) ? 1 : 0;
    QCOMPARE(kickoffs, 1);

    // Resuming a finished export does nothing and says so.
    std::unique_ptr<ExportJob> again(ExportJob::resume(s.client.get(), folder, {}, &error));
    QVERIFY(again);
    QSignalSpy done(again.get(), &ExportJob::finished);
    again->start();
    QVERIFY(done.wait(2000));
    QCOMPARE(again->state(), ExportState::Completed);
    // A folder from another server is refused.
    QNetworkAccessManager nam;
    fhir::FhirClient other(&nam, QUrl(u"http://127.0.0.1:1/fhir"_s));
    QVERIFY(!ExportJob::resume(&other, folder, {}, &error));
    QVERIFY(error.contains("came from"_L1));
}

void TestExportJob::tokensStayHome_data()
{
    QTest::addColumn<QString>("fault");
    QTest::newRow("second-origin") << u"second-origin"_s;
    QTest::newRow("redirect-files") << u"redirect-files"_s;
}

void TestExportJob::tokensStayHome()
{
    QFETCH(QString, fault);
    demo::DemoServerOptions o = withAuth(quick());
    o.faults = {*demo::faultFromName(fault)};
    auto s = setup(o, true);
    QTemporaryDir dir;
    ExportJob job(s.client.get(), groupRequest(*s.server, {u"Patient"_s, u"Condition"_s}),
                  dir.filePath(u"out"_s));
    QCOMPARE(run(job), ExportState::Completed);
    checkFolder(job);
    QVERIFY(s.server->secondOriginRequests() >= 2);
    QCOMPARE(s.server->secondOriginRequestsWithAuthorization(), 0);
    // Every request to the FHIR origin carried the token.
    for (const auto &r : s.server->requestLog()) {
        if (!r.secondOrigin && !r.path.endsWith("/auth/token"_L1))
            QVERIFY2(r.hadAuthorization, qPrintable(r.path));
    }
    // And the token is in nothing the job wrote.
    QVERIFY(!s.token.isEmpty());
    QDirIterator it(job.folder(), QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        QFile f(it.next());
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY2(!f.readAll().contains(s.token), qPrintable(f.fileName()));
    }
}

void TestExportJob::staticTokenCannotOutliveExpiry()
{
    // A pasted token cannot be renewed: when the server revokes it mid-download, the export
    // fails with a clear message and keeps what it has (resume with a fresh token continues).
    demo::DemoServerOptions o = withAuth(quick());
    o.faults = {demo::Fault::TokenExpiry};
    auto s = setup(o, true);
    QTemporaryDir dir;
    bulk::ExportJobOptions options;
    options.download.maxAttempts = 2;
    options.download.retryBaseDelayMs = 50;
    ExportJob job(s.client.get(), groupRequest(*s.server, {u"Patient"_s}), dir.filePath(u"out"_s),
                  options);
    QCOMPARE(run(job), ExportState::Failed);
    QVERIFY2(job.journal().message.contains("401"_L1), qPrintable(job.journal().message));

    s.tokens->setToken(QString::fromLatin1(token(*s.server)));
    QString error;
    std::unique_ptr<ExportJob> resumed(ExportJob::resume(s.client.get(), job.folder(), {}, &error));
    QVERIFY2(resumed, qPrintable(error));
    QCOMPARE(run(*resumed), ExportState::Completed);
    checkFolder(*resumed);
}

void TestExportJob::cliExportSummaryAndExitCodes()
{
    demo::DemoServerOptions o = quick();
    auto s = setup(o);
    QTemporaryDir dir;
    auto runCli = [&](const QStringList &args, QByteArray *out = nullptr,
                      QByteArray *err = nullptr) {
        QProcess p;
        p.start(QStringLiteral(COHORT_EXE), args);
        // The demo server lives in this process: keep its event loop turning while we wait.
        QSignalSpy finished(&p, &QProcess::finished);
        if (!finished.wait(60000))
            return -1;
        if (out)
            *out = p.readAllStandardOutput();
        if (err)
            *err = p.readAllStandardError();
        return p.exitCode();
    };
    const QString base = s.server->baseUrl().toString();
    const QString group = groupRequest(*s.server).groupId;
    QByteArray out, err;
    QCOMPARE(runCli({u"export"_s, u"--server"_s, base, u"--group"_s, group, u"--type"_s,
                     u"Patient,Condition"_s, u"--out"_s, dir.filePath(u"a"_s)},
                    &out, &err),
             0);
    QVERIFY2(out.contains("State: completed"), out.constData());
    QVERIFY(out.contains("Patient.001.ndjson"));
    QVERIFY(err.contains("Kick-off"));
    QVERIFY(QFile::exists(dir.filePath(u"a/Patient.001.ndjson"_s)));

    QCOMPARE(runCli({u"export"_s, u"--server"_s, base, u"--group"_s, group, u"--type"_s,
                     u"Patient"_s, u"--include-associated-data"_s, u"LatestProvenanceResources"_s,
                     u"--lenient"_s, u"--out"_s, dir.filePath(u"b"_s)},
                    &out),
             2);
    QVERIFY(out.contains("State: partially-completed"));

    QCOMPARE(runCli({u"export"_s, u"--server"_s, base, u"--group"_s, u"no-such-group"_s, u"--out"_s,
                     dir.filePath(u"c"_s)},
                    &out),
             1);
    QVERIFY(out.contains("does not exist"));

    QCOMPARE(runCli({u"export"_s, u"--server"_s, base, u"--group"_s, group, u"--since"_s,
                     u"2024-01-01"_s},
                    &out, &err),
             1);
    QVERIFY(err.contains("Since"));
    QCOMPARE(runCli({u"export"_s, u"--server"_s, base}, &out, &err), 1);
    QVERIFY(err.contains("--group"));
    QCOMPARE(runCli({u"resume"_s, dir.filePath(u"nothing-here"_s)}, &out, &err), 1);
    QVERIFY(err.contains("holds no export"));
    // Resuming a finished export reports it again with its exit code.
    QCOMPARE(runCli({u"resume"_s, dir.filePath(u"a"_s)}, &out), 0);
    QVERIFY(out.contains("State: completed"));
}

void TestExportJob::killAndResumeIsByteIdentical()
{
#ifndef Q_OS_UNIX
    QSKIP("SIGKILL is Unix-only");
#else
    // The reference: one uninterrupted export.
    demo::DemoServerOptions o = quick();
    o.patients = 60;
    o.resourcesPerFile = 100;
    o.faults = {demo::Fault::SlowFiles};
    o.slowChunkBytes = 4096;
    o.slowChunkIntervalMs = 10;
    auto s = setup(o);
    QTemporaryDir dir;
    const QString group = groupRequest(*s.server).groupId;
    const QStringList common{
        u"export"_s, u"--server"_s, s.server->baseUrl().toString(),     u"--group"_s,
        group,       u"--type"_s,   u"Patient,Observation,Condition"_s, u"--parallel"_s,
        u"2"_s};
    auto runToEnd = [](QProcess &p) {
        QSignalSpy finished(&p, &QProcess::finished);
        return p.state() == QProcess::NotRunning || finished.wait(120000);
    };
    QProcess reference;
    reference.start(QStringLiteral(COHORT_EXE),
                    common + QStringList{u"--out"_s, dir.filePath(u"reference"_s)});
    QVERIFY(runToEnd(reference));
    QCOMPARE(reference.exitCode(), 0);
    const auto expected = ndjsonFilesIn(dir.filePath(u"reference"_s));
    QVERIFY2(expected.size() >= 6, qPrintable(QString::number(expected.size())));

    // Kill mid-download at a few different moments, resume each, compare byte for byte.
    const int killPoints = 3;
    for (int k = 0; k < killPoints; ++k) {
        const QString folder = dir.filePath(u"killed-%1"_s.arg(k));
        QProcess p;
        p.start(QStringLiteral(COHORT_EXE), common + QStringList{u"--out"_s, folder});
        QVERIFY(p.waitForStarted());
        // Wait until a .part exists (k == 0) or k files are done, then SIGKILL. Not later: files
        // finish in parallel, and with more done the rest could finish before the kill.
        QTRY_VERIFY_WITH_TIMEOUT(
            p.state() != QProcess::Running ||
                (k == 0 ? !partFilesIn(folder).isEmpty() : ndjsonFilesIn(folder).size() >= k),
            60000);
        // processId() is 0 once the child is gone, and kill(0) would hit our own group.
        QVERIFY2(p.state() == QProcess::Running && p.processId() > 0,
                 "the export ended before the kill point");
        ::kill(pid_t(p.processId()), SIGKILL);
        QVERIFY(runToEnd(p));
        QCOMPARE(p.exitStatus(), QProcess::CrashExit);
        QVERIFY(ndjsonFilesIn(folder).size() < expected.size());

        QProcess resume;
        resume.start(QStringLiteral(COHORT_EXE), {u"resume"_s, folder});
        QVERIFY(runToEnd(resume));
        QVERIFY2(resume.exitCode() == 0, resume.readAllStandardError().constData());
        const auto got = ndjsonFilesIn(folder);
        QCOMPARE(QStringList(got.keys()), QStringList(expected.keys()));
        for (auto it = expected.cbegin(); it != expected.cend(); ++it)
            QVERIFY2(got.value(it.key()) == it.value(), qPrintable(it.key()));
        QVERIFY(partFilesIn(folder).isEmpty());
    }
#endif
}

void TestExportJob::pagedManifestWithDeleted()
{
    // The same incremental export from a server that pages its manifest and one that does not:
    // the same files, plus the deleted Bundles in deleted/.
    demo::DemoServerOptions o = quick();
    o.resourcesPerFile = 100;
    auto plain = setup(o);
    o.manifestPageSize = 2;
    auto paged = setup(o);
    bulk::ExportRequest r = groupRequest(*paged.server, {u"Patient"_s, u"Observation"_s});
    r.since = u"2019-01-01T00:00:00Z"_s;
    QTemporaryDir dir;
    ExportJob a(plain.client.get(), r, dir.filePath(u"plain"_s));
    ExportJob b(paged.client.get(), r, dir.filePath(u"paged"_s));
    QCOMPARE(run(a), ExportState::Completed);
    QCOMPARE(run(b), ExportState::Completed);
    checkFolder(b);
    const auto files = ndjsonFilesIn(b.folder());
    QCOMPARE(files, ndjsonFilesIn(a.folder()));
    QVERIFY(files.size() > 3);
    QVERIFY(files.contains(u"deleted/Bundle.001.ndjson"_s));
    int pageRequests = 0;
    for (const auto &req : paged.server->requestLog())
        pageRequests += req.path.contains("$export-poll-status"_L1) ? 1 : 0;
    QVERIFY2(pageRequests >= 3, "the manifest's next pages must have been fetched");
}

void TestExportJob::folderLockedAgainstSecondJob()
{
    // Another process exporting into a folder (the app, while `resume` is run on it): a second
    // job there is refused, naming the holder; the lock left by a holder that was killed is
    // taken over; a finished job lets go of the folder.
    demo::DemoServerOptions o = quick();
    o.faults = {demo::Fault::SlowFiles};
    o.slowChunkBytes = 64; // the holder's download takes minutes: it holds the folder meanwhile
    o.slowChunkIntervalMs = 200;
    auto s = setup(o);
    QTemporaryDir dir;
    const QString folder = dir.filePath(u"out"_s);
    const QString lockPath = QDir(folder).filePath(ExportJob::lockFileName());
    const QString base = s.server->baseUrl().toString();
    const bulk::ExportRequest request = groupRequest(*s.server, {u"Patient"_s});
    auto runCli = [](const QStringList &args, QByteArray *err) {
        QProcess p;
        p.start(QStringLiteral(COHORT_EXE), args);
        QSignalSpy finished(&p, &QProcess::finished); // the demo server needs our event loop
        if (!finished.wait(60000))
            return -1;
        *err = p.readAllStandardError();
        return p.exitCode();
    };

    QProcess holder;
    holder.start(QStringLiteral(COHORT_EXE),
                 {u"export"_s, u"--server"_s, base, u"--group"_s, request.groupId, u"--type"_s,
                  u"Patient"_s, u"--out"_s, folder});
    QVERIFY(holder.waitForStarted());
    // Downloading (locked since prepare()), with its owner written into the lock file.
    auto downloading = [&folder] {
        const auto journal = bulk::ExportJournal::load(folder);
        return journal && journal->state == ExportState::Downloading;
    };
    QTRY_VERIFY_WITH_TIMEOUT(holder.state() != QProcess::Running ||
                                 (QFileInfo(lockPath).size() > 0 && downloading()),
                             30000);
    QVERIFY2(holder.state() == QProcess::Running, holder.readAllStandardError().constData());
    const QString pid = QString::number(holder.processId());

    QString error;
    QVERIFY(!ExportJob::resume(s.client.get(), folder, {}, &error));
    QVERIFY2(error.contains("is in use by cohort-export"_L1), qPrintable(error));
    QVERIFY2(error.contains(u"(process %1 on host "_s.arg(pid)), qPrintable(error));
    ExportJob second(s.client.get(), request, folder);
    error.clear();
    QVERIFY(!second.prepare(&error));
    QVERIFY2(error.contains(u"(process %1 on host "_s.arg(pid)), qPrintable(error));
    QByteArray err;
    QCOMPARE(runCli({u"resume"_s, folder}, &err), 1);
    QVERIFY2(err.contains("is in use by cohort-export"), err.constData());
    QVERIFY2(err.contains(u"(process %1 "_s.arg(pid).toUtf8()), err.constData());
    QCOMPARE(holder.state(), QProcess::Running); // refused, not waited for
    // The lock file is none of the export's files.
    const auto review = review::ExportFolder::open(folder, &error);
    QVERIFY2(review, qPrintable(error));
    for (const auto &f : review->files())
        QVERIFY2(!f.path.endsWith(ExportJob::lockFileName()), qPrintable(f.path));

    // Killed (SIGKILL, TerminateProcess): its lock file stays behind, stale.
    holder.kill();
    QVERIFY(holder.waitForFinished(10000));
    QVERIFY(QFile::exists(lockPath));
    s.server->setFault(demo::Fault::SlowFiles, false);
    std::unique_ptr<ExportJob> resumed(ExportJob::resume(s.client.get(), folder, {}, &error));
    QVERIFY2(resumed, qPrintable(error));
    // Held by this process now: a second job here is refused too.
    QVERIFY(!ExportJob::resume(s.client.get(), folder, {}, &error));
    QVERIFY2(error.contains(u"(process %1 "_s.arg(QCoreApplication::applicationPid())),
             qPrintable(error));
    QCOMPARE(run(*resumed), ExportState::Completed);
    checkFolder(*resumed);
    // Finished: the folder is free again while the job object still exists.
    QVERIFY(!QFile::exists(lockPath));
    QCOMPARE(runCli({u"resume"_s, folder}, &err), 0);
}

QTEST_GUILESS_MAIN(TestExportJob)
#include "tst_ExportJob.moc"
