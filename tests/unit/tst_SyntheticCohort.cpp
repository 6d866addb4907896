#include "demo/JsonWriter.h"
#include "demo/SyntheticCohort.h"

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QSet>
#include <QTest>
#include <QThread>

#include <cmath>
#include <limits>

using namespace cohort::demo;
using namespace Qt::Literals::StringLiterals;

namespace {

QJsonObject parseObject(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject()) {
        qWarning().noquote() << "invalid JSON:" << error.errorString() << json.left(200);
        return {};
    }
    return doc.object();
}

void collectReferences(const QJsonValue &value, QStringList &out)
{
    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        for (auto it = object.begin(); it != object.end(); ++it) {
            if (it.key() == u"reference" && it.value().isString())
                out.append(it.value().toString());
            else
                collectReferences(it.value(), out);
        }
    } else if (value.isArray()) {
        for (const QJsonValue &element : value.toArray())
            collectReferences(element, out);
    }
}

QDateTime parseDateTime(const QJsonValue &value)
{
    return QDateTime::fromString(value.toString(), Qt::ISODateWithMs);
}

bool sameResources(const QList<GeneratedResource> &a, const QList<GeneratedResource> &b)
{
    if (a.size() != b.size())
        return false;
    for (qsizetype i = 0; i < a.size(); ++i) {
        if (a[i].type != b[i].type || a[i].id != b[i].id || a[i].json != b[i].json ||
            a[i].lastUpdated != b[i].lastUpdated || a[i].codes != b[i].codes ||
            a[i].categories != b[i].categories)
            return false;
    }
    return true;
}

} // namespace

class tst_SyntheticCohort : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();

    void jsonWriterStructure();
    void jsonWriterEscaping();
    void jsonWriterNumbers();

    void profiles();
    void indexOfPatientId();
    void determinism();
    void independentOfPatientCountAndOrder();
    void goldenDigest();
    void concurrentGeneration();
    void resourcesAreValidJson();
    void idsUniqueAcrossCohort();
    void referentialIntegrity();
    void clinicalTimeline();
    void lastUpdatedSpread();
    void codesAndCategories();
    void clinicalPlausibility();
    void sizeBudget();
    void groups();
    void groupsNonEmptyForSmallCohorts();
    void groupJson();

private:
    SyntheticCohort m_cohort{500, 1};
    QList<QList<GeneratedResource>> m_all; // resources of every patient of m_cohort
};

void tst_SyntheticCohort::initTestCase()
{
    QElapsedTimer timer;
    timer.start();
    m_all.reserve(m_cohort.patientCount());
    for (int i = 0; i < m_cohort.patientCount(); ++i)
        m_all.append(m_cohort.resourcesForPatient(i));
    qInfo("generated %d patients in %lld ms", m_cohort.patientCount(), qlonglong(timer.elapsed()));
}

void tst_SyntheticCohort::jsonWriterStructure()
{
    JsonWriter w;
    w.beginObject();
    w.key("z"_L1).value(1);
    w.key("a"_L1).beginArray().value(true).value(false).nullValue().beginObject().endObject();
    w.beginArray().endArray().endArray();
    w.key(u"m").beginObject().key("k"_L1).value(u"v").endObject();
    w.key("n"_L1).value(qint64(-9007199254740993LL));
    w.endObject();
    // Insertion order is kept (QJsonDocument would sort the keys).
    QCOMPARE(
        w.data(),
        QByteArray(R"({"z":1,"a":[true,false,null,{},[]],"m":{"k":"v"},"n":-9007199254740993})"));
    const QByteArray taken = w.take();
    QVERIFY(w.data().isEmpty());
    QVERIFY(!parseObject(taken).isEmpty());

    // Pre-serialized values (e.g. resources inside a Bundle) are spliced in with commas.
    JsonWriter bundle;
    bundle.beginArray().rawValue(R"({"a":1})").rawValue("[]").value(2).endArray();
    QCOMPARE(bundle.data(), QByteArray(R"([{"a":1},[],2])"));

    // A writer reused after clear() must not emit a leading comma.
    w.beginArray().value(1).endArray();
    w.clear();
    w.beginArray().value(2).endArray();
    QCOMPARE(w.data(), QByteArray("[2]"));
}

void tst_SyntheticCohort::jsonWriterEscaping()
{
    const QString tricky = u"quote\" backslash\\ slash/ nl\n cr\r tab\t bs\b ff\f ctl\x01\x1f "
                           u"del\x7f é € 😀"_s;
    JsonWriter w;
    w.beginObject().key(QStringView(tricky)).value(tricky).endObject();
    const QByteArray json = w.take();
    QVERIFY(
        json.contains(R"(quote\" backslash\\ slash/ nl\n cr\r tab\t bs\b ff\f ctl\u0001\u001f)"));
    QVERIFY(json.contains("\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80")); // raw UTF-8, not escaped
    for (char c : json)
        QVERIFY2(uchar(c) >= 0x20, "control character left unescaped");
    const QJsonObject o = parseObject(json);
    QCOMPARE(o.value(tricky).toString(), tricky);

    // Latin-1 input is transcoded to UTF-8.
    JsonWriter latin;
    latin.beginArray().value(QLatin1StringView("caf\xe9\"")).endArray();
    QCOMPARE(latin.data(), QByteArray("[\"caf\xc3\xa9\\\"\"]"));

    // Lone surrogates cannot be UTF-8; they become U+FFFD instead of corrupt output.
    const QChar lone[] = {QChar(0xd800), QChar(u'x'), QChar(0xdc00)};
    JsonWriter surrogate;
    surrogate.beginArray().value(QStringView(lone, 3)).endArray();
    QCOMPARE(surrogate.data(), QByteArray("[\"\xef\xbf\xbdx\xef\xbf\xbd\"]"));
}

void tst_SyntheticCohort::jsonWriterNumbers()
{
    JsonWriter w;
    w.beginArray()
        .value(0.1)
        .value(37.2)
        .value(72.0)
        .value(1e300)
        .value(-2.5e-7)
        .value(std::numeric_limits<double>::quiet_NaN())
        .value(std::numeric_limits<double>::infinity())
        .value(std::numeric_limits<qint64>::min())
        .endArray();
    const QByteArray json = w.take();
    QVERIFY2(json.startsWith("[0.1,37.2,72,"), json.constData());
    QVERIFY2(json.contains(",null,null,-9223372036854775808]"), json.constData());
    const QJsonArray a = QJsonDocument::fromJson(json).array();
    QCOMPARE(a.size(), 8);
    QCOMPARE(a[3].toDouble(), 1e300);
    QCOMPARE(a[4].toDouble(), -2.5e-7);
}

void tst_SyntheticCohort::profiles()
{
    QSet<QString> given, family, ids;
    int female = 0, male = 0, deceased = 0;
    for (int i = 0; i < m_cohort.patientCount(); ++i) {
        const PatientProfile &p = m_cohort.patient(i);
        QCOMPARE(p.index, i);
        QCOMPARE(p.id, u"pat-%1"_s.arg(i, 5, 10, QLatin1Char('0')));
        QVERIFY(!p.given.isEmpty() && !p.family.isEmpty());
        QVERIFY2(p.gender == u"male" || p.gender == u"female" || p.gender == u"other",
                 qPrintable(p.gender));
        QVERIFY(p.birthDate >= QDate(1935, 1, 1) && p.birthDate <= QDate(2022, 12, 31));
        given.insert(p.given);
        family.insert(p.family);
        ids.insert(p.id);
        female += p.gender == u"female";
        male += p.gender == u"male";
        deceased += p.deceased;
    }
    QCOMPARE(ids.size(), m_cohort.patientCount());
    QVERIFY2(given.size() >= 60, qPrintable(QString::number(given.size())));
    QVERIFY2(family.size() >= 60, qPrintable(QString::number(family.size())));
    QVERIFY(female > 150 && male > 150);
    QVERIFY(deceased > 5 && deceased < 150);
}

void tst_SyntheticCohort::indexOfPatientId()
{
    QCOMPARE(m_cohort.indexOfPatientId(u"pat-00000"), 0);
    QCOMPARE(m_cohort.indexOfPatientId(u"pat-00042"), 42);
    QCOMPARE(m_cohort.indexOfPatientId(u"pat-00499"), 499);
    QCOMPARE(m_cohort.indexOfPatientId(u"pat-00500"), -1);
    QCOMPARE(m_cohort.indexOfPatientId(u"pat-42"), -1);
    QCOMPARE(m_cohort.indexOfPatientId(u"pat-000042"), -1);
    QCOMPARE(m_cohort.indexOfPatientId(u"pat-0004x"), -1);
    QCOMPARE(m_cohort.indexOfPatientId(u"pat-99999999999"), -1);
    QCOMPARE(m_cohort.indexOfPatientId(u"Pat-00001"), -1);
    QCOMPARE(m_cohort.indexOfPatientId(u""), -1);
    SyntheticCohort big(100001, 1);
    QCOMPARE(big.indexOfPatientId(u"pat-100000"), 100000);
    QCOMPARE(big.patient(100000).id, u"pat-100000"_s);
}

void tst_SyntheticCohort::determinism()
{
    const SyntheticCohort a(500, 1), b(500, 1), other(500, 2);
    int differing = 0;
    for (int index : {0, 1, 3, 42, 250, 499}) {
        QVERIFY2(sameResources(a.resourcesForPatient(index), b.resourcesForPatient(index)),
                 qPrintable(QString::number(index)));
        QVERIFY(sameResources(a.resourcesForPatient(index), m_all[index]));
        if (a.resourcesForPatient(index).first().json !=
            other.resourcesForPatient(index).first().json)
            ++differing;
    }
    QCOMPARE(differing, 6);
    QCOMPARE(a.groups().size(), b.groups().size());
    for (qsizetype g = 0; g < a.groups().size(); ++g) {
        QCOMPARE(a.groups()[g].members, b.groups()[g].members);
        QCOMPARE(a.groupJson(a.groups()[g]), b.groupJson(b.groups()[g]));
    }
    bool groupsDiffer = false;
    for (qsizetype g = 0; g < a.groups().size(); ++g)
        groupsDiffer |= a.groupJson(a.groups()[g]) != other.groupJson(other.groups()[g]);
    QVERIFY(groupsDiffer);
}

void tst_SyntheticCohort::independentOfPatientCountAndOrder()
{
    const SyntheticCohort small(10, 42), large(5000, 42);
    // Generate the large cohort backwards to prove generation order does not matter.
    for (int i = 9; i >= 0; --i) {
        const PatientProfile &s = small.patient(i), &l = large.patient(i);
        QCOMPARE(s.id, l.id);
        QCOMPARE(s.given, l.given);
        QCOMPARE(s.birthDate, l.birthDate);
        QCOMPARE(s.deceased, l.deceased);
        QCOMPARE(s.diabetes, l.diabetes);
        QCOMPARE(s.fluVaccine2024, l.fluVaccine2024);
        QVERIFY2(sameResources(large.resourcesForPatient(i), small.resourcesForPatient(i)),
                 qPrintable(s.id));
    }
    QVERIFY(sameResources(large.resourcesForPatient(4999), large.resourcesForPatient(4999)));
    QVERIFY(large.resourcesForPatient(5000).isEmpty());
    QVERIFY(large.resourcesForPatient(-1).isEmpty());
}

void tst_SyntheticCohort::goldenDigest()
{
    // Pins the exact bytes so CI on other compilers and platforms catches non-determinism
    // (evaluation order, FMA contraction, locale). Update only for intentional generator changes.
    QCryptographicHash hash(QCryptographicHash::Sha256);
    for (int i = 0; i < 20; ++i) {
        for (const GeneratedResource &r : m_all[i]) {
            hash.addData(r.json);
            hash.addData("\n");
        }
    }
    for (const GroupDefinition &g : m_cohort.groups())
        hash.addData(m_cohort.groupJson(g));
    QCOMPARE(hash.result().toHex(),
             QByteArray("4310f09513cdee9885f71d959016bc0edbbb498f0b7b9c4a3bd4c046692e38fc"));
}

void tst_SyntheticCohort::concurrentGeneration()
{
    // The demo server generates patients on worker threads from one shared const cohort.
    QList<QList<GeneratedResource>> results(40);
    // Detach once up front; the threads then write disjoint elements through a raw pointer.
    QList<GeneratedResource> *out = results.data();
    const int count = int(results.size());
    QList<QThread *> threads;
    for (int t = 0; t < 4; ++t) {
        threads.append(QThread::create([this, out, count, t] {
            for (int i = t; i < count; i += 4)
                out[i] = m_cohort.resourcesForPatient(i);
        }));
        threads.last()->start();
    }
    for (QThread *thread : std::as_const(threads)) {
        QVERIFY(thread->wait(60000));
        delete thread;
    }
    for (int i = 0; i < results.size(); ++i)
        QVERIFY2(sameResources(results[i], m_all[i]), qPrintable(QString::number(i)));
}

void tst_SyntheticCohort::resourcesAreValidJson()
{
    const QList<QLatin1StringView> &types = SyntheticCohort::resourceTypes();
    QCOMPARE(types.size(), 9);
    QCOMPARE(types.first(), "Patient"_L1);
    QVERIFY(!types.contains("Group"_L1));
    const QDateTime earliest(QDate(2018, 1, 1), QTime(0, 0), Qt::UTC);
    const QDateTime latest(QDate(2025, 12, 31), QTime(23, 59, 59, 999), Qt::UTC);

    for (int i = 0; i < m_all.size(); ++i) {
        const QList<GeneratedResource> &resources = m_all[i];
        const PatientProfile &p = m_cohort.patient(i);
        QVERIFY(!resources.isEmpty());
        QCOMPARE(resources.first().type, "Patient"_L1);
        QCOMPARE(resources.first().id, p.id);
        qsizetype lastTypeIndex = 0;
        for (const GeneratedResource &r : resources) {
            const qsizetype typeIndex = types.indexOf(r.type);
            QVERIFY2(typeIndex >= 0, r.type.data());
            QVERIFY2(typeIndex >= lastTypeIndex, "resources not in resourceTypes() order");
            lastTypeIndex = typeIndex;
            QVERIFY(r.json.startsWith("{\"resourceType\":\"" +
                                      QByteArray(r.type.data(), r.type.size()) + '"'));
            QVERIFY(!r.json.contains('\n'));
            const QJsonObject o = parseObject(r.json);
            QVERIFY2(!o.isEmpty(), qPrintable(r.id));
            QCOMPARE(o.value(u"resourceType").toString(), QString(r.type));
            QCOMPARE(o.value(u"id").toString(), r.id);
            QCOMPARE(r.lastUpdated.timeSpec(), Qt::UTC);
            const QString meta = o.value(u"meta").toObject().value(u"lastUpdated").toString();
            QCOMPARE(meta, r.lastUpdated.toString(Qt::ISODateWithMs));
            QCOMPARE(parseDateTime(meta), r.lastUpdated);
            QVERIFY2(r.lastUpdated >= earliest && r.lastUpdated <= latest, qPrintable(meta));
            if (r.type != "Patient"_L1 && r.type != "Immunization"_L1 &&
                r.type != "AllergyIntolerance"_L1)
                QCOMPARE(o.value(u"subject").toObject().value(u"reference").toString(),
                         u"Patient/"_s + p.id);
        }
        const QJsonObject patient = parseObject(resources.first().json);
        QCOMPARE(patient.value(u"gender").toString(), p.gender);
        QCOMPARE(patient.value(u"birthDate").toString(), p.birthDate.toString(Qt::ISODate));
        QCOMPARE(patient.contains(u"deceasedDateTime"), p.deceased);
        const QJsonObject name = patient.value(u"name").toArray().first().toObject();
        QCOMPARE(name.value(u"family").toString(), p.family);
        QCOMPARE(name.value(u"given").toArray().first().toString(), p.given);
        const QJsonObject identifier = patient.value(u"identifier").toArray().first().toObject();
        QCOMPARE(identifier.value(u"system").toString(), u"http://hospital.example.org/mrn"_s);
        QVERIFY(identifier.value(u"value").toString().startsWith(u"MRN"));
        const QJsonObject address = patient.value(u"address").toArray().first().toObject();
        QCOMPARE(address.value(u"country").toString(), u"US"_s);
        QVERIFY(!address.value(u"postalCode").toString().isEmpty());
    }
}

void tst_SyntheticCohort::idsUniqueAcrossCohort()
{
    QHash<QString, QSet<QString>> idsByType;
    QSet<QString> mrns;
    qsizetype total = 0;
    for (const auto &resources : std::as_const(m_all)) {
        for (const GeneratedResource &r : resources) {
            QSet<QString> &ids = idsByType[QString(r.type)];
            QVERIFY2(!ids.contains(r.id), qPrintable(r.id));
            ids.insert(r.id);
            ++total;
        }
        const QJsonObject patient = parseObject(resources.first().json);
        mrns.insert(
            patient.value(u"identifier").toArray().first().toObject().value(u"value").toString());
    }
    QCOMPARE(idsByType.size(), 9); // every type occurs somewhere in the cohort
    QCOMPARE(mrns.size(), m_all.size());
    QVERIFY(total > 0);
}

void tst_SyntheticCohort::referentialIntegrity()
{
    int reports = 0, references = 0;
    for (int i = 0; i < 60; ++i) {
        QSet<QString> known;
        QHash<QString, QJsonObject> byRef;
        for (const GeneratedResource &r : m_all[i]) {
            const QString ref = QString(r.type) + u'/' + r.id;
            known.insert(ref);
            byRef.insert(ref, parseObject(r.json));
        }
        for (const GeneratedResource &r : m_all[i]) {
            const QJsonObject o = byRef.value(QString(r.type) + u'/' + r.id);
            QStringList refs;
            collectReferences(o, refs);
            for (const QString &ref : std::as_const(refs)) {
                ++references;
                QVERIFY2(known.contains(ref), qPrintable(r.id + u" -> "_s + ref));
            }
            if (r.type == "Immunization"_L1 || r.type == "AllergyIntolerance"_L1) {
                QVERIFY(!o.contains(u"subject"));
                QCOMPARE(o.value(u"patient").toObject().value(u"reference").toString(),
                         u"Patient/"_s + m_cohort.patient(i).id);
            }
            if (r.type == "DiagnosticReport"_L1) {
                ++reports;
                const QJsonArray results = o.value(u"result").toArray();
                QVERIFY(!results.isEmpty());
                const QJsonValue encounter = o.value(u"encounter");
                for (const QJsonValue &result : results) {
                    const QString ref = result.toObject().value(u"reference").toString();
                    QVERIFY2(ref.startsWith(u"Observation/"), qPrintable(ref));
                    const QJsonObject obs = byRef.value(ref);
                    // Only lab results of the report's own encounter.
                    QCOMPARE(obs.value(u"encounter"), encounter);
                    QCOMPARE(obs.value(u"category")
                                 .toArray()
                                 .first()
                                 .toObject()
                                 .value(u"coding")
                                 .toArray()
                                 .first()
                                 .toObject()
                                 .value(u"code")
                                 .toString(),
                             u"laboratory"_s);
                }
            }
        }
    }
    QVERIFY(reports > 20);
    QVERIFY(references > 5000);
}

void tst_SyntheticCohort::clinicalTimeline()
{
    for (int i = 0; i < m_all.size(); ++i) {
        const PatientProfile &p = m_cohort.patient(i);
        const QJsonObject patient = parseObject(m_all[i].first().json);
        const QDateTime death = parseDateTime(patient.value(u"deceasedDateTime"));
        QCOMPARE(death.isValid(), p.deceased);
        const QDateTime birth(p.birthDate, QTime(0, 0), Qt::UTC);
        QHash<QString, std::pair<QDateTime, QDateTime>> periods;
        int encounters = 0;
        for (const GeneratedResource &r : m_all[i]) {
            const QJsonObject o = parseObject(r.json);
            if (r.type == "Encounter"_L1) {
                ++encounters;
                const QJsonObject period = o.value(u"period").toObject();
                const QDateTime start = parseDateTime(period.value(u"start"));
                const QDateTime end = parseDateTime(period.value(u"end"));
                QVERIFY(start.isValid() && end.isValid() && start < end);
                QVERIFY(start > birth);
                if (p.deceased)
                    QVERIFY2(end < death, qPrintable(r.id));
                periods.insert(u"Encounter/"_s + r.id, {start, end});
                QCOMPARE(o.value(u"status").toString(), u"finished"_s);
            } else if (r.type == "Observation"_L1) {
                const auto period =
                    periods.value(o.value(u"encounter").toObject().value(u"reference").toString());
                const QDateTime effective = parseDateTime(o.value(u"effectiveDateTime"));
                QVERIFY2(effective >= period.first && effective <= period.second, qPrintable(r.id));
            } else if (r.type == "Immunization"_L1) {
                const QDateTime when = parseDateTime(o.value(u"occurrenceDateTime"));
                QVERIFY(when > birth);
                if (p.deceased)
                    QVERIFY(when < death);
            }
        }
        QVERIFY(encounters >= 2 && encounters <= 10);
    }
}

void tst_SyntheticCohort::lastUpdatedSpread()
{
    QSet<int> years, patientYears;
    QList<QDateTime> stamps;
    for (const auto &resources : std::as_const(m_all)) {
        for (const GeneratedResource &r : resources) {
            years.insert(r.lastUpdated.date().year());
            if (r.type == "Patient"_L1)
                patientYears.insert(r.lastUpdated.date().year());
            stamps.append(r.lastUpdated);
        }
    }
    QVERIFY2(years.size() >= 5, qPrintable(QString::number(years.size())));
    QVERIFY(patientYears.size() >= 5);
    // A _since filter in the middle of the range keeps a meaningful fraction.
    const QDateTime since(QDate(2022, 1, 1), QTime(0, 0), Qt::UTC);
    const auto newer = std::count_if(stamps.cbegin(), stamps.cend(),
                                     [&](const QDateTime &t) { return t >= since; });
    QVERIFY(newer > stamps.size() / 5 && newer < stamps.size() * 4 / 5);
}

void tst_SyntheticCohort::codesAndCategories()
{
    int hba1c = 0, labs = 0, vitals = 0, conditions = 0, allergiesWithCategory = 0;
    for (const auto &resources : std::as_const(m_all)) {
        for (const GeneratedResource &r : resources) {
            if (r.type == "Observation"_L1) {
                QVERIFY(!r.codes.isEmpty());
                QVERIFY(!r.categories.isEmpty());
                if (r.codes.contains(u"http://loinc.org|4548-4") && r.codes.contains(u"4548-4"))
                    ++hba1c;
                if (r.categories.contains(
                        u"http://terminology.hl7.org/CodeSystem/observation-category|laboratory") &&
                    r.categories.contains(u"laboratory"))
                    ++labs;
                if (r.categories.contains(u"vital-signs"))
                    ++vitals;
            } else if (r.type == "Condition"_L1) {
                QVERIFY(r.codes.size() >= 2);
                QVERIFY(r.categories.contains(u"problem-list-item") ||
                        r.categories.contains(u"encounter-diagnosis"));
                ++conditions;
            } else if (r.type == "DiagnosticReport"_L1) {
                QVERIFY(
                    r.categories.contains(u"http://terminology.hl7.org/CodeSystem/v2-0074|LAB"));
                QVERIFY(r.categories.contains(u"LAB"));
            } else if (r.type == "AllergyIntolerance"_L1) {
                QCOMPARE(r.categories.size(), 1);
                QVERIFY(r.categories.first() == u"food" || r.categories.first() == u"medication" ||
                        r.categories.first() == u"environment");
                ++allergiesWithCategory;
            } else if (r.type == "Immunization"_L1) {
                QVERIFY(r.codes.first().startsWith(u"http://hl7.org/fhir/sid/cvx|"));
            } else if (r.type != "Patient"_L1) {
                QVERIFY2(!r.codes.isEmpty(), r.type.data());
            }
        }
    }
    QVERIFY(hba1c > 50);
    QVERIFY(labs > hba1c);
    QVERIFY(vitals > labs);
    QVERIFY(conditions > 500);
    QVERIFY(allergiesWithCategory > 50);
}

void tst_SyntheticCohort::clinicalPlausibility()
{
    double diabeticSum = 0, otherSum = 0;
    int diabeticCount = 0, otherCount = 0, flu2024 = 0;
    for (int i = 0; i < m_all.size(); ++i) {
        const PatientProfile &p = m_cohort.patient(i);
        bool hasDiabetesCondition = false, hasMetformin = false, hasFlu2024 = false;
        for (const GeneratedResource &r : m_all[i]) {
            if (r.type == "Condition"_L1 && r.codes.contains(u"http://snomed.info/sct|44054006"))
                hasDiabetesCondition = true;
            if (r.type == "MedicationRequest"_L1 && r.codes.contains(u"860975"))
                hasMetformin = true;
            if (r.type == "Immunization"_L1 &&
                (r.codes.contains(u"140") || r.codes.contains(u"141"))) {
                const QJsonObject o = parseObject(r.json);
                const QDate when = parseDateTime(o.value(u"occurrenceDateTime")).date();
                hasFlu2024 |= when >= QDate(2024, 7, 1) && when <= QDate(2025, 6, 30);
            }
            if (r.type == "Observation"_L1 && r.codes.contains(u"4548-4")) {
                const double value = parseObject(r.json)
                                         .value(u"valueQuantity")
                                         .toObject()
                                         .value(u"value")
                                         .toDouble();
                (p.diabetes ? diabeticSum : otherSum) += value;
                ++(p.diabetes ? diabeticCount : otherCount);
            }
        }
        QCOMPARE(hasDiabetesCondition, p.diabetes);
        QCOMPARE(hasMetformin, p.diabetes);
        QCOMPARE(hasFlu2024, p.fluVaccine2024);
        flu2024 += hasFlu2024;
    }
    QVERIFY(diabeticCount > 20 && otherCount > 20);
    QVERIFY2(diabeticSum / diabeticCount > 6.8,
             qPrintable(QString::number(diabeticSum / diabeticCount)));
    QVERIFY2(otherSum / otherCount < 5.8, qPrintable(QString::number(otherSum / otherCount)));
    QVERIFY(flu2024 > 50);
}

void tst_SyntheticCohort::sizeBudget()
{
    qsizetype resources = 0, bytes = 0;
    for (const auto &list : std::as_const(m_all)) {
        resources += list.size();
        for (const GeneratedResource &r : list)
            bytes += r.json.size() + 1; // NDJSON newline
    }
    const double perPatient = double(resources) / m_all.size();
    const double bytesPerPatient = double(bytes) / m_all.size();
    qInfo("%.1f resources and %.1f KB per patient, %.1f MB in total", perPatient,
          bytesPerPatient / 1024, double(bytes) / (1024 * 1024));
    QVERIFY(perPatient >= 40 && perPatient <= 80);
    QVERIFY(bytesPerPatient >= 30 * 1024 && bytesPerPatient <= 60 * 1024);
}

void tst_SyntheticCohort::groups()
{
    const QList<GroupDefinition> &groups = m_cohort.groups();
    QVERIFY(groups.size() >= 7);
    QSet<QString> ids;
    QHash<int, int> membership;
    qsizetype smallest = std::numeric_limits<qsizetype>::max(), largest = 0;
    QSet<qsizetype> sizes;
    bool anyInactive = false;
    for (const GroupDefinition &g : groups) {
        QVERIFY(!ids.contains(g.id));
        ids.insert(g.id);
        QVERIFY(!g.name.isEmpty());
        QVERIFY(!g.identifierSystem.isEmpty() && !g.identifierValue.isEmpty());
        QVERIFY2(!g.members.isEmpty(), qPrintable(g.id));
        QVERIFY(std::is_sorted(g.members.cbegin(), g.members.cend()));
        QVERIFY(std::adjacent_find(g.members.cbegin(), g.members.cend()) == g.members.cend());
        for (int m : g.members) {
            QVERIFY(m >= 0 && m < m_cohort.patientCount());
            ++membership[m];
        }
        smallest = std::min(smallest, g.members.size());
        largest = std::max(largest, g.members.size());
        sizes.insert(g.members.size());
        anyInactive |= !g.active;
        QCOMPARE(m_cohort.group(g.id), &g);
        qInfo("%-24s %4lld members%s", qPrintable(g.id), qlonglong(g.members.size()),
              g.active ? "" : " (inactive)");
    }
    QVERIFY(anyInactive);
    QVERIFY(smallest <= 10);
    QVERIFY(largest >= 200);
    QVERIFY(sizes.size() >= groups.size() - 1);
    QVERIFY(std::any_of(membership.cbegin(), membership.cend(), [](int n) { return n >= 2; }));
    QCOMPARE(m_cohort.group(u"no-such-group"), nullptr);

    // Membership follows the documented criteria.
    const GroupDefinition *diabetes = m_cohort.group(u"diabetes-care");
    const GroupDefinition *asthma = m_cohort.group(u"pediatric-asthma");
    const GroupDefinition *active = m_cohort.group(u"all-active");
    const GroupDefinition *pilot = m_cohort.group(u"small-pilot");
    QVERIFY(diabetes && asthma && active && pilot);
    QCOMPARE(pilot->members, (QList<int>{0, 1, 2, 3, 4}));
    for (int i = 0; i < m_cohort.patientCount(); ++i) {
        const PatientProfile &p = m_cohort.patient(i);
        QCOMPARE(diabetes->members.contains(i), p.diabetes);
        QCOMPARE(active->members.contains(i), !p.deceased);
        QCOMPARE(asthma->members.contains(i),
                 p.asthma && p.birthDate.addYears(18) > QDate(2025, 1, 1));
    }
}

void tst_SyntheticCohort::groupsNonEmptyForSmallCohorts()
{
    for (quint64 seed : {1ULL, 2ULL, 3ULL, 99ULL, 0xdeadbeefULL}) {
        const SyntheticCohort cohort(10, seed);
        for (const GroupDefinition &g : cohort.groups())
            QVERIFY2(!g.members.isEmpty(), qPrintable(g.id + u" seed "_s + QString::number(seed)));
    }
    const SyntheticCohort empty(0, 1);
    QCOMPARE(empty.patientCount(), 0);
    QVERIFY(empty.groups().size() >= 7);
    const QJsonObject o = parseObject(empty.groupJson(empty.groups().first()));
    QCOMPARE(o.value(u"quantity").toInt(), 0);
    QVERIFY(!o.contains(u"member"));
}

void tst_SyntheticCohort::groupJson()
{
    for (const GroupDefinition &g : m_cohort.groups()) {
        const QByteArray json = m_cohort.groupJson(g);
        QVERIFY(json.startsWith(R"({"resourceType":"Group")"));
        const QJsonObject o = parseObject(json);
        QCOMPARE(o.value(u"id").toString(), g.id);
        QCOMPARE(o.value(u"name").toString(), g.name);
        QCOMPARE(o.value(u"active").toBool(!g.active), g.active);
        QCOMPARE(o.value(u"type").toString(), u"person"_s);
        QCOMPARE(o.value(u"actual").toBool(), true);
        QCOMPARE(o.value(u"quantity").toInt(), int(g.members.size()));
        const QJsonObject identifier = o.value(u"identifier").toArray().first().toObject();
        QCOMPARE(identifier.value(u"system").toString(), g.identifierSystem);
        QCOMPARE(identifier.value(u"value").toString(), g.identifierValue);
        const QDateTime lastUpdated =
            parseDateTime(o.value(u"meta").toObject().value(u"lastUpdated"));
        QVERIFY(lastUpdated.isValid());
        QVERIFY(lastUpdated.date().year() >= 2018 && lastUpdated.date().year() <= 2025);

        const QJsonArray members = o.value(u"member").toArray();
        QCOMPARE(members.size(), g.members.size());
        for (qsizetype m = 0; m < members.size(); ++m) {
            const QString ref =
                members[m].toObject().value(u"entity").toObject().value(u"reference").toString();
            QVERIFY(ref.startsWith(u"Patient/"));
            QCOMPARE(m_cohort.indexOfPatientId(QStringView(ref).mid(8)), g.members[m]);
        }

        const QJsonObject summary = parseObject(m_cohort.groupJson(g, false));
        QVERIFY(!summary.contains(u"member"));
        QCOMPARE(summary.value(u"quantity").toInt(), int(g.members.size()));
        QCOMPARE(summary.value(u"meta"), o.value(u"meta"));
    }
}

QTEST_GUILESS_MAIN(tst_SyntheticCohort)
#include "tst_SyntheticCohort.moc"
