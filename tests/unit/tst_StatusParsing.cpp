#include "export/StatusParsing.h"
#include "fhir/FhirDateTime.h"

#include <QTest>

using namespace cohort::bulk;
using namespace Qt::StringLiterals;

class TestStatusParsing : public QObject
{
    Q_OBJECT
private slots:
    void retryAfter_data();
    void retryAfter();
    void xProgress_data();
    void xProgress();
    void backoff();
};

void TestStatusParsing::retryAfter_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<int>("seconds"); // -1: unparseable
    QTest::addColumn<bool>("clamped");
    const QDateTime now(QDate(2026, 3, 1), QTime(12, 0, 0), Qt::UTC);
    auto date = [&](qint64 offset) {
        return cohort::fhir::formatHttpDate(now.addSecs(offset));
    };
    QTest::newRow("seconds") << QByteArray("120") << 120 << false;
    QTest::newRow("spaces") << QByteArray("  5 ") << 5 << false;
    QTest::newRow("zero") << QByteArray("0") << 1 << false;
    QTest::newRow("negative") << QByteArray("-30") << 1 << true;
    QTest::newRow("hours") << QByteArray("7200") << 7200 << false;
    QTest::newRow("days") << QByteArray("864000") << kMaxRetryAfterSeconds << true;
    QTest::newRow("huge") << QByteArray("99999999999999999999999") << kMaxRetryAfterSeconds << true;
    QTest::newRow("date ahead") << date(90) << 90 << false;
    QTest::newRow("date past") << date(-3600) << 1 << true;
    QTest::newRow("date far") << date(30 * 86400) << kMaxRetryAfterSeconds << true;
    QTest::newRow("rfc850") << QByteArray("Sunday, 01-Mar-26 12:01:00 GMT") << 60 << false;
    QTest::newRow("empty") << QByteArray("") << -1 << false;
    QTest::newRow("garbage") << QByteArray("soon") << -1 << false;
    QTest::newRow("decimal") << QByteArray("1.5") << -1 << false;
}

void TestStatusParsing::retryAfter()
{
    QFETCH(QByteArray, header);
    QFETCH(int, seconds);
    QFETCH(bool, clamped);
    const QDateTime now(QDate(2026, 3, 1), QTime(12, 0, 0), Qt::UTC);
    const auto r = parseRetryAfter(header, now);
    if (seconds < 0) {
        QVERIFY(!r.has_value());
        return;
    }
    QVERIFY(r.has_value());
    QCOMPARE(r->seconds, seconds);
    QCOMPARE(r->clamped, clamped);
    QCOMPARE(r->note.isEmpty(), !clamped);
}

void TestStatusParsing::xProgress_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<int>("percent");
    QTest::addColumn<QString>("text");
    QTest::newRow("demo") << QByteArray("45% complete") << 45 << u"45% complete"_s;
    QTest::newRow("decimal") << QByteArray("Processing: 12.5 %") << 12 << u"Processing: 12.5 %"_s;
    QTest::newRow("comma") << QByteArray("99,9%") << 99 << u"99,9%"_s;
    QTest::newRow("hundred") << QByteArray("100%") << 100 << u"100%"_s;
    QTest::newRow("no number") << QByteArray("Processing resources") << -1
                               << u"Processing resources"_s;
    QTest::newRow("fraction words") << QByteArray("3 of 7 types") << -1 << u"3 of 7 types"_s;
    QTest::newRow("over 100") << QByteArray("250% done") << -1 << u"250% done"_s;
    QTest::newRow("empty") << QByteArray() << -1 << QString();
    QTest::newRow("padded") << QByteArray("  in queue  ") << -1 << u"in queue"_s;
}

void TestStatusParsing::xProgress()
{
    QFETCH(QByteArray, header);
    QFETCH(int, percent);
    QFETCH(QString, text);
    const ServerProgress p = parseXProgress(header);
    QCOMPARE(p.percent, percent);
    QCOMPARE(p.text, text);
    QVERIFY(parseXProgress(QByteArray(500, 'x')).text.size() == 200);
}

void TestStatusParsing::backoff()
{
    Backoff b(60);
    QList<int> seen;
    for (int i = 0; i < 9; ++i)
        seen.append(b.next());
    QCOMPARE(seen, (QList<int>{1, 2, 4, 8, 16, 32, 60, 60, 60}));
    b.reset();
    QCOMPARE(b.next(), 1);
    Backoff many(60);
    for (int i = 0; i < 100; ++i)
        QVERIFY(many.next() <= 60);
}

QTEST_APPLESS_MAIN(TestStatusParsing)
#include "tst_StatusParsing.moc"
