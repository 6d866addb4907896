// `cohort-export inspect` on a real export from the demo server and on a broken folder.

#include "demo/DemoServer.h"
#include "export/ExportJob.h"
#include "fhir/FhirClient.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace cohort;
using namespace Qt::StringLiterals;

class TestInspect : public QObject
{
    Q_OBJECT

    QTemporaryDir m_cache;

    struct Run
    {
        int exitCode = -1;
        QByteArray out, err;
    };
    Run inspect(const QStringList &args)
    {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"XDG_CACHE_HOME"_s, m_cache.path()); // never the user's cache
        p.setProcessEnvironment(env);
        p.start(QStringLiteral(COHORT_EXE), QStringList{u"inspect"_s} + args);
        if (!p.waitForFinished(120000))
            return {};
        return {p.exitCode(), p.readAllStandardOutput(), p.readAllStandardError()};
    }

private slots:
    void cleanExport();
    void brokenFolder();
    void unreadablePath();
};

void TestInspect::cleanExport()
{
    demo::DemoServerOptions o;
    o.patients = 30;
    o.exportSeconds = 0;
    o.resourcesPerFile = 200;
    demo::DemoServer server(o);
    QString error;
    QVERIFY2(server.start(&error), qPrintable(error));
    QNetworkAccessManager network;
    fhir::FhirClient client(&network, server.baseUrl());
    bulk::ExportRequest request;
    request.level = bulk::ExportRequest::Level::System;
    request.types = {u"Patient"_s, u"Encounter"_s, u"Observation"_s};
    QTemporaryDir dir;
    const QString folder = dir.filePath(u"out"_s);
    bulk::ExportJob job(&client, request, folder);
    QVERIFY2(job.prepare(&error), qPrintable(error));
    QSignalSpy done(&job, &bulk::ExportJob::finished);
    job.start();
    QVERIFY(done.wait(120000));
    QCOMPARE(job.state(), bulk::ExportState::Completed);

    const Run text = inspect({folder});
    QVERIFY2(text.exitCode == 0, text.out + text.err);
    QVERIFY(text.out.contains("Problems: 0"));
    QVERIFY(text.out.contains("Encounter"));

    const Run json = inspect({folder, u"--json"_s});
    QCOMPARE(json.exitCode, 0);
    const QJsonObject o2 = QJsonDocument::fromJson(json.out).object();
    QVERIFY(o2.value("problems"_L1).toArray().isEmpty());
    QVERIFY(o2.value("counts"_L1).toObject().value("Patient"_L1).toDouble() > 0);
    QVERIFY(o2.value("counts"_L1).toObject().value("Encounter"_L1).toDouble() > 0);
    QVERIFY(o2.value("files"_L1).toArray().size() >= 3);
}

void TestInspect::brokenFolder()
{
    QTemporaryDir dir;
    auto write = [&](const QString &name, const QByteArray &data) {
        QFile f(dir.filePath(name));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(data);
    };
    write(u"Patient.001.ndjson"_s, R"({"resourceType":"Patient","id":"a"}
{"resourceType":"Patient","id":"a"}
{"resourceType":"Patient"
)");
    write(u"Encounter.001.ndjson"_s,
          R"({"resourceType":"Encounter","id":"e","subject":{"reference":"Patient/zz"}})"
          "\n");
    const Run text = inspect({dir.path()});
    QCOMPARE(text.exitCode, 2);
    QVERIFY(text.out.contains("Patient.001.ndjson:2  duplicate-id"));
    QVERIFY(text.out.contains("Patient.001.ndjson:3  invalid-json"));
    QVERIFY(text.out.contains("Encounter.001.ndjson:1  unresolved-reference"));

    const Run json = inspect({dir.path(), u"--json"_s});
    QCOMPARE(json.exitCode, 2);
    QJsonParseError pe{};
    const QJsonObject o = QJsonDocument::fromJson(json.out, &pe).object();
    QCOMPARE(pe.error, QJsonParseError::NoError);
    QStringList classes;
    for (const QJsonValue &v : o.value("problems"_L1).toArray())
        classes.append(v.toObject().value("class"_L1).toString());
    classes.sort();
    QCOMPARE(classes,
             (QStringList{u"duplicate-id"_s, u"invalid-json"_s, u"unresolved-reference"_s}));
    QCOMPARE(o.value("counts"_L1).toObject().value("Patient"_L1).toInt(), 2);

    // Loose files work too, and a second run answers from the cache with the same result.
    const Run loose = inspect({dir.filePath(u"Patient.001.ndjson"_s), u"--json"_s});
    QCOMPARE(loose.exitCode, 2);
    QCOMPARE(QJsonDocument::fromJson(loose.out).object().value("problemCount"_L1).toInt(), 2);
}

void TestInspect::unreadablePath()
{
    const Run r = inspect({u"/nonexistent/nothing.ndjson"_s});
    QCOMPARE(r.exitCode, 1);
    QVERIFY(!r.err.isEmpty());
}

QTEST_GUILESS_MAIN(TestInspect)
#include "tst_Inspect.moc"
