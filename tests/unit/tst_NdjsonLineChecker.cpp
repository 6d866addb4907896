// NdjsonLineChecker: exact line numbers and counts, fed whole and split at every offset.

#include "export/NdjsonLineChecker.h"

#include <QTest>

using namespace cohort::bulk;
using namespace Qt::StringLiterals;

namespace {

struct Outcome
{
    qint64 lines = 0;
    qint64 problemCount = 0;
    QList<qint64> problemLines;
    QStringList messages;
    qint64 completeBytes = 0;
};

Outcome run(const QByteArray &data, const QList<qsizetype> &cuts = {}, qint64 maxLine = 1024,
            const QString &type = u"Observation"_s)
{
    NdjsonLineChecker checker(type, u"Observation.002.ndjson"_s, maxLine);
    qsizetype pos = 0;
    for (qsizetype cut : cuts) {
        checker.feed(QByteArrayView(data).sliced(pos, cut - pos));
        pos = cut;
    }
    checker.feed(QByteArrayView(data).sliced(pos));
    Outcome o;
    o.completeBytes = checker.completeBytes();
    checker.finish();
    o.lines = checker.lines();
    o.problemCount = checker.problemCount();
    for (const LineProblem &p : checker.problems()) {
        o.problemLines.append(p.line);
        o.messages.append(p.message);
    }
    return o;
}

const QByteArray kGood = R"({"resourceType":"Observation","id":"1","status":"final"})";

} // namespace

class TestNdjsonLineChecker : public QObject
{
    Q_OBJECT

private slots:
    void cases_data();
    void cases();
    void everySplitGivesTheSameAnswer_data() { cases_data(); }
    void everySplitGivesTheSameAnswer();
    void messages();
    void overlongLineIsNotKeptInMemory();
    void problemsAreCappedButCounted();
    void countCheck();
    void discardPartialLine();
};

void TestNdjsonLineChecker::cases_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<qint64>("lines");
    QTest::addColumn<QList<qint64>>("problemLines");

    const QByteArray g = kGood + '\n';
    QTest::newRow("clean") << g + g + g << qint64(3) << QList<qint64>{};
    QTest::newRow("empty") << QByteArray() << qint64(0) << QList<qint64>{};
    QTest::newRow("not JSON") << g + "this is not json\n" + g << qint64(3) << QList<qint64>{2};
    QTest::newRow("truncated object") << g + g + R"({"resourceType":"Observation","id":)" + '\n'
                                      << qint64(3) << QList<qint64>{3};
    QTest::newRow("array") << g + R"([{"resourceType":"Observation"}])" + '\n'
                           << qint64(2) << QList<qint64>{2};
    QTest::newRow("wrong type") << R"({"resourceType":"Patient","id":"p"})" + QByteArray("\n") + g
                                << qint64(2) << QList<qint64>{1};
    QTest::newRow("prefix of another type")
        << R"({"resourceType":"ObservationDefinition","id":"x"})" + QByteArray("\n") << qint64(1)
        << QList<qint64>{1};
    QTest::newRow("missing type") << g + R"({"id":"x","status":"final"})" + '\n'
                                  << qint64(2) << QList<qint64>{2};
    QTest::newRow("type not first, spaced") // valid, found by the full parse
        << R"({ "id": "x", "resourceType" : "Observation" })" + QByteArray("\n") + g << qint64(2)
        << QList<qint64>{};
    QTest::newRow("CRLF") << kGood + "\r\n" + kGood + "\r\n" << qint64(2) << QList<qint64>{};
    QTest::newRow("no final newline") << g + kGood << qint64(2) << QList<qint64>{};
    QTest::newRow("bad last line without newline") << g + "{oops" << qint64(2) << QList<qint64>{2};
    QTest::newRow("blank lines") << "\n" + g + "\n  \r\n" + g + "\r\n" + "bad\n"
                                 << qint64(3) << QList<qint64>{7};
    QTest::newRow("invalid UTF-8")
        << g + R"({"resourceType":"Observation","note":")" + QByteArray("\xff\xfe") + "\"}\n" + g
        << qint64(3) << QList<qint64>{2};
    QTest::newRow("overlong") << g + '{' + QByteArray(2000, 'x') + "}\n" + g << qint64(3)
                              << QList<qint64>{2};
    QTest::newRow("overlong last line")
        << g + QByteArray(1500, 'y') << qint64(2) << QList<qint64>{2};
}

void TestNdjsonLineChecker::cases()
{
    QFETCH(QByteArray, data);
    QFETCH(qint64, lines);
    QFETCH(QList<qint64>, problemLines);
    const Outcome o = run(data);
    QCOMPARE(o.lines, lines);
    QCOMPARE(o.problemLines, problemLines);
    QCOMPARE(o.problemCount, qint64(problemLines.size()));
}

void TestNdjsonLineChecker::everySplitGivesTheSameAnswer()
{
    QFETCH(QByteArray, data);
    QFETCH(qint64, lines);
    QFETCH(QList<qint64>, problemLines);
    const Outcome whole = run(data);
    for (qsizetype cut = 0; cut <= data.size(); ++cut) {
        const Outcome o = run(data, {cut});
        QCOMPARE(o.lines, lines);
        QCOMPARE(o.problemLines, problemLines);
        QCOMPARE(o.messages, whole.messages);
        QCOMPARE(o.completeBytes, whole.completeBytes);
    }
    // Byte by byte.
    QList<qsizetype> cuts;
    for (qsizetype i = 1; i < data.size(); ++i)
        cuts.append(i);
    const Outcome o = run(data, cuts);
    QCOMPARE(o.lines, lines);
    QCOMPARE(o.messages, whole.messages);
}

void TestNdjsonLineChecker::messages()
{
    const QByteArray g = kGood + '\n';
    QByteArray data = g;
    data += "nope\n";  // 2
    data += "[1,2]\n"; // 3
    data += R"({"resourceType":"Patient"})"
            "\n"; // 4
    data += R"({"id":"x"})"
            "\n";                                                                    // 5
    data += '{' + QByteArray(2000, 'x') + "}\n";                                     // 6
    data += R"({"resourceType":"Observation","a":")" + QByteArray("\xc3") + "\"}\n"; // 7
    data += R"({"resourceType":7})"
            "\n"; // 8
    const Outcome o = run(data);
    QCOMPARE(o.problemLines, (QList<qint64>{2, 3, 4, 5, 6, 7, 8}));
    QVERIFY2(o.messages[0].startsWith("Observation.002.ndjson: line 2 is not JSON: "_L1),
             qPrintable(o.messages[0]));
    QCOMPARE(o.messages[1], u"Observation.002.ndjson: line 3 is a JSON array, not an object."_s);
    QCOMPARE(o.messages[2], u"Observation.002.ndjson: line 4 is a Patient, not a Observation."_s);
    QCOMPARE(o.messages[3],
             u"Observation.002.ndjson: line 5 has no resourceType (expected Observation)."_s);
    QCOMPARE(o.messages[4], u"Observation.002.ndjson: line 6 is 2002 bytes long, over the limit "
                            "of 1024 bytes; it was not checked."_s);
    QCOMPARE(o.messages[5], u"Observation.002.ndjson: line 7 is not valid UTF-8."_s);
    QCOMPARE(o.messages[6],
             u"Observation.002.ndjson: line 8 has a resourceType that is not a string."_s);
}

void TestNdjsonLineChecker::overlongLineIsNotKeptInMemory()
{
    // 64 MiB of one line fed in pieces; the checker must not hold it (we can only observe
    // the outcome here; the bound is in the code: at most maxLineBytes are kept).
    NdjsonLineChecker checker(u"Observation"_s, u"f"_s, 4096);
    const QByteArray piece(1 << 20, 'z');
    checker.feed(kGood + '\n');
    for (int i = 0; i < 64; ++i)
        checker.feed(piece);
    checker.feed("\n" + kGood + '\n');
    checker.finish();
    QCOMPARE(checker.lines(), qint64(3));
    QCOMPARE(checker.problemCount(), qint64(1));
    QCOMPARE(checker.problems().first().line, qint64(2));
}

void TestNdjsonLineChecker::problemsAreCappedButCounted()
{
    NdjsonLineChecker checker(u"Observation"_s, u"f"_s);
    for (int i = 0; i < 250; ++i)
        checker.feed("x\n");
    checker.finish();
    QCOMPARE(checker.lines(), qint64(250));
    QCOMPARE(checker.problemCount(), qint64(250));
    QCOMPARE(checker.problems().size(), NdjsonLineChecker::kMaxKeptProblems);
    QCOMPARE(checker.problems().last().line, qint64(100));
}

void TestNdjsonLineChecker::countCheck()
{
    NdjsonLineChecker checker(u"Observation"_s, u"Observation.001.ndjson"_s);
    checker.feed(kGood + '\n' + kGood + '\n');
    checker.finish();
    checker.checkCount(2);
    QCOMPARE(checker.problemCount(), qint64(0));
    checker.checkCount(-1);
    QCOMPARE(checker.problemCount(), qint64(0));
    checker.checkCount(3);
    QCOMPARE(checker.problemCount(), qint64(1));
    QCOMPARE(checker.problems().first().line, qint64(0));
    QCOMPARE(checker.problems().first().message,
             u"Observation.001.ndjson: the file has 2 resources, but the manifest announced 3."_s);
}

void TestNdjsonLineChecker::discardPartialLine()
{
    NdjsonLineChecker checker(u"Observation"_s, u"f"_s);
    const QByteArray first = kGood + '\n';
    checker.feed(first + R"({"resourceType":"Obs)");
    QCOMPARE(checker.completeBytes(), qint64(first.size()));
    QCOMPARE(checker.bytes(), qint64(first.size() + 20));
    checker.discardPartialLine();
    QCOMPARE(checker.bytes(), qint64(first.size()));
    // The continuation starts the line again from its first byte.
    checker.feed(first + first);
    checker.finish();
    QCOMPARE(checker.lines(), qint64(3));
    QCOMPARE(checker.problemCount(), qint64(0));
    QCOMPARE(checker.completeBytes(), qint64(3 * first.size()));
}

QTEST_GUILESS_MAIN(TestNdjsonLineChecker)
#include "tst_NdjsonLineChecker.moc"
