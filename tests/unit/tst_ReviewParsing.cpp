// The small parsers behind the review window: table columns, filter queries, patient references.
#include "review/LineFilter.h"
#include "review/PatientIndex.h"
#include "review/ResourceSummary.h"

#include <QTest>

using namespace cohort::review;
using namespace Qt::StringLiterals;

class TestReviewParsing : public QObject
{
    Q_OBJECT
private slots:
    void summaryOfObservation()
    {
        const auto s = ResourceSummary::of(
            "{\"resourceType\":\"Observation\",\"id\":\"o1\",\"meta\":{\"lastUpdated\":\"2024-01-02T03:04:05Z\"},"
            "\"status\":\"final\",\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"8867-4\",\"display\":\"Heart rate\"}]},"
            "\"subject\":{\"reference\":\"Patient/p1\"},\"effectiveDateTime\":\"2024-01-01\",\"valueQuantity\":{\"value\":72,\"unit\":\"/min\"}}");
        QVERIFY(s.valid);
        QCOMPARE(s.resourceType, u"Observation"_s);
        QCOMPARE(s.id, u"o1"_s);
        QCOMPARE(s.lastUpdated, u"2024-01-02T03:04:05Z"_s);
        QCOMPARE(s.subject, u"Patient/p1"_s);
        QCOMPARE(s.code, u"Heart rate (8867-4)"_s);
        QCOMPARE(s.status, u"final"_s);
        QCOMPARE(s.date, u"2024-01-01"_s);
        QCOMPARE(s.value, u"72 /min"_s);
    }
    void summaryOfOthers()
    {
        QVERIFY(!ResourceSummary::of("{not json").valid);
        QVERIFY(!ResourceSummary::of("[1,2]").valid);
        const auto p = ResourceSummary::of("{\"resourceType\":\"Patient\",\"id\":\"p9\",\"birthDate\":\"1980-05-06\"}");
        QCOMPARE(p.subject, u"Patient/p9"_s);
        QCOMPARE(p.date, u"1980-05-06"_s);
        const auto c = ResourceSummary::of(
            "{\"resourceType\":\"Condition\",\"clinicalStatus\":{\"coding\":[{\"code\":\"active\"}]},\"patient\":{\"reference\":\"Patient/x\"},\"onsetPeriod\":{\"start\":\"2020\"}}");
        QCOMPARE(c.status, u"active"_s);
        QCOMPARE(c.subject, u"Patient/x"_s);
        QCOMPARE(c.date, u"2020"_s);
    }
    void filterQueries()
    {
        const QByteArray obs = "{\"resourceType\":\"Observation\",\"id\":\"o1\",\"subject\":{\"reference\":\"Patient/p1\"},\"note\":\"Fever\"}";
        const QByteArray pat = "{\"resourceType\":\"Patient\",\"id\":\"p1\"}";
        QVERIFY(LineFilter::matches(LineFilter::parse(u"fever"_s), obs));
        QVERIFY(LineFilter::matches(LineFilter::parse(u"FEVER"_s), obs));
        QVERIFY(!LineFilter::matches(LineFilter::parse(u"cough"_s), obs));
        QVERIFY(LineFilter::matches(LineFilter::parse(u"id:o1"_s), obs));
        QVERIFY(!LineFilter::matches(LineFilter::parse(u"id:o"_s), obs)); // whole ids only
        QVERIFY(LineFilter::matches(LineFilter::parse(u"patient:p1"_s), obs));
        QVERIFY(LineFilter::matches(LineFilter::parse(u"patient:Patient/p1"_s), pat));
        QVERIFY(!LineFilter::matches(LineFilter::parse(u"patient:p"_s), obs));
        QVERIFY(LineFilter::matches(LineFilter::parse(u""_s), obs)); // empty text: everything
    }
    void resourceQuery()
    {
        // Following a reference: the resource itself, whatever else mentions its id.
        const auto p1 = LineFilter::resourceQuery(u"Patient"_s, u"p1"_s);
        QVERIFY(LineFilter::matches(p1, "{\"resourceType\":\"Patient\",\"id\":\"p1\"}"));
        QVERIFY(LineFilter::matches(p1, "{\"id\" : \"p1\",\n \"resourceType\":\t\"Patient\" }\r"));
        QVERIFY(!LineFilter::matches(p1, "{\"resourceType\":\"Patient\",\"id\":\"p10\"}"));
        QVERIFY(!LineFilter::matches(p1, "{\"resourceType\":\"Patient\",\"id\":\"xp1\"}"));
        QVERIFY(!LineFilter::matches(p1, "{\"resourceType\":\"Observation\",\"id\":\"p1\"}"));
        QVERIFY(!LineFilter::matches(p1, "{\"resourceType\":\"Patient\",\"id\":\"p2\",\"identifier\":[{\"id\":\"p1\"}]}"));
        QVERIFY(!LineFilter::matches(p1, "{\"resourceType\":\"Patient\",\"id\":\"p2\",\"contained\":[{\"resourceType\":\"Patient\",\"id\":\"p1\"}]}"));
        QVERIFY(!LineFilter::matches(p1, "{\"resourceType\":\"Patient\",\"xid\":\"p1\"}"));
        QVERIFY(!LineFilter::matches(p1, "{\"resourceType\":\"Patient\",\"id\":\"p1\""));        // not JSON
        QVERIFY(!LineFilter::matches(p1, "{\"resourceType\":\"Patient\",\"id\":\"p1"));          // cut
        QVERIFY(!LineFilter::matches(p1, "{\"resourceType\":\"Patient\",\"versionId\":\"p1\"}"));
    }
    void patientReferences()
    {
        QCOMPARE(PatientIndex::referencedPatients(
                     "{\"resourceType\":\"Claim\",\"patient\":{\"reference\":\"Patient/a\"},\"x\":{\"reference\":\"https://h/fhir/Patient/b\"}}"),
                 (QStringList{u"a"_s, u"b"_s}));
        QCOMPARE(PatientIndex::referencedPatients("{\"resourceType\":\"Patient\",\"id\":\"p1\",\"link\":[{\"other\":{\"reference\":\"Patient/p2\"}}]}"),
                 (QStringList{u"p1"_s, u"p2"_s}));
        // Not a reference: text that merely mentions Patient/ without being one.
        QVERIFY(PatientIndex::referencedPatients("{\"note\":\"see Patient/a later\"}").isEmpty());
        QVERIFY(PatientIndex::referencedPatients("{\"reference\":\"Patient/\"}").isEmpty());
        QCOMPARE(PatientIndex::referencedPatients("{\"a\":\"Patient/x\",\"b\":\"Patient/x\"}"), QStringList{u"x"_s});
    }
};

QTEST_APPLESS_MAIN(TestReviewParsing)
#include "tst_ReviewParsing.moc"
