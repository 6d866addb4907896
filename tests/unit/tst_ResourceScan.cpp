// ResourceScan on a crafted broken export: every problem class, exact lines; the cache.

#include "review/ResourceScan.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QMap>
#include <QRandomGenerator>
#include <QSet>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace cohort::review;
using C = Problem::Class;

class TestResourceScan : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QList<ScanInput> m_inputs;

    QString write(const QString &name, const QByteArray &data)
    {
        const QString path = m_dir.filePath(name);
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly) || f.write(data) != data.size())
            qFatal("cannot write %s", qPrintable(path));
        return path;
    }
    static ScanOptions options()
    {
        ScanOptions o;
        o.maxLineBytes = 6 << 20;
        return o;
    }

private slots:
    void initTestCase();
    void everyProblemClass();
    void jsonRoundTrip();
    void cacheHitAndInvalidation();
    void cancel();
    void streamAndLineByLineAgree();
    void progressCoversSecondPass();
    void collidingKeysChangeNothing();
    void threadsAndChunksChangeNothing();
};

void TestResourceScan::initTestCase()
{
    const QByteArray patients = R"({"resourceType":"Patient","id":"p1"}
{"resourceType":"Patient","id":"p2","link":[{"other":{"reference":"Patient/p1"}}]}
{"resourceType":"Patient","id":"p1"}

{"resourceType":"Patient"}
{"resourceType":"Patient","id":"p3"
{"resourceType":"Observation","id":"o9"}
)";
    const QByteArray observations =
        R"({"resourceType":"Observation","id":"o1","subject":{"reference":"Patient/p1"},"encounter":{"reference":"Encounter/e1"}})"
        "\r\n"
        R"({"resourceType":"Observation","id":"o2","subject":{"reference":"Patient/missing"},"hasMember":[{"reference":"Observation/o9/_history/2"}]})"
        "\r\n{\"resourceType\":\"Observation\",\"id\":\"big\",\"note\":\"" +
        QByteArray(10 << 20, 'x') + "\"}\r\n" +
        R"({"resourceType":"Observation","id":"o4","performer":[{"reference":"Patient/missing"},{"reference":"http://elsewhere/Patient/x"}]})";
    m_inputs = {{write(u"Patient.001.ndjson"_s, patients), u"Patient"_s, 5},
                {write(u"Observation.001.ndjson"_s, observations), u"Observation"_s, 4}};
}

void TestResourceScan::everyProblemClass()
{
    std::atomic_bool cancel{false};
    const ScanResult r = ResourceScan::scan(m_inputs, options(), cancel);
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    const QString pf = m_inputs[0].path, of = m_inputs[1].path;
    QList<std::tuple<QString, qint64, C>> got;
    for (const Problem &p : r.problems)
        got.append({p.file, p.line, p.kind});
    const QList<std::tuple<QString, qint64, C>> expected{
        {pf, 3, C::DuplicateId},         {pf, 5, C::MissingId},     {pf, 6, C::InvalidJson},
        {pf, 7, C::TypeMismatch},        {pf, 0, C::CountMismatch}, {of, 3, C::LineTooLong},
        {of, 2, C::UnresolvedReference},
    };
    for (const Problem &p : r.problems)
        qDebug() << p.file << p.line << Problem::className(p.kind) << p.message;
    QCOMPARE(got, expected);
    QCOMPARE(r.problemCount, 7);
    QVERIFY(r.problems[0].message.contains("Patient/p1"_L1));
    QVERIFY(!r.problems[2].message.isEmpty()); // simdjson's words
    QVERIFY(r.problems[3].message.contains("Observation"_L1));
    QVERIFY(r.problems[4].message.contains("6"_L1));
    QVERIFY(r.problems[6].message.contains("Patient/missing"_L1));
    QVERIFY(r.problems[6].message.contains("2 times"_L1));
    QCOMPARE(r.countsByType, (QMap<QString, qint64>{{u"Patient"_s, 4}, {u"Observation"_s, 4}}));
    QCOMPARE(r.files.size(), 2);
    QCOMPARE(r.files[0].resources, 6);
    QCOMPARE(r.files[1].resources, 4);
    QCOMPARE(r.files[1].countsByType, (QMap<QString, qint64>{{u"Observation"_s, 3}}));
}

void TestResourceScan::jsonRoundTrip()
{
    std::atomic_bool cancel{false};
    const ScanResult r = ResourceScan::scan(m_inputs, options(), cancel);
    const QByteArray json = QJsonDocument(r.toJson()).toJson();
    const auto back = ScanResult::fromJson(QJsonDocument::fromJson(json).object());
    QVERIFY(back.has_value());
    QCOMPARE(QJsonDocument(back->toJson()).toJson(), json);
    QCOMPARE(back->problems.size(), r.problems.size());
    QCOMPARE(back->problems[5].kind, C::LineTooLong);
}

void TestResourceScan::cacheHitAndInvalidation()
{
    QTemporaryDir cache;
    auto run = [&](bool expectCached) {
        ResourceScan scan(cache.path());
        scan.setOptions(options());
        QSignalSpy finished(&scan, &ResourceScan::finished);
        scan.start(m_inputs);
        if (!finished.wait(60000))
            return ScanResult();
        const ScanResult r = scan.result();
        if (r.fromCache != expectCached)
            qWarning() << "fromCache" << r.fromCache;
        return r;
    };
    const ScanResult first = run(false);
    QVERIFY(!first.fromCache);
    QCOMPARE(first.problemCount, 7);
    const ScanResult second = run(true);
    QVERIFY(second.fromCache);
    QCOMPARE(second.problemCount, 7);
    QCOMPARE(second.countsByType, first.countsByType);

    // One more Patient: the count now matches, and the cache must not answer.
    {
        QFile f(m_inputs[0].path);
        QVERIFY(f.open(QIODevice::Append));
        f.write(R"({"resourceType":"Patient","id":"p9"})");
    }
    const ScanResult third = run(false);
    QVERIFY(!third.fromCache);
    QCOMPARE(third.countsByType.value(u"Patient"_s), 5);
    QCOMPARE(third.problemCount, 7); // count mismatch now 7 vs 5
    QVERIFY(run(true).fromCache);
}

void TestResourceScan::cancel()
{
    ResourceScan scan({});
    QSignalSpy finished(&scan, &ResourceScan::finished);
    scan.start(m_inputs);
    scan.cancel();
    QVERIFY(finished.wait(60000));
    const ScanResult r = scan.result();
    QVERIFY(r.cancelled || r.problemCount > 0); // cancel may come after a small scan ended
}

// Pass 1 parses a block's lines as one simdjson document stream where they line up, and line by
// line from the first that does not. Lines that break the stream at random places in a file of
// several blocks and batches must give exactly what parsing each line alone gives.
void TestResourceScan::streamAndLineByLineAgree()
{
    QRandomGenerator random(6);
    const QList<QByteArray> invalid{
        R"({"resourceType":"Patient","id":"two1"} {"resourceType":"Patient","id":"two2"})",
        "   ",
        "[1,2]",
        "42",
        R"({"resourceType":"Patient","id":"open")",
    };
    // These fail the whole stream batch they are in (simdjson finds strings and UTF-8 errors
    // batch-wise): a few, at fixed places.
    const QList<QByteArray> batchBreakers{
        "{\"resourceType\":\"Patient\",\"id\":\"bad\xff\"}",
        R"({"resourceType":"Patient","id":"unclosed})",
    };
    const QList<QByteArray> valid{
        R"(  {"resourceType":"Patient","id":"spaced"}  )",
        R"({"resourceType":"Observation","id":"esc1","subject":{"\u0072eference":"Patient/gone1"}})",
        R"({"resourceType":"Observation","id":"esc2","subject":{"reference":"Patient\/gone2"}})",
        R"({"resourceType":"Observation","id":"hist","hasMember":[{"reference":"Observation/o1/_history/3"}]})",
        R"({"resourceType":"Patient"})",
        R"({"resourceType":"Patient","id":"p1"})",
    };
    QByteArray data;
    qint64 invalidLines = 0;
    for (int i = 0; i < 6000; ++i) {
        const int patient = random.bounded(800);
        data += R"({"resourceType":"Observation","id":"o)" + QByteArray::number(i) +
                R"(","subject":{"reference":"Patient/p)" + QByteArray::number(patient) +
                R"("},"note":")" + QByteArray(random.bounded(100, 2000), 'n') + "\"}\n";
        if (i % 7 == 0)
            data += R"({"resourceType":"Patient","id":"p)" + QByteArray::number(i / 7) + "\"}\r\n";
        if (i == 2500 || i == 5000) {
            data += batchBreakers.at(i / 2500 - 1) + '\n';
            ++invalidLines;
        }
        switch (random.bounded(100)) {
        case 0:
            data += invalid.at(random.bounded(invalid.size())) + '\n';
            ++invalidLines;
            break;
        case 1: // one value across two lines: both are invalid
            data += "{\"resourceType\":\"Patient\",\n\"id\":\"split\"}\n";
            invalidLines += 2;
            break;
        case 2:
            data += valid.at(random.bounded(valid.size())) + '\n';
            break;
        case 3:
            data += random.bounded(2) ? "\n" : "\r\n";
            break;
        default:
            break;
        }
    }
    data += R"({"resourceType":"Patient","id":"last"})"; // no final newline
    QVERIFY(data.size() > 5 << 20); // two blocks of 4 MiB, several stream batches
    const QList<ScanInput> inputs{{write(u"stream.ndjson"_s, data), {}, -1}};

    std::atomic_bool cancel{false};
    ScanOptions lineByLine = options();
    lineByLine.streamParse = false;
    const ScanResult alone = ResourceScan::scan(inputs, lineByLine, cancel);
    const ScanResult streamed = ResourceScan::scan(inputs, options(), cancel);
    QVERIFY(invalidLines > 0);
    qint64 invalidJson = 0;
    for (const Problem &p : alone.problems)
        invalidJson += p.kind == C::InvalidJson && !p.message.startsWith("not a FHIR"_L1);
    qint64 notFhir = 0;
    for (const Problem &p : alone.problems)
        notFhir += p.message.startsWith("not a FHIR"_L1);
    QCOMPARE(invalidJson + notFhir, invalidLines);
    QVERIFY(notFhir > 0);
    QCOMPARE(QJsonDocument(streamed.toJson()).toJson(), QJsonDocument(alone.toJson()).toJson());
}

// A second pass (unresolved references) reads the files again: the total doubles, and progress
// goes on from half way to the end instead of sitting at 100%.
void TestResourceScan::progressCoversSecondPass()
{
    qint64 bytes = 0;
    for (const ScanInput &in : std::as_const(m_inputs))
        bytes += QFileInfo(in.path).size();
    QList<QPair<qint64, qint64>> calls;
    std::atomic_bool cancel{false};
    ResourceScan::scan(m_inputs, options(), cancel, [&](qint64 done, qint64 total) {
        calls.append({done, total});
    });
    QVERIFY(calls.contains(QPair<qint64, qint64>(bytes, 2 * bytes)));
    QCOMPARE(calls.last(), (QPair<qint64, qint64>(2 * bytes, 2 * bytes)));

    // Every target present: one pass, progress ends at the files' size.
    const QString clean = write(u"clean.ndjson"_s, R"({"resourceType":"Patient","id":"a"}
{"resourceType":"Observation","id":"b","subject":{"reference":"Patient/a"}}
)");
    calls.clear();
    ResourceScan::scan({{clean, {}, -1}}, options(), cancel, [&](qint64 done, qint64 total) {
        calls.append({done, total});
    });
    const qint64 size = QFileInfo(clean).size();
    QCOMPARE(calls, (QList<QPair<qint64, qint64>>{{size, size}}));
}

// Keys are 64-bit hashes of "Type/id": distinct keys whose hashes collide (forced here by
// keeping few or none of the hash's bits) must still be told apart, so that a collision never
// makes a false duplicate nor hides a reference to a missing target.
void TestResourceScan::collidingKeysChangeNothing()
{
    QByteArray observations, patients;
    QStringList expectedDuplicates;
    struct Site
    {
        QString file;
        qint64 line = 0;
        int count = 0;
    };
    QList<QPair<QString, Site>> missing; // in the order first referenced
    auto refer = [&missing](const QString &reference, const QString &file, qint64 line) {
        for (auto &[text, site] : missing) {
            if (text == reference) {
                ++site.count;
                return;
            }
        }
        missing.append({reference, {file, line, 1}});
    };
    const QString obsPath = m_dir.filePath(u"collide-Observation.ndjson"_s);
    const QString patPath = m_dir.filePath(u"collide-Patient.ndjson"_s);
    // Observations first: most references are met before their targets.
    qint64 line = 0;
    for (int i = 0; i < 200; ++i) {
        const int patient = (i * 7) % 60; // p50..p59 do not exist
        const QByteArray p = "Patient/p" + QByteArray::number(patient);
        observations += R"({"resourceType":"Observation","id":"g)" + QByteArray::number(i) +
                        R"(","subject":{"reference":")" + p + R"("})";
        ++line;
        if (patient >= 50)
            refer(QString::fromLatin1(p), obsPath, line);
        if (i % 10 == 3) { // an earlier Observation, and one that never was
            observations += R"(,"hasMember":[{"reference":"Observation/g)" +
                            QByteArray::number(i / 2) + R"("},{"reference":"Observation/h)" +
                            QByteArray::number(i) + R"(/_history/1"}])";
            refer(u"Observation/h%1/_history/1"_s.arg(i), obsPath, line);
        }
        if (i % 50 == 7) { // only the tree finds an escaped key
            observations +=
                R"(,"focus":[{"\u0072eference":"Patient/e)" + QByteArray::number(i) + R"("}])";
            refer(u"Patient/e%1"_s.arg(i), obsPath, line);
        }
        observations += "}\n";
        if (i == 120) { // the same Observation again
            observations += "{\"resourceType\":\"Observation\",\"id\":\"g13\"}\n";
            ++line;
            expectedDuplicates << obsPath +
                                      u":%1:Observation/g13 occurs more than once"_s.arg(line);
        }
    }
    line = 0;
    for (int i = 0; i < 50; ++i) {
        patients += R"({"resourceType":"Patient","id":"p)" + QByteArray::number(i) + "\"}\n";
        ++line;
        if (i == 30) { // the same Patient again, and an id that is also an Observation's
            patients += "{\"resourceType\":\"Patient\",\"id\":\"p7\"}\n"
                        "{\"resourceType\":\"Patient\",\"id\":\"g5\"}\n";
            ++line;
            expectedDuplicates << patPath + u":%1:Patient/p7 occurs more than once"_s.arg(line);
            ++line;
        }
    }
    // More types than the scan tells apart by number (1024): the rest share one, and their
    // keys carry the name; the same id under each of them is no duplicate.
    const QString manyPath = m_dir.filePath(u"collide-many-types.ndjson"_s);
    auto typeName = [](int n) {
        QByteArray name = "Many";
        for (int i = 0; i < 3; ++i, n /= 26)
            name += char('a' + n % 26);
        return name;
    };
    QByteArray many;
    line = 0;
    for (int i = 0; i < 1100; ++i) {
        many += "{\"resourceType\":\"" + typeName(i) + "\",\"id\":\"same\"}\n";
        ++line;
    }
    many += R"({"resourceType":")" + typeName(1090) + R"(","id":"same","link":[{"reference":")" +
            typeName(1080) + R"(/same"},{"reference":")" + typeName(1070) + "/other\"}]}\n";
    ++line;
    expectedDuplicates << manyPath + u":%1:%2/same occurs more than once"_s.arg(line).arg(
                                         QString::fromLatin1(typeName(1090)));
    refer(QString::fromLatin1(typeName(1070) + "/other"), manyPath, line);
    write(u"collide-Observation.ndjson"_s, observations);
    write(u"collide-Patient.ndjson"_s, patients);
    write(u"collide-many-types.ndjson"_s, many);
    const QList<ScanInput> inputs{
        {obsPath, u"Observation"_s, -1}, {patPath, u"Patient"_s, -1}, {manyPath, {}, -1}};
    QStringList expectedUnresolved;
    for (const auto &[text, site] : std::as_const(missing)) {
        QString message = u"%1 is not in the export"_s.arg(text);
        if (site.count > 1)
            message += u" (referenced %1 times, first here)"_s.arg(site.count);
        expectedUnresolved << u"%1:%2:%3"_s.arg(site.file).arg(site.line).arg(message);
    }
    QVERIFY(expectedUnresolved.size() > 10);

    auto listed = [](const ScanResult &r, C kind) {
        QStringList list;
        for (const Problem &p : r.problems) {
            if (p.kind == kind)
                list << u"%1:%2:%3"_s.arg(p.file).arg(p.line).arg(p.message);
        }
        return list;
    };
    std::atomic_bool cancel{false};
    const ScanResult exact = ResourceScan::scan(inputs, options(), cancel);
    QCOMPARE(listed(exact, C::DuplicateId), expectedDuplicates);
    QCOMPARE(listed(exact, C::UnresolvedReference), expectedUnresolved);
    QCOMPARE(exact.problemCount, qint64(expectedDuplicates.size() + expectedUnresolved.size()));
    const QByteArray expected = QJsonDocument(exact.toJson()).toJson();
    // Every key on one hash, then on four.
    for (const quint64 mask : {quint64(0), quint64(0x30)}) {
        ScanOptions colliding = options();
        colliding.keyHashMask = mask;
        const ScanResult r = ResourceScan::scan(inputs, colliding, cancel);
        QCOMPARE(listed(r, C::DuplicateId), expectedDuplicates);
        QCOMPARE(listed(r, C::UnresolvedReference), expectedUnresolved);
        QCOMPARE(QJsonDocument(r.toJson()).toJson(), expected);
    }
}

QTEST_GUILESS_MAIN(TestResourceScan)
// Pass 1 reads and parses chunks of the files on several threads and commits them in order: any
// number of threads and any chunk size (cutting lines, CRLF pairs and overlong lines anywhere)
// give exactly the result of one thread reading each file whole.
void TestResourceScan::threadsAndChunksChangeNothing()
{
    QRandomGenerator random(17);
    QByteArray patients, observations;
    for (int i = 0; i < 1500; ++i) {
        const QByteArray id = QByteArray::number(random.bounded(1300));
        switch (random.bounded(12)) {
        case 0:
            patients += R"({"resourceType":"Patient"})";
            break;
        case 1:
            patients += R"({"resourceType":"Patient","id":"p)" + id + '"';
            break;
        case 2:
            patients += R"({"resourceType":"Observation","id":"x)" + id + "\"}";
            break;
        case 3:
            patients += R"({"resourceType":"Patient","id":"p)" + id + R"(","text":")" +
                        QByteArray(random.bounded(2000, 4000), 't') + "\"}";
            break;
        case 4:
            break; // an empty line
        default:
            patients += R"({"resourceType":"Patient","id":"p)" + id + "\"}";
        }
        patients += random.bounded(3) == 0 ? "\r\n" : "\n";
        const QByteArray subject = QByteArray::number(random.bounded(1400));
        switch (random.bounded(10)) {
        case 0:
            observations += R"({"resourceType":"Observation","id":"o)" + QByteArray::number(i) +
                            R"(","subject":{"\u0072eference":"Patient/p)" + subject + "\"}}";
            break;
        case 1:
            observations += R"({"resourceType":"Observation","id":"o)" + QByteArray::number(i) +
                            R"(","hasMember":[{"reference":"Observation/o)" +
                            QByteArray::number(random.bounded(1600)) + R"(/_history/1"}]})";
            break;
        case 2:
            observations += "{\"resourceType\":\"Observation\",\n\"id\":\"split\"}";
            break;
        default:
            observations += R"({"resourceType":"Observation","id":"o)" + QByteArray::number(i) +
                            R"(","subject":{"reference":"Patient/p)" + subject + R"("},"note":")" +
                            QByteArray(random.bounded(10, 300), 'n') + "\"}";
        }
        observations += '\n';
    }
    patients += R"({"resourceType":"Patient","id":"last"})"; // no final newline
    const QList<ScanInput> inputs{{write(u"chunks-Patient.ndjson"_s, patients), u"Patient"_s, 1000},
                                  {write(u"chunks-empty.ndjson"_s, {}), {}, -1},
                                  {write(u"chunks-Observation.ndjson"_s, observations), {}, -1}};
    std::atomic_bool cancel{false};
    ScanOptions whole = options();
    whole.maxLineBytes = 3000;
    whole.threads = 1;
    whole.chunkBytes = qint64(1) << 40;
    const ScanResult expected = ResourceScan::scan(inputs, whole, cancel);
    QVERIFY2(expected.error.isEmpty(), qPrintable(expected.error));
    QSet<C> classes;
    for (const Problem &p : expected.problems)
        classes.insert(p.kind);
    QCOMPARE(classes.size(), 7); // every class, in a file cut into many chunks below
    const QByteArray expectedJson = QJsonDocument(expected.toJson()).toJson();
    for (const auto &[threads, chunkBytes, stream] : {std::tuple{1, 4096, true},
                                                      {4, 7, true},
                                                      {2, 97, true},
                                                      {3, 4096, false},
                                                      {4, 65536, true},
                                                      {2, 1 << 20, true}}) {
        ScanOptions o = whole;
        o.threads = threads;
        o.chunkBytes = chunkBytes;
        o.streamParse = stream;
        QList<QPair<qint64, qint64>> calls;
        const ScanResult r = ResourceScan::scan(inputs, o, cancel, [&](qint64 done, qint64 total) {
            calls.append({done, total});
        });
        const QByteArray got = QJsonDocument(r.toJson()).toJson();
        QVERIFY2(got == expectedJson,
                 qPrintable(u"%1 threads, chunks of %2 bytes"_s.arg(threads).arg(chunkBytes)));
        QVERIFY(!calls.isEmpty());
        QCOMPARE(calls.last().first, calls.last().second);
        for (qsizetype i = 1; i < calls.size(); ++i)
            QVERIFY(calls[i].first >= calls[i - 1].first);
    }
}

#include "tst_ResourceScan.moc"
