// TransferRate: smoothing, re-basing and ETA from explicit timestamps (no waiting).

#include "export/TransferRate.h"

#include <QTest>

using namespace cohort::bulk;

class TestTransferRate : public QObject
{
    Q_OBJECT

private slots:
    void steadyRate();
    void etaNeedsTwoSeconds();
    void smoothsSpikes();
    void followsAChangeWithinTheWindow();
    void dropInBytesRebases();
    void stalledTransferHasNoEta();
    void closeSamplesAreMerged();
};

void TestTransferRate::steadyRate()
{
    TransferRate rate;
    for (int t = 0; t <= 10000; t += 500)
        rate.addSample(t, qint64(t) * 1000); // 1 MB/s
    QCOMPARE(qRound(rate.bytesPerSecond()), 1000000);
    QCOMPARE(rate.etaSeconds(5000000), 5);
    QCOMPARE(rate.etaSeconds(5000001), 6); // rounded up
    QCOMPARE(rate.etaSeconds(0), 0);
    QCOMPARE(rate.etaSeconds(-1), -1);
}

void TestTransferRate::etaNeedsTwoSeconds()
{
    TransferRate rate;
    QCOMPARE(rate.etaSeconds(100), -1);
    rate.addSample(1000, 0);
    QCOMPARE(rate.etaSeconds(100), -1);
    rate.addSample(1500, 500);
    QCOMPARE(rate.bytesPerSecond(), 1000.0);
    QCOMPARE(rate.etaSeconds(100), -1);
    rate.addSample(2900, 1900);
    QCOMPARE(rate.etaSeconds(1000), -1);
    rate.addSample(3000, 2000);
    QCOMPARE(rate.observedMs(), qint64(2000));
    QCOMPARE(rate.etaSeconds(1000), 1);
}

void TestTransferRate::smoothsSpikes()
{
    TransferRate rate;
    qint64 bytes = 0;
    for (int t = 0; t <= 10000; t += 500) {
        rate.addSample(t, bytes);
        bytes += 500000; // 1 MB/s
    }
    // One half-second burst at 10 MB/s moves the average by a tenth of the jump, not all of it.
    rate.addSample(10500, bytes + 5000000);
    const double r = rate.bytesPerSecond();
    QVERIFY2(r > 1.5e6 && r < 2.5e6, qPrintable(QString::number(r)));
}

void TestTransferRate::followsAChangeWithinTheWindow()
{
    TransferRate rate(5.0);
    qint64 bytes = 0;
    int t = 0;
    for (; t <= 10000; t += 500, bytes += 500000)
        rate.addSample(t, bytes);
    // Down to 100 kB/s: after one window (5 s) about 63% of the way, after three about 95%.
    for (; t <= 25000; t += 500, bytes += 50000) {
        rate.addSample(t, bytes);
        if (t == 15500) {
            const double r = rate.bytesPerSecond();
            QVERIFY2(r > 300000 && r < 500000, qPrintable(QString::number(r)));
        }
    }
    const double r = rate.bytesPerSecond();
    QVERIFY2(r > 100000 && r < 160000, qPrintable(QString::number(r)));
}

void TestTransferRate::dropInBytesRebases()
{
    TransferRate rate;
    rate.addSample(0, 0);
    rate.addSample(1000, 1000000);
    rate.addSample(2000, 2000000);
    QCOMPARE(qRound(rate.bytesPerSecond()), 1000000);
    rate.addSample(2100, 500000); // a file restarted from zero: not a negative rate
    QCOMPARE(qRound(rate.bytesPerSecond()), 1000000);
    rate.addSample(3000, 1400000); // +900 kB in 1 s since the last counted sample at 2000 ms
    const double r = rate.bytesPerSecond();
    QVERIFY2(r > 900000 && r <= 1000000, qPrintable(QString::number(r)));
}

void TestTransferRate::stalledTransferHasNoEta()
{
    TransferRate rate;
    rate.addSample(0, 0);
    rate.addSample(1000, 1000);
    for (int t = 1500; t <= 120000; t += 500)
        rate.addSample(t, 1000);
    QVERIFY(rate.bytesPerSecond() < 1.0);
    QCOMPARE(rate.etaSeconds(1000), -1);
    rate.reset();
    QCOMPARE(rate.bytesPerSecond(), 0.0);
    QCOMPARE(rate.observedMs(), qint64(0));
}

void TestTransferRate::closeSamplesAreMerged()
{
    TransferRate rate;
    rate.addSample(0, 0);
    for (int t = 1; t < 50; ++t)
        rate.addSample(t, t * 100); // progress signals in a burst
    QCOMPARE(rate.bytesPerSecond(), 0.0);
    rate.addSample(100, 10000);
    QCOMPARE(rate.bytesPerSecond(), 100000.0);
}

QTEST_GUILESS_MAIN(TestTransferRate)
#include "tst_TransferRate.moc"
