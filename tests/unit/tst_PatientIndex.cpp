// PatientIndex over files on disk: which lines belong to which patient, exact places, names,
// CRLF and a missing final newline, a line too long for a packed length, cancel and restart.
#include "review/PatientIndex.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace cohort::review;
using namespace Qt::StringLiterals;

class TestPatientIndex : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    QString write(const QString &name, const QByteArray &data)
    {
        const QString path = m_dir.filePath(name);
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly) || f.write(data) != data.size())
            qFatal("cannot write %s", qPrintable(path));
        return path;
    }
    static bool build(PatientIndex &index, const QStringList &files)
    {
        QSignalSpy finished(&index, &PatientIndex::finished);
        index.start(files);
        // finished() comes from the worker thread and may come before wait() begins.
        return (!finished.isEmpty() || finished.wait(60000)) && index.isFinished();
    }

private slots:
    void locationsAcrossFiles();
    void lineLongerThanAPackedLength();
};

void TestPatientIndex::locationsAcrossFiles()
{
    const QByteArray p1 = R"({"resourceType":"Patient","id":"p1","name":[{"given":["Ada"],"family":"Lovelace"}]})";
    const QByteArray p2 = R"({"resourceType":"Patient","id":"p2","name":[{"text":"Alan Turing"}],"link":[{"other":{"reference":"Patient/p1"}}]})";
    const QByteArray o1 = R"({"resourceType":"Observation","id":"o1","subject":{"reference":"Patient/p2"}})";
    const QByteArray o2 = R"({"resourceType":"Observation","id":"o2","subject":{"reference":"Patient/p3"},"performer":[{"reference":"Practitioner/d"}]})";
    const QByteArray o3 = R"({"resourceType":"Observation","id":"o3","subject":{"reference":"https://x.example/fhir/Patient/p1"}})";
    const QString patients = write(u"Patient.ndjson"_s, p1 + "\r\n" + p2 + "\r\n");
    const QString observations = write(u"Observation.ndjson"_s, o1 + "\n\n" + o2 + '\n' + o3); // no final newline
    PatientIndex index;
    QVERIFY(build(index, {patients, observations}));

    const auto list = index.patients();
    QCOMPARE(list.size(), 3);
    QCOMPARE(list[0].id, u"p1"_s);
    QCOMPARE(list[0].name, u"Ada Lovelace"_s);
    QCOMPARE(list[1].name, u"Alan Turing"_s);
    QCOMPARE(list[2].id, u"p3"_s); // referenced only: no name
    QVERIFY(list[2].name.isEmpty());

    // p1: itself, p2's link, and o3's absolute reference.
    const auto p1At = index.locations(u"p1"_s);
    QCOMPARE(p1At.size(), 3);
    QCOMPARE(p1At[0].file, 0);
    QCOMPARE(p1At[0].line, 0);
    QCOMPARE(p1At[0].offset, 0);
    QCOMPARE(p1At[0].length, p1.size()); // without the \r
    QCOMPARE(p1At[1].line, 1);
    QCOMPARE(p1At[1].offset, p1.size() + 2);
    QCOMPARE(index.read(p1At[1]), p2);
    QCOMPARE(p1At[2].file, 1);
    QCOMPARE(p1At[2].line, 3); // after o1, an empty line and o2
    QCOMPARE(index.read(p1At[2]), o3);
    QCOMPARE(index.read(p1At), (QList<QByteArray>{p1, p2, o3})); // each file opened once
    QCOMPARE(index.locations(u"p2"_s).size(), 2);
    QCOMPARE(index.read(index.locations(u"p3"_s).value(0)), o2);
    QVERIFY(index.locations(u"d"_s).isEmpty());
    QVERIFY(index.locations(u"nobody"_s).isEmpty());

    QCOMPARE(index.find(u"love"_s).size(), 1); // by name, any case
    QCOMPARE(index.find(u"P"_s).size(), 3);    // by id
    QCOMPARE(index.find(u""_s, 2).size(), 2);  // the limit

    // Restarting over other files forgets the first ones.
    QVERIFY(build(index, {observations}));
    QCOMPARE(index.patients().size(), 3);
    QCOMPARE(index.locations(u"p1"_s).size(), 1);
    QCOMPARE(index.locations(u"p1"_s).first().file, 0);
}

// A location keeps 24 bits of length; a longer line is read up to its newline.
void TestPatientIndex::lineLongerThanAPackedLength()
{
    const QByteArray first = R"({"resourceType":"Observation","id":"a","subject":{"reference":"Patient/p1"}})";
    const QByteArray longLine = R"({"resourceType":"Observation","id":"big","subject":{"reference":"Patient/p1"},"note":")" +
                                QByteArray(17 << 20, 'x') + "\"}";
    const QString path = write(u"Long.ndjson"_s, first + '\n' + longLine + "\r\n" + first + '\n');
    PatientIndex index;
    QVERIFY(build(index, {path}));
    const auto at = index.locations(u"p1"_s);
    QCOMPARE(at.size(), 3);
    QCOMPARE(at[1].length, -1);
    QCOMPARE(index.read(at[1]), longLine);
    QCOMPARE(index.read(at[2]), first);
    QCOMPARE(at[2].offset, first.size() + 1 + longLine.size() + 2);
}

QTEST_GUILESS_MAIN(TestPatientIndex)
#include "tst_PatientIndex.moc"
