// NdjsonIndex: line boundaries on awkward input, types, > 4 GiB offsets, progress and cancel.

#include "WorkerPool.h"
#include "review/NdjsonIndex.h"

#include <QFile>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThreadPool>

#ifdef Q_OS_UNIX
#include <sys/stat.h>
#endif

using namespace Qt::StringLiterals;
using cohort::review::NdjsonIndex;

namespace {

QByteArray patient(int i)
{
    return "{\"resourceType\":\"Patient\",\"id\":\"p" + QByteArray::number(i) + "\"}";
}

// Many short lines, for the progressive and cancel tests.
QByteArray manyLines(qint64 bytes)
{
    QByteArray data;
    data.reserve(bytes + 100);
    int i = 0;
    while (data.size() < bytes)
        data += patient(i++) + '\n';
    return data;
}

} // namespace

class TestNdjsonIndex : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    int m_serial = 0;

    QString write(const QByteArray &data)
    {
        const QString path = m_dir.filePath(u"f%1.ndjson"_s.arg(++m_serial));
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly) || f.write(data) != data.size())
            qFatal("cannot write %s", qPrintable(path));
        return path;
    }
    static bool index(NdjsonIndex &index)
    {
        QSignalSpy finished(&index, &NdjsonIndex::finished);
        index.start();
        return finished.wait(60000);
    }
    // Every line's bytes, as split by hand.
    static void checkLines(const NdjsonIndex &index, const QList<QByteArray> &expected)
    {
        QCOMPARE(index.lineCount(), qint64(expected.size()));
        for (qsizetype i = 0; i < expected.size(); ++i) {
            QString error;
            QCOMPARE(index.readLine(i, &error), expected.at(i));
            QVERIFY2(error.isEmpty(), qPrintable(error));
            QCOMPARE(index.lineRange(i).length, qint64(expected.at(i).size()));
        }
        QCOMPARE(index.lineRange(expected.size()).offset, -1);
        QCOMPARE(index.lineRange(-1).offset, -1);
    }

private slots:
    void emptyFile();
    void oneLine();
    void noFinalNewline();
    void crlfAndEmptyLines();
    void typesAndSlowPath();
    void veryLongLines();
    void invalidUtf8AndBinary();
    void changedWhileOpen();
    void leavesGlobalPoolFree();
    void beyondFourGiB();
    void progressive();
    void cancel();
};

void TestNdjsonIndex::emptyFile()
{
    NdjsonIndex idx(write({}));
    QVERIFY(index(idx));
    QCOMPARE(idx.lineCount(), 0);
    QVERIFY(idx.errorString().isEmpty());
    QString error;
    QVERIFY(idx.readLine(0, &error).isEmpty());
    QVERIFY(!error.isEmpty());
}

void TestNdjsonIndex::oneLine()
{
    NdjsonIndex idx(write(patient(1) + '\n'));
    QVERIFY(index(idx));
    checkLines(idx, {patient(1)});
    QCOMPARE(idx.lineRange(0).offset, 0);
    QCOMPARE(idx.typeOf(0), u"Patient"_s);
    QCOMPARE(idx.typeIdOf(0), quint8(NdjsonIndex::FirstTableType));
}

void TestNdjsonIndex::noFinalNewline()
{
    NdjsonIndex idx(write(patient(1) + '\n' + patient(2)));
    QVERIFY(index(idx));
    checkLines(idx, {patient(1), patient(2)});
    QCOMPARE(idx.lineRange(1).offset, qint64(patient(1).size() + 1));
    QCOMPARE(idx.typeOf(1), u"Patient"_s);
}

void TestNdjsonIndex::crlfAndEmptyLines()
{
    // Empty lines stay in the index (typed EmptyLine) so numbers match an editor's.
    NdjsonIndex idx(write(patient(1) + "\r\n\r\n\n" + patient(2) + "\r\n" + patient(3) + "\r"));
    QVERIFY(index(idx));
    checkLines(idx, {patient(1), {}, {}, patient(2), patient(3)});
    QCOMPARE(idx.typeIdOf(1), quint8(NdjsonIndex::EmptyLine));
    QCOMPARE(idx.typeIdOf(2), quint8(NdjsonIndex::EmptyLine));
    QCOMPARE(idx.typeOf(3), u"Patient"_s);
    QCOMPARE(idx.lineRange(3).offset, qint64(patient(1).size() + 5));
}

void TestNdjsonIndex::typesAndSlowPath()
{
    const QList<QByteArray> lines{
        patient(1),
        R"({"resourceType":"Observation","id":"o1"})",
        R"({ "id":"c1", "resourceType" : "Condition"})", // not the usual start: simdjson
        R"({"id":"x"})",                                 // no resourceType
        R"({"resourceType":"Observation")",              // cheap check is enough, by design
        R"(["resourceType"])",
        R"({"resourceType":17})",
    };
    NdjsonIndex idx(write(lines.join('\n') + '\n'));
    QVERIFY(index(idx));
    checkLines(idx, lines);
    QCOMPARE(idx.typeOf(0), u"Patient"_s);
    QCOMPARE(idx.typeOf(1), u"Observation"_s);
    QCOMPARE(idx.typeOf(2), u"Condition"_s);
    QCOMPARE(idx.typeIdOf(3), quint8(NdjsonIndex::NotAResource));
    QCOMPARE(idx.typeOf(4), u"Observation"_s);
    QCOMPARE(idx.typeIdOf(5), quint8(NdjsonIndex::NotAResource));
    QCOMPARE(idx.typeIdOf(6), quint8(NdjsonIndex::NotAResource));
    QCOMPARE(idx.typeTable(), (QStringList{u"Patient"_s, u"Observation"_s, u"Condition"_s}));
}

void TestNdjsonIndex::veryLongLines()
{
    // Lines far larger than a read block, one of them needing the slow type path.
    const QByteArray big =
        "{\"resourceType\":\"Binary\",\"data\":\"" + QByteArray(5 << 20, 'A') + "\"}";
    const QByteArray odd =
        "{\"data\":\"" + QByteArray(3 << 20, 'B') + "\",\"resourceType\":\"DocumentReference\"}";
    const QList<QByteArray> lines{patient(1), big, odd, patient(2), big};
    NdjsonIndex idx(write(lines.join("\r\n")));
    QVERIFY(index(idx));
    checkLines(idx, lines);
    QCOMPARE(idx.typeOf(1), u"Binary"_s);
    QCOMPARE(idx.typeOf(2), u"DocumentReference"_s);
    QCOMPARE(idx.typeOf(3), u"Patient"_s);
    QCOMPARE(idx.typeOf(4), u"Binary"_s);
}

void TestNdjsonIndex::invalidUtf8AndBinary()
{
    QByteArray garbage(256 * 1024, Qt::Uninitialized);
    auto *rng = QRandomGenerator::global();
    for (char &c : garbage)
        c = char(rng->bounded(256));
    const QList<QByteArray> lines{"{\"resourceType\":\"Pat\xff\xfe\"}", "\xc3\x28\xa0\xa1",
                                  QByteArray("\0\0\0", 3), patient(1)};
    const QByteArray data = lines.join('\n') + '\n' + garbage;
    NdjsonIndex idx(write(data));
    QVERIFY(index(idx));
    const QList<QByteArray> expectedAll = [&] {
        QList<QByteArray> all = data.split('\n');
        if (all.last().isEmpty())
            all.removeLast();
        for (QByteArray &l : all) {
            if (l.endsWith('\r'))
                l.chop(1);
        }
        return all;
    }();
    checkLines(idx, expectedAll);
    QCOMPARE(idx.typeIdOf(0), quint8(NdjsonIndex::NotAResource));
    QCOMPARE(idx.typeIdOf(1), quint8(NdjsonIndex::NotAResource));
    QCOMPARE(idx.typeIdOf(2), quint8(NdjsonIndex::NotAResource));
    QCOMPARE(idx.typeOf(3), u"Patient"_s);
}

void TestNdjsonIndex::changedWhileOpen()
{
    const QString path = write(manyLines(64 << 20));
    NdjsonIndex idx(path);
    QSignalSpy changed(&idx, &NdjsonIndex::fileChanged);
    QSignalSpy finished(&idx, &NdjsonIndex::finished);
    idx.start();
    // Whether the worker is still indexing when the file changes is up to the scheduler; the
    // change must be noticed either way, and reported as an error when it happened mid-index.
    const bool midIndex = idx.isRunning();
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::Append));
        f.write(patient(-1) + '\n');
    }
    QVERIFY(finished.count() == 1 || finished.wait(60000));
    QVERIFY(idx.hasChanged());
    if (!midIndex || (changed.isEmpty() && idx.errorString().isEmpty()))
        QSKIP("the worker had already read the whole file when it changed");
    QTRY_COMPARE(changed.size(), 1);
    QVERIFY(idx.errorString().contains("changed"_L1));
}

void TestNdjsonIndex::beyondFourGiB()
{
#ifdef Q_OS_UNIX
    const qint64 hole = (qint64(5) << 30);
    const QString path = m_dir.filePath(u"sparse.ndjson"_s);
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(patient(1) + '\n' + patient(2) + '\n');
    if (!f.resize(hole))
        QSKIP("the filesystem refuses a 5 GiB file");
    f.close();
    struct stat st
    {
    };
    if (::stat(QFile::encodeName(path).constData(), &st) != 0 ||
        qint64(st.st_blocks) * 512 > (64 << 20)) {
        QFile::remove(path);
        QSKIP("the filesystem does not keep sparse files sparse");
    }
    QVERIFY(f.open(QIODevice::ReadWrite));
    QVERIFY(f.seek(hole));
    f.write("\n" + patient(3) + "\r\n" + patient(4));
    f.close();

    NdjsonIndex idx(path);
    QVERIFY(index(idx));
    QVERIFY2(idx.errorString().isEmpty(), qPrintable(idx.errorString()));
    QCOMPARE(idx.lineCount(), 5);
    const qint64 holeStart = 2 * (patient(1).size() + 1);
    QCOMPARE(idx.lineRange(2).offset, holeStart);
    QCOMPARE(idx.lineRange(2).length, hole - holeStart); // one line of NULs, > 4 GiB
    QCOMPARE(idx.typeIdOf(2), quint8(NdjsonIndex::NotAResource));
    QCOMPARE(idx.lineRange(3).offset, hole + 1);
    QCOMPARE(idx.lineRange(4).offset, hole + 1 + patient(3).size() + 2);
    QCOMPARE(idx.readLine(3), patient(3));
    QCOMPARE(idx.readLine(4), patient(4));
    QCOMPARE(idx.typeOf(4), u"Patient"_s);
    QFile::remove(path);
#else
    QSKIP("sparse files are checked on Unix only");
#endif
}

void TestNdjsonIndex::progressive()
{
    const QByteArray data = manyLines(48 << 20);
    const qint64 lines = data.count('\n');
    NdjsonIndex idx(write(data));
    QSignalSpy available(&idx, &NdjsonIndex::linesAvailable);
    QSignalSpy progress(&idx, &NdjsonIndex::progress);
    QSignalSpy finished(&idx, &NdjsonIndex::finished);
    idx.start();
    QVERIFY(available.wait(10000));
    const qint64 first = available.first().at(0).toLongLong();
    QVERIFY(first > 0);
    // Rows are browsable while indexing goes on.
    QCOMPARE(idx.readLine(0), patient(0));
    QVERIFY(finished.wait(60000) || finished.size() == 1);
    QCOMPARE(available.last().at(0).toLongLong(), lines);
    QCOMPARE(idx.lineCount(), lines);
    QCOMPARE(progress.last().at(0).toLongLong(), qint64(data.size()));
    QCOMPARE(progress.last().at(1).toLongLong(), qint64(data.size()));
    for (const auto &args : progress)
        QVERIFY(args.at(0).toLongLong() <= args.at(1).toLongLong());
    // 5 bytes a line plus chunk overhead.
    QVERIFY2(idx.indexBytes() <= 9 * lines, qPrintable(QString::number(idx.indexBytes())));
    QCOMPARE(idx.readLine(lines - 1),
             data.sliced(data.lastIndexOf('\n', data.size() - 2) + 1).chopped(1));
}

void TestNdjsonIndex::cancel()
{
    const QByteArray data = manyLines(96 << 20);
    NdjsonIndex idx(write(data));
    QSignalSpy finished(&idx, &NdjsonIndex::finished);
    idx.start();
    idx.cancel();
    QVERIFY(finished.wait(60000) || finished.size() == 1);
    QVERIFY(idx.wasCancelled());
    QVERIFY(idx.lineCount() < data.count('\n'));
    QVERIFY(idx.bytesIndexed() < data.size());
}


// Qt's raster painter hands parts of large fills to QThreadPool::globalInstance() and waits for
// them: a long index there froze the review window's painting for seconds.
void TestNdjsonIndex::leavesGlobalPoolFree()
{
    NdjsonIndex idx(write(manyLines(32 << 20)));
    QSignalSpy finished(&idx, &NdjsonIndex::finished);
    idx.start();
    QCOMPARE(QThreadPool::globalInstance()->activeThreadCount(), 0);
    QCOMPARE(cohort::workerPool()->activeThreadCount(), 1);
    QVERIFY(finished.wait(60000));
}

QTEST_GUILESS_MAIN(TestNdjsonIndex)
#include "tst_NdjsonIndex.moc"
