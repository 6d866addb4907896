// GzipInflater: gzip and zlib bodies split anywhere, concatenated members, truncation, corruption.

#include "export/GzipInflater.h"

#include <QRandomGenerator>
#include <QTest>

#include <zlib.h>

using namespace cohort::bulk;
using namespace Qt::StringLiterals;

namespace {

// windowBits 15 + 16: gzip wrapper; 15: zlib wrapper.
QByteArray compress(const QByteArray &data, int windowBits = 15 + 16)
{
    z_stream zs{};
    if (deflateInit2(&zs, 6, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return {};
    QByteArray out(qsizetype(deflateBound(&zs, uLong(data.size()))), Qt::Uninitialized);
    zs.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.constData()));
    zs.avail_in = uInt(data.size());
    zs.next_out = reinterpret_cast<Bytef *>(out.data());
    zs.avail_out = uInt(out.size());
    const int rc = deflate(&zs, Z_FINISH);
    out.resize(qsizetype(zs.total_out));
    deflateEnd(&zs);
    return rc == Z_STREAM_END ? out : QByteArray();
}

QByteArray sampleNdjson(int lines)
{
    QByteArray data;
    for (int i = 0; i < lines; ++i) {
        data += R"({"resourceType":"Observation","id":")" + QByteArray::number(i) +
                R"(","valueQuantity":{"value":)" + QByteArray::number(i * 7 % 1000) + "}}\n";
    }
    return data;
}

struct Result
{
    bool ok = true;
    QByteArray out;
    bool complete = false;
    QString error;
};

Result inflatePieces(const QByteArray &compressed, const QList<qsizetype> &cuts)
{
    GzipInflater inflater;
    Result r;
    auto sink = [&r](QByteArrayView b) {
        r.out += b;
        return true;
    };
    qsizetype pos = 0;
    QList<qsizetype> all = cuts;
    all.append(compressed.size());
    for (qsizetype cut : all) {
        r.ok = r.ok && inflater.inflate(QByteArrayView(compressed).sliced(pos, cut - pos), sink);
        pos = cut;
    }
    r.complete = inflater.isComplete();
    r.error = inflater.errorString();
    return r;
}

} // namespace

class TestGzipInflater : public QObject
{
    Q_OBJECT

private slots:
    void wholeBody();
    void everySplitOfASmallBody();
    void randomSplitsOfALargeBody();
    void zlibHeaderIsDetected();
    void concatenatedMembers();
    void truncatedIsIncomplete();
    void corruptDataIsAnError();
    void sinkCanStop();
    void reset();
};

void TestGzipInflater::wholeBody()
{
    const QByteArray plain = sampleNdjson(5000);
    const Result r = inflatePieces(compress(plain), {});
    QVERIFY(r.ok);
    QVERIFY(r.complete);
    QCOMPARE(r.out, plain);
}

void TestGzipInflater::everySplitOfASmallBody()
{
    const QByteArray plain = sampleNdjson(20);
    const QByteArray gz = compress(plain);
    for (qsizetype cut = 0; cut <= gz.size(); ++cut) {
        const Result r = inflatePieces(gz, {cut});
        QVERIFY(r.ok);
        QVERIFY(r.complete);
        QCOMPARE(r.out, plain);
    }
    QList<qsizetype> bytewise;
    for (qsizetype i = 1; i < gz.size(); ++i)
        bytewise.append(i);
    const Result r = inflatePieces(gz, bytewise);
    QVERIFY(r.ok && r.complete);
    QCOMPARE(r.out, plain);
}

void TestGzipInflater::randomSplitsOfALargeBody()
{
    const QByteArray plain = sampleNdjson(40000); // several output buffers' worth
    const QByteArray gz = compress(plain);
    QRandomGenerator random(42);
    for (int round = 0; round < 20; ++round) {
        QList<qsizetype> cuts;
        qsizetype pos = 0;
        while (true) {
            pos += 1 + random.bounded(20000);
            if (pos >= gz.size())
                break;
            cuts.append(pos);
        }
        const Result r = inflatePieces(gz, cuts);
        QVERIFY(r.ok && r.complete);
        QCOMPARE(r.out, plain);
    }
}

void TestGzipInflater::zlibHeaderIsDetected()
{
    const QByteArray plain = sampleNdjson(100);
    const Result r = inflatePieces(compress(plain, 15), {7});
    QVERIFY(r.ok && r.complete);
    QCOMPARE(r.out, plain);
}

void TestGzipInflater::concatenatedMembers()
{
    const QByteArray a = sampleNdjson(30);
    const QByteArray b = sampleNdjson(50);
    const QByteArray gz = compress(a) + compress(b);
    for (qsizetype cut = 0; cut <= gz.size(); cut += 3) {
        const Result r = inflatePieces(gz, {cut});
        QVERIFY(r.ok && r.complete);
        QCOMPARE(r.out, a + b);
    }
}

void TestGzipInflater::truncatedIsIncomplete()
{
    const QByteArray plain = sampleNdjson(2000);
    const QByteArray gz = compress(plain);
    const Result r = inflatePieces(gz.left(gz.size() / 2), {});
    QVERIFY(r.ok);
    QVERIFY(!r.complete);
    QVERIFY(r.out.size() > 0);
    QVERIFY(plain.startsWith(r.out));
    // Missing only the 8-byte trailer (CRC, size) is still incomplete.
    QVERIFY(!inflatePieces(gz.chopped(4), {}).complete);
    // Nothing at all is complete: an empty body.
    QVERIFY(inflatePieces({}, {}).complete);
}

void TestGzipInflater::corruptDataIsAnError()
{
    const QByteArray plain = sampleNdjson(2000);
    QByteArray gz = compress(plain);
    // Not compressed at all.
    Result r = inflatePieces(plain, {});
    QVERIFY(!r.ok);
    QVERIFY(!r.complete);
    QVERIFY2(r.error.startsWith("The compressed data is corrupt"_L1), qPrintable(r.error));
    // Damaged in the middle of the deflate data (or, if it happens to decode, the CRC fails).
    for (qsizetype i = 100; i < 140; ++i)
        gz[i] = char(gz[i] ^ 0x5a);
    r = inflatePieces(gz, {50, 120});
    QVERIFY(!r.ok);
    QVERIFY(!r.error.isEmpty());
    // Garbage after a complete member.
    r = inflatePieces(compress(plain) + "garbage!", {});
    QVERIFY(!r.ok);
    QCOMPARE(r.out, plain);
}

void TestGzipInflater::sinkCanStop()
{
    const QByteArray gz = compress(sampleNdjson(40000));
    GzipInflater inflater;
    int calls = 0;
    QVERIFY(!inflater.inflate(gz, [&calls](QByteArrayView) { return ++calls < 2; }));
    QCOMPARE(calls, 2);
    QVERIFY(!inflater.hasError());
}

void TestGzipInflater::reset()
{
    GzipInflater inflater;
    auto ignore = [](QByteArrayView) {
        return true;
    };
    QVERIFY(!inflater.inflate("not gzip at all", ignore));
    QVERIFY(inflater.hasError());
    inflater.reset();
    QByteArray out;
    QVERIFY(inflater.inflate(compress("hello\n"), [&out](QByteArrayView b) {
        out += b;
        return true;
    }));
    QVERIFY(inflater.isComplete());
    QCOMPARE(out, QByteArray("hello\n"));
    QCOMPARE(inflater.totalOut(), qint64(6));
}

QTEST_GUILESS_MAIN(TestGzipInflater)
#include "tst_GzipInflater.moc"
