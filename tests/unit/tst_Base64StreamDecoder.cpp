// Base64StreamDecoder: every split offset, whitespace, padding rules, invalid characters.

#include "export/Base64StreamDecoder.h"

#include <QTest>

using namespace cohort::bulk;
using namespace Qt::StringLiterals;

namespace {

struct Decoded
{
    bool ok = false;
    QByteArray out;
    QString error;
};

Decoded decode(const QByteArray &text, const QList<qsizetype> &cuts = {})
{
    Base64StreamDecoder decoder;
    Decoded d;
    d.ok = true;
    qsizetype pos = 0;
    QList<qsizetype> all = cuts;
    all.append(text.size());
    for (qsizetype cut : all) {
        d.ok = d.ok && decoder.decode(QByteArrayView(text).sliced(pos, cut - pos), &d.out);
        pos = cut;
    }
    d.ok = d.ok && decoder.finish(&d.out);
    d.error = decoder.errorString();
    return d;
}

QByteArray sample(int size)
{
    QByteArray data(size, Qt::Uninitialized);
    for (int i = 0; i < size; ++i)
        data[i] = char((i * 37 + 11) & 0xff);
    return data;
}

} // namespace

class TestBase64StreamDecoder : public QObject
{
    Q_OBJECT

private slots:
    void matchesQt_data();
    void matchesQt();
    void everySplitOffset();
    void whitespaceIsSkipped();
    void unpaddedAndUrlSafe();
    void invalid_data();
    void invalid();
};

void TestBase64StreamDecoder::matchesQt_data()
{
    QTest::addColumn<QByteArray>("data");
    for (int size : {0, 1, 2, 3, 4, 5, 6, 7, 100, 1000, 65537})
        QTest::addRow("%d bytes", size) << sample(size);
}

void TestBase64StreamDecoder::matchesQt()
{
    QFETCH(QByteArray, data);
    const Decoded d = decode(data.toBase64());
    QVERIFY2(d.ok, qPrintable(d.error));
    QCOMPARE(d.out, data);
}

void TestBase64StreamDecoder::everySplitOffset()
{
    for (int size : {1, 2, 3, 10, 11, 12}) {
        const QByteArray data = sample(size);
        const QByteArray text = data.toBase64();
        for (qsizetype a = 0; a <= text.size(); ++a) {
            for (qsizetype b = a; b <= text.size(); ++b) {
                const Decoded d = decode(text, {a, b});
                QVERIFY2(d.ok, qPrintable(d.error));
                QCOMPARE(d.out, data);
            }
        }
    }
}

void TestBase64StreamDecoder::whitespaceIsSkipped()
{
    const QByteArray data = sample(200);
    QByteArray text;
    const QByteArray plain = data.toBase64();
    for (qsizetype i = 0; i < plain.size(); ++i) {
        text += plain[i];
        if (i % 76 == 75)
            text += "\r\n";
        if (i % 13 == 0)
            text += ' ';
    }
    text += "\n\t ";
    for (qsizetype cut = 0; cut <= text.size(); cut += 5) {
        const Decoded d = decode(text, {cut});
        QVERIFY2(d.ok, qPrintable(d.error));
        QCOMPARE(d.out, data);
    }
    QCOMPARE(decode("TW E=\n").out, QByteArray("Ma"));
}

void TestBase64StreamDecoder::unpaddedAndUrlSafe()
{
    const QByteArray data = sample(301);
    const auto options = QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals;
    const Decoded d = decode(data.toBase64(options), {17});
    QVERIFY2(d.ok, qPrintable(d.error));
    QCOMPARE(d.out, data);
    QCOMPARE(decode("TQ").out, QByteArray("M"));
    QCOMPARE(decode("TWE").out, QByteArray("Ma"));
}

void TestBase64StreamDecoder::invalid_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("error");
    QTest::newRow("bad char") << QByteArray("TWFu*WFu")
                              << u"invalid character (code 42) at position 4"_s;
    QTest::newRow("non-ASCII") << QByteArray("TWF\xc3\xa9")
                               << u"invalid character (code 195) at position 3"_s;
    QTest::newRow("quote") << QByteArray("TW\"E=") << u"invalid character (code 34)"_s;
    QTest::newRow("data after padding")
        << QByteArray("TQ==TWFu") << u"continues after its final padding"_s;
    QTest::newRow("padding too early") << QByteArray("T===") << u"misplaced padding"_s;
    QTest::newRow("padding at start") << QByteArray("=TWF") << u"misplaced padding"_s;
    QTest::newRow("lone char") << QByteArray("TWFuT") << u"lone character"_s;
    QTest::newRow("half padding") << QByteArray("TQ=") << u"incomplete padding"_s;
    QTest::newRow("too much padding")
        << QByteArray("TQ===") << u"continues after its final padding"_s;
}

void TestBase64StreamDecoder::invalid()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, error);
    for (qsizetype cut = 0; cut <= text.size(); ++cut) {
        const Decoded d = decode(text, {cut});
        QVERIFY(!d.ok);
        QVERIFY2(d.error.contains(error), qPrintable(d.error));
    }
}

QTEST_GUILESS_MAIN(TestBase64StreamDecoder)
#include "tst_Base64StreamDecoder.moc"
