#include "export/ExportJournal.h"
#include "export/ExportRequest.h"
#include "export/Manifest.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>

using namespace cohort::bulk;
using namespace Qt::StringLiterals;

class TestManifest : public QObject
{
    Q_OBJECT
private slots:
    void parsesFullManifest();
    void rejects_data();
    void rejects();
    void absurdCountIsNoCount_data();
    void absurdCountIsNoCount();
    void fileNamesAreOurs_data();
    void fileNamesAreOurs();
    void fileNamesNeverDifferOnlyInCase();
    void requestValidation_data();
    void requestValidation();
    void requestUntilAfterSince();
    void requestEncoding();
    void journalRoundTrip();
    void journalRejectsUnsafePaths();
};

void TestManifest::parsesFullManifest()
{
    const QByteArray json = R"({
      "transactionTime": "2024-01-15T10:30:00.000+01:00",
      "request": "https://fhir.example/Group/g/$export?_type=Patient",
      "requiresAccessToken": true,
      "output": [{"type": "Patient", "url": "https://files.example/p1.ndjson", "count": 15},
                 {"type": "Observation", "url": "obs/2.ndjson"}],
      "error": [{"type": "OperationOutcome", "url": "https://files.example/e.ndjson"}],
      "deleted": [{"type": "Bundle", "url": "https://files.example/d.ndjson", "count": 2}],
      "link": [{"relation": "next", "url": "https://fhir.example/manifest?page=2"}],
      "extension": {"x": 1}
    })";
    QString error;
    const auto m = Manifest::parse(json, QUrl(u"https://fhir.example/status/1"_s), &error);
    QVERIFY2(m.has_value(), qPrintable(error));
    QCOMPARE(m->transactionTime, QDateTime(QDate(2024, 1, 15), QTime(9, 30), Qt::UTC));
    QVERIFY(m->requiresAccessToken);
    QCOMPARE(m->output.size(), 2);
    QCOMPARE(m->output[0].count, 15);
    QCOMPARE(m->output[1].count, -1);
    QCOMPARE(m->output[1].url, QUrl(u"https://fhir.example/status/obs/2.ndjson"_s));
    QCOMPARE(m->error.size(), 1);
    QCOMPARE(m->deleted.size(), 1);
    QCOMPARE(m->next, QUrl(u"https://fhir.example/manifest?page=2"_s));
    QCOMPARE(m->extension.value("x"_L1).toInt(), 1);

    // STU 4 calls error "outcome"; a manifest without error is fine.
    const auto stu4 = Manifest::parse(R"({"transactionTime":"2024-01-01T00:00:00Z","output":[],
        "outcome":[{"type":"OperationOutcome","url":"https://x.example/o.ndjson"}]})",
                                      QUrl(u"https://x.example/"_s), &error);
    QVERIFY2(stu4.has_value(), qPrintable(error));
    QCOMPARE(stu4->error.size(), 1);
    QVERIFY(!stu4->requiresAccessToken);
}

void TestManifest::absurdCountIsNoCount_data()
{
    QTest::addColumn<QByteArray>("count");
    QTest::addColumn<qint64>("expected");
    // fuzz_manifest's first crash: a count beyond qint64 was converted from double (undefined
    // behaviour; UBSan: "outside the range of representable values of type 'long long'").
    QTest::newRow("fuzz crash") << QByteArray("877777777777777777777777777777777777777777")
                                << qint64(-1);
    QTest::newRow("1e300") << QByteArray("1e300") << qint64(-1);
    QTest::newRow("negative") << QByteArray("-3") << qint64(-1);
    QTest::newRow("2^53") << QByteArray("9007199254740992") << qint64(9007199254740992);
    QTest::newRow("beyond 2^53") << QByteArray("9007199254740994") << qint64(-1);
    QTest::newRow("zero") << QByteArray("0") << qint64(0);
}

void TestManifest::absurdCountIsNoCount()
{
    QFETCH(QByteArray, count);
    QFETCH(qint64, expected);
    const QByteArray json = R"({"transactionTime":"2026-11-28T07:09:43.575Z","output":[
        {"type":"Encounter","url":"http://127.0.0.1/fhir/Binary/1","count":)" +
                            count + "}]}";
    QString error;
    const auto m = Manifest::parse(json, QUrl(u"http://127.0.0.1/fhir/status"_s), &error);
    QVERIFY2(m.has_value(), qPrintable(error));
    QCOMPARE(m->output.size(), 1);
    QCOMPARE(m->output[0].count, expected);
}

void TestManifest::rejects_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("truncated")
        << QByteArray(R"({"transactionTime":"2024-01-01T00:00:00Z","output":[{"type":)")
        << u"not valid JSON"_s;
    QTest::newRow("array") << QByteArray("[]") << u"not a JSON object"_s;
    QTest::newRow("html") << QByteArray("<html>oops</html>") << u"not valid JSON"_s;
    QTest::newRow("no time") << QByteArray(R"({"output":[]})") << u"transactionTime"_s;
    QTest::newRow("bad time") << QByteArray(R"({"transactionTime":"2024-01-01","output":[]})")
                              << u"transactionTime"_s;
    QTest::newRow("no output") << QByteArray(R"({"transactionTime":"2024-01-01T00:00:00Z"})")
                               << u"output"_s;
    QTest::newRow("output not array")
        << QByteArray(R"({"transactionTime":"2024-01-01T00:00:00Z","output":{}})") << u"output"_s;
    QTest::newRow("no url")
        << QByteArray(R"({"transactionTime":"2024-01-01T00:00:00Z","output":[{"type":"Patient"}]})")
        << u"no type or no url"_s;
    QTest::newRow("file scheme")
        << QByteArray(
               R"({"transactionTime":"2024-01-01T00:00:00Z","output":[{"type":"Patient","url":"file:///etc/passwd"}]})")
        << u"unusable URL"_s;
}

void TestManifest::rejects()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, mentions);
    QString error;
    QVERIFY(!Manifest::parse(json, QUrl(u"https://fhir.example/status"_s), &error).has_value());
    QVERIFY2(error.contains(mentions), qPrintable(error));
}

void TestManifest::fileNamesAreOurs_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<int>("n");
    QTest::addColumn<QString>("subfolder");
    QTest::addColumn<QString>("expected");
    QTest::newRow("plain") << u"Observation"_s << 2 << QString() << u"Observation.002.ndjson"_s;
    QTest::newRow("many") << u"Patient"_s << 1234 << QString() << u"Patient.1234.ndjson"_s;
    QTest::newRow("error") << u"OperationOutcome"_s << 1 << u"error/"_s
                           << u"error/OperationOutcome.001.ndjson"_s;
    QTest::newRow("traversal") << u"../../etc/passwd"_s << 1 << QString()
                               << u"Resource.001.ndjson"_s;
    QTest::newRow("absolute") << u"/tmp/x"_s << 1 << QString() << u"Resource.001.ndjson"_s;
    QTest::newRow("windows") << u"C:\\Windows\\x"_s << 1 << QString() << u"Resource.001.ndjson"_s;
    QTest::newRow("dots") << u"Patient.ndjson"_s << 1 << QString() << u"Resource.001.ndjson"_s;
    QTest::newRow("empty") << QString() << 1 << QString() << u"Resource.001.ndjson"_s;
    QTest::newRow("nul") << u"Pat\0ient"_s << 1 << QString() << u"Resource.001.ndjson"_s;
    // fuzz_manifest: "$" also matched before a final newline, so "Encounter\n" became the file
    // name "Encounter\n.001.ndjson".
    QTest::newRow("fuzz: final newline")
        << u"Encounter\n"_s << 1 << QString() << u"Resource.001.ndjson"_s;
}

void TestManifest::fileNamesAreOurs()
{
    QFETCH(QString, type);
    QFETCH(int, n);
    QFETCH(QString, subfolder);
    QFETCH(QString, expected);
    QCOMPARE(localFileName(type, n, subfolder), expected);
}

void TestManifest::fileNamesNeverDifferOnlyInCase()
{
    // One numbering per type whatever its case, per subfolder, in the manifest's order.
    LocalFileNamer names;
    QCOMPARE(names.next(u"Patient"_s), u"Patient.001.ndjson"_s);
    QCOMPARE(names.next(u"patient"_s), u"patient.002.ndjson"_s);
    QCOMPARE(names.next(u"Observation"_s), u"Observation.001.ndjson"_s);
    QCOMPARE(names.next(u"PATIENT"_s), u"PATIENT.003.ndjson"_s);
    QCOMPARE(names.next(u"Patient"_s, u"error/"_s), u"error/Patient.001.ndjson"_s);
    // Types that are no plain name all become "Resource", numbered together.
    QCOMPARE(names.next(u"x/y"_s), u"Resource.001.ndjson"_s);
    QCOMPARE(names.next(u"resource"_s), u"resource.002.ndjson"_s);
    QSet<QString> folded;
    LocalFileNamer again;
    for (const QString &type : {u"Condition"_s, u"condition"_s, u"CONDITION"_s, u"Condition"_s})
        folded.insert(again.next(type).toLower());
    QCOMPARE(folded.size(), 4);
}

void TestManifest::requestValidation_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("mentions"); // empty: valid
    QTest::newRow("ok") << u"since"_s << u"2024-01-01T00:00:00+01:00"_s << QString();
    QTest::newRow("since no zone") << u"since"_s << u"2024-01-01T00:00:00"_s << u"time zone"_s;
    QTest::newRow("since date") << u"since"_s << u"2024-01-01"_s << u"Since"_s;
    QTest::newRow("until bad") << u"until"_s << u"tomorrow"_s << u"Until"_s;
    QTest::newRow("type bad") << u"type"_s << u"patient"_s << u"resource type"_s;
    QTest::newRow("type injection") << u"type"_s << u"Patient&_since=x"_s << u"resource type"_s;
    QTest::newRow("group empty") << u"group"_s << QString() << u"Group"_s;
    QTest::newRow("group bad") << u"group"_s << u"a/b"_s << u"valid FHIR id"_s;
    // The same "$" as in fileNamesAreOurs' "fuzz: final newline".
    QTest::newRow("type final newline") << u"type"_s << u"Patient\n"_s << u"resource type"_s;
    QTest::newRow("group final newline") << u"group"_s << u"g1\n"_s << u"valid FHIR id"_s;
    QTest::newRow("filter bad") << u"typeFilter"_s << u"category=lab"_s << u"Type?search"_s;
    QTest::newRow("patient bad") << u"patient"_s << u"123"_s << u"Patient/123"_s;
}

void TestManifest::requestValidation()
{
    QFETCH(QString, field);
    QFETCH(QString, value);
    QFETCH(QString, mentions);
    ExportRequest r;
    r.groupId = u"g1"_s;
    if (field == "since"_L1)
        r.since = value;
    else if (field == "until"_L1)
        r.until = value;
    else if (field == "type"_L1)
        r.types = {value};
    else if (field == "group"_L1)
        r.groupId = value;
    else if (field == "typeFilter"_L1)
        r.typeFilters = {value};
    else if (field == "patient"_L1)
        r.patients = {value};
    const QList<ExportRequest::Problem> problems = r.validate();
    if (mentions.isEmpty()) {
        QVERIFY2(problems.isEmpty(), qPrintable(ExportRequest::describe(problems)));
        return;
    }
    QCOMPARE(problems.size(), 1);
    QVERIFY2(problems.first().message.contains(mentions), qPrintable(problems.first().message));
    // The field it is about, for the export form to mark.
    using F = ExportRequest::Problem::Field;
    const QHash<QString, F> fields{{u"since"_s, F::Since},
                                   {u"until"_s, F::Until},
                                   {u"type"_s, F::Types},
                                   {u"group"_s, F::Group},
                                   {u"typeFilter"_s, F::TypeFilters},
                                   {u"patient"_s, F::Patients}};
    QCOMPARE(problems.first().field, fields.value(field));
}

// Until must be later than since: the same instant exports nothing, so it is refused too.
void TestManifest::requestUntilAfterSince()
{
    ExportRequest r;
    r.groupId = u"g1"_s;
    r.since = u"2024-01-01T00:00:00+01:00"_s;
    for (const auto &[until, valid] :
         {std::pair{u"2023-12-31T23:00:00Z"_s, false}, std::pair{u"2023-12-31T23:00:01Z"_s, true},
          std::pair{u"2023-06-01T00:00:00Z"_s, false}}) {
        r.until = until;
        const auto problems = r.validate();
        QCOMPARE(problems.isEmpty(), valid);
        if (!valid)
            QCOMPARE(problems.first().field, ExportRequest::Problem::Field::Until);
    }
}

void TestManifest::requestEncoding()
{
    ExportRequest r;
    r.groupId = u"diabetes-care"_s;
    r.types = {u"Patient"_s, u"Observation"_s};
    r.since = u"2024-01-01T00:00:00+02:00"_s;
    r.typeFilters = {u"Observation?category=laboratory"_s,
                     u"Observation?code=http://loinc.org|4548-4"_s};
    QCOMPARE(r.operationPath(), u"Group/diabetes-care/$export"_s);
    QVERIFY(!r.usesPost());
    const QUrlQuery q(r.query());
    QCOMPARE(q.queryItemValue(u"_since"_s, QUrl::FullyDecoded), r.since); // '+' survives
    QVERIFY(r.query().contains("%2B02:00"_L1));
    QCOMPARE(q.queryItemValue(u"_type"_s, QUrl::FullyDecoded), u"Patient,Observation"_s);
    QCOMPARE(q.allQueryItemValues(u"_typeFilter"_s, QUrl::FullyDecoded), r.typeFilters);

    r.patients = {u"Patient/pat-00001"_s};
    QVERIFY(r.usesPost());
    const QJsonObject params = QJsonDocument::fromJson(r.parametersJson()).object();
    QCOMPARE(params.value("resourceType"_L1).toString(), u"Parameters"_s);
    QStringList names, types;
    for (const QJsonValue &v : params.value("parameter"_L1).toArray()) {
        names.append(v.toObject().value("name"_L1).toString());
        if (names.last() == "_type"_L1)
            types.append(v.toObject().value("valueString"_L1).toString());
        if (names.last() == "_since"_L1)
            QCOMPARE(v.toObject().value("valueInstant"_L1).toString(), r.since);
        if (names.last() == "patient"_L1)
            QCOMPARE(
                v.toObject().value("valueReference"_L1).toObject().value("reference"_L1).toString(),
                u"Patient/pat-00001"_s);
    }
    QCOMPARE(types, r.types); // repeated, not comma-joined
    QCOMPARE(names.count(u"_typeFilter"_s), 2);
    QCOMPARE(r.preferHeader(), u"respond-async"_s);
    r.lenient = true;
    QCOMPARE(r.preferHeader(), u"respond-async, handling=lenient"_s);

    ExportRequest system;
    system.level = ExportRequest::Level::System;
    QCOMPARE(system.operationPath(), u"$export"_s);
    QCOMPARE(ExportRequest::fromJson(r.toJson()).toJson(), r.toJson());
}

void TestManifest::journalRoundTrip()
{
    QTemporaryDir dir;
    ExportJournal j;
    j.serverUrl = u"http://127.0.0.1:1/fhir"_s;
    j.label = u"Diabetes"_s;
    j.request.groupId = u"g"_s;
    j.state = ExportState::Downloading;
    j.statusUrl = QUrl(u"http://127.0.0.1:1/fhir/$export-poll-status/abc"_s);
    j.createdAt = QDateTime(QDate(2026, 1, 2), QTime(3, 4, 5), Qt::UTC);
    j.transactionTime = j.createdAt.addSecs(10);
    j.requiresAccessToken = true;
    ExportJournal::File f;
    f.task.type = u"Patient"_s;
    f.task.url = QUrl(u"http://127.0.0.1:1/fhir/Binary/x/$binary-access-read"_s);
    f.task.relativePath = u"Patient.001.ndjson"_s;
    f.task.expectedCount = 12;
    f.status = ExportJournal::File::Status::Done;
    f.lines = 12;
    f.bytes = 3456;
    j.files = {f};
    QVERIFY(j.save(dir.path()));
    QVERIFY(!QFile::exists(dir.filePath(u"export.json.tmp"_s)));
    QString error;
    const auto loaded = ExportJournal::load(dir.path(), &error);
    QVERIFY2(loaded.has_value(), qPrintable(error));
    QCOMPARE(loaded->state, ExportState::Downloading);
    QCOMPARE(loaded->statusUrl, j.statusUrl);
    QCOMPARE(loaded->createdAt, j.createdAt);
    QCOMPARE(loaded->transactionTime, j.transactionTime);
    QCOMPARE(loaded->files.size(), 1);
    QCOMPARE(loaded->files[0].task.expectedCount, 12);
    QCOMPARE(loaded->files[0].status, ExportJournal::File::Status::Done);
    QCOMPARE(loaded->files[0].bytes, 3456);
    QCOMPARE(loaded->request.groupId, u"g"_s);
    for (ExportState s :
         {ExportState::Created, ExportState::KickingOff, ExportState::Polling,
          ExportState::Downloading, ExportState::Completed, ExportState::PartiallyCompleted,
          ExportState::Failed, ExportState::Cancelled})
        QCOMPARE(stateFromName(stateName(s)), std::optional<ExportState>(s));
    QVERIFY(!ExportJournal::load(dir.filePath(u"missing"_s), &error).has_value());
    QVERIFY(error.contains("holds no export"_L1));
}

void TestManifest::journalRejectsUnsafePaths()
{
    QTemporaryDir dir;
    for (const char *path : {"../outside.ndjson", "/etc/passwd", "a/../../b.ndjson"}) {
        ExportJournal j;
        j.serverUrl = u"http://h/fhir"_s;
        ExportJournal::File f;
        f.task.relativePath = QString::fromLatin1(path);
        j.files = {f};
        QVERIFY(j.save(dir.path()));
        QString error;
        QVERIFY2(!ExportJournal::load(dir.path(), &error).has_value(), path);
        QVERIFY(error.contains("unsafe"_L1));
    }
    QFile broken(dir.filePath(u"export.json"_s));
    QVERIFY(broken.open(QIODevice::WriteOnly));
    broken.write("{\"state\":");
    broken.close();
    QString error;
    QVERIFY(!ExportJournal::load(dir.path(), &error).has_value());
    QVERIFY(error.contains("damaged"_L1));
}

QTEST_APPLESS_MAIN(TestManifest)
#include "tst_Manifest.moc"
