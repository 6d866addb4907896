// The demo Bulk Data server over real loopback HTTP: every endpoint, parameter and fault.

#include "TestHttp.h"
#include "auth/Jwk.h"
#include "auth/Jwt.h"
#include "demo/DemoServer.h"
#include "demo/SyntheticCohort.h"
#include "fhir/FhirDateTime.h"

#include <QJsonArray>
#include <QRegularExpression>
#include <QSet>
#include <QTest>
#include <QUrlQuery>

using namespace cohort;
using namespace cohort::test;
using namespace Qt::StringLiterals;

namespace {

struct Manifest
{
    QJsonObject json;
    QList<QPair<QString, QUrl>> outputs; // type, url
    QList<int> counts;
};

QJsonArray arr(const QJsonObject &o, const char *key)
{
    return o.value(QLatin1String(key)).toArray();
}

QString str(const QJsonObject &o, const char *key)
{
    return o.value(QLatin1String(key)).toString();
}

} // namespace

class TestDemoServer : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<demo::DemoServer> makeServer(demo::DemoServerOptions options = {})
    {
        if (options.patients == 500)
            options.patients = 40;
        auto server = std::make_unique<demo::DemoServer>(options);
        QString error;
        if (!server->start(&error))
            qFatal("demo server did not start: %s", qPrintable(error));
        return server;
    }
    static demo::DemoServerOptions quick()
    {
        demo::DemoServerOptions o;
        o.patients = 40;
        o.exportSeconds = 0;
        o.resourcesPerFile = 300;
        return o;
    }
    QUrl url(const demo::DemoServer &s, const QString &path) const
    {
        return QUrl(s.baseUrl().toString() + path);
    }
    // Kick-off, poll until 200, return the manifest (test fails on anything unexpected).
    bool runExport(demo::DemoServer &s, const QString &path, Manifest *out,
                   const Headers &extra = {}, const QByteArray &postBody = {});
    QString firstGroupWithMembers(const demo::DemoServer &s, int min = 3) const
    {
        for (const auto &g : s.cohort().groups()) {
            if (g.members.size() >= min && g.active)
                return g.id;
        }
        return {};
    }
    Headers bearer(const QByteArray &token) const { return {{"Authorization", "Bearer " + token}}; }
    QByteArray fetchToken(demo::DemoServer &s, const auth::Key &key, const QString &clientId,
                          const QString &scope = u"system/*.read"_s, Reply *replyOut = nullptr);

    Http m_http;
    auth::Key m_rsKey;
    auth::Key m_esKey;

private slots:
    void initTestCase();
    void metadata();
    void metadataWithAuth();
    void groupSearchAndPaging();
    void groupAndPatientRead();
    void kickoffValidation();
    void kickoffValidation_data();
    void groupExportFlow();
    void progressWhileRunning();
    void sinceAndUntil();
    void typeFilter();
    void elements();
    void postWithPatients();
    void systemAndPatientLevel();
    void lenientHandling();
    void cancel();
    void gzipRangeAndBinary();
    void faultKickoff429();
    void faultPoll429AndTransient();
    void faultFatal();
    void faultRetryAfterDate();
    void faultBadManifest();
    void faultDropConnection();
    void faultSlowFiles();
    void faultSecondOrigin();
    void faultRedirectFiles();
    void authTokens();
    void authRejections();
    void authRejections_data();
    void authTokenLifetime();
    void faultTokenExpiry();
    void faultExpiringUrls();
    void sameSeedSameBytes();
    void manifestPagesAndDeleted();
};

bool TestDemoServer::runExport(demo::DemoServer &s, const QString &path, Manifest *out,
                               const Headers &extra, const QByteArray &postBody)
{
    Headers headers = kickoffHeaders() + extra;
    Reply kick;
    if (postBody.isEmpty()) {
        kick = m_http.get(url(s, path), headers);
    } else {
        headers.append(qMakePair(QByteArray("Content-Type"), QByteArray("application/fhir+json")));
        kick = m_http.post(url(s, path), postBody, headers);
    }
    if (kick.status != 202) {
        qWarning() << "kick-off answered" << kick.status << kick.body;
        return false;
    }
    const QUrl status(QString::fromUtf8(kick.header("Content-Location")));
    if (!status.isValid() || status.isRelative())
        return false;
    for (int attempt = 0; attempt < 200; ++attempt) {
        const Reply poll = m_http.get(status, Headers{{"Accept", "application/json"}} + extra);
        if (poll.status == 202) {
            // Honour Retry-After the way a client would, but quickly: wait on the event loop.
            QTest::qWait(100);
            continue;
        }
        if (poll.status != 200) {
            qWarning() << "poll answered" << poll.status << poll.body;
            return false;
        }
        out->json = poll.json();
        for (const QJsonValue &v : arr(out->json, "output")) {
            const QJsonObject o = v.toObject();
            out->outputs.append({str(o, "type"), QUrl(str(o, "url"))});
            out->counts.append(o.value(QLatin1String("count")).toInt(-1));
        }
        return true;
    }
    return false;
}

QByteArray TestDemoServer::fetchToken(demo::DemoServer &s, const auth::Key &key,
                                      const QString &clientId, const QString &scope,
                                      Reply *replyOut)
{
    const QByteArray assertion = auth::makeClientAssertion(key, clientId, s.tokenUrl().toString());
    QUrlQuery form;
    form.addQueryItem(u"grant_type"_s, u"client_credentials"_s);
    form.addQueryItem(u"scope"_s, scope);
    form.addQueryItem(u"client_assertion_type"_s,
                      u"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"_s);
    form.addQueryItem(u"client_assertion"_s, QString::fromLatin1(assertion));
    const Reply r = m_http.post(s.tokenUrl(), form.toString(QUrl::FullyEncoded).toUtf8(),
                                {{"Content-Type", "application/x-www-form-urlencoded"}});
    if (replyOut)
        *replyOut = r;
    return r.json().value("access_token"_L1).toString().toLatin1();
}

void TestDemoServer::initTestCase()
{
    QString error;
    m_rsKey = auth::Key::generate(auth::JwtAlgorithm::RS384, u"rs-key-1"_s, &error);
    QVERIFY2(!m_rsKey.isNull(), qPrintable(error));
    m_esKey = auth::Key::generate(auth::JwtAlgorithm::ES384, u"es-key-1"_s, &error);
    QVERIFY2(!m_esKey.isNull(), qPrintable(error));
}

void TestDemoServer::metadata()
{
    auto s = makeServer(quick());
    QVERIFY(s->baseUrl().toString().startsWith("http://127.0.0.1:"_L1));
    QVERIFY(s->baseUrl().path() == "/fhir"_L1);
    const Reply r = m_http.get(url(*s, u"/metadata"_s), {{"Accept", "application/fhir+json"}});
    QCOMPARE(r.status, 200);
    QVERIFY(r.header("Content-Type").startsWith("application/fhir+json"));
    const QJsonObject cs = r.json();
    QCOMPARE(str(cs, "resourceType"), u"CapabilityStatement"_s);
    QCOMPARE(str(cs, "fhirVersion"), u"4.0.1"_s);
    const QJsonObject rest = arr(cs, "rest").first().toObject();
    QVERIFY(!rest.contains("security"_L1));
    QCOMPARE(str(arr(rest, "operation").first().toObject(), "definition"),
             u"http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export"_s);
    QSet<QString> types;
    QString groupExport, patientExport;
    for (const QJsonValue &v : arr(rest, "resource")) {
        const QJsonObject res = v.toObject();
        types.insert(str(res, "type"));
        for (const QJsonValue &op : arr(res, "operation")) {
            if (str(res, "type") == "Group"_L1)
                groupExport = str(op.toObject(), "definition");
            if (str(res, "type") == "Patient"_L1)
                patientExport = str(op.toObject(), "definition");
        }
    }
    for (QLatin1StringView t : demo::SyntheticCohort::resourceTypes())
        QVERIFY2(types.contains(QString(t)), t.data());
    QVERIFY(types.contains(u"Group"_s));
    QVERIFY(groupExport.endsWith("group-export"_L1));
    QVERIFY(patientExport.endsWith("patient-export"_L1));
    // Unknown endpoints and methods answer with an OperationOutcome, never a crash.
    const Reply missing = m_http.get(url(*s, u"/Nope/1"_s));
    QCOMPARE(missing.status, 404);
    QCOMPARE(missing.outcomeCode(), u"not-found"_s);
    const Reply outside = m_http.get(QUrl(s->baseUrl().toString().chopped(5) + u"/metadata"_s));
    QCOMPARE(outside.status, 404);
    const Reply wrongMethod = m_http.del(url(*s, u"/metadata"_s));
    QCOMPARE(wrongMethod.status, 405);
}

void TestDemoServer::metadataWithAuth()
{
    demo::DemoServerOptions o = quick();
    o.auth = true;
    o.clientId = u"client"_s;
    o.clientKeys = {m_rsKey};
    auto s = makeServer(o);
    const Reply r = m_http.get(url(*s, u"/metadata"_s));
    QCOMPARE(r.status, 200);
    const QJsonObject security =
        arr(r.json(), "rest").first().toObject().value("security"_L1).toObject();
    const QJsonObject oauth = arr(security, "extension").first().toObject();
    QVERIFY(str(oauth, "url").endsWith("oauth-uris"_L1));
    QCOMPARE(str(arr(oauth, "extension").first().toObject(), "valueUri"), s->tokenUrl().toString());

    const Reply smart = m_http.get(url(*s, u"/.well-known/smart-configuration"_s));
    QCOMPARE(smart.status, 200);
    QCOMPARE(str(smart.json(), "token_endpoint"), s->tokenUrl().toString());
    QVERIFY(s->tokenUrl().toString().startsWith(s->baseUrl().toString()));
    const QJsonArray algs = arr(smart.json(), "token_endpoint_auth_signing_alg_values_supported");
    QVERIFY(algs.contains(u"RS384"_s) && algs.contains(u"ES384"_s));

    auto open = makeServer(quick());
    QCOMPARE(m_http.get(url(*open, u"/.well-known/smart-configuration"_s)).status, 404);
}

void TestDemoServer::groupSearchAndPaging()
{
    auto s = makeServer(quick());
    const Reply all = m_http.get(url(*s, u"/Group"_s));
    QCOMPARE(all.status, 200);
    QCOMPARE(str(all.json(), "type"), u"searchset"_s);
    const int total = all.json().value("total"_L1).toInt();
    QCOMPARE(total, int(s->cohort().groups().size()));
    QVERIFY(total >= 6);

    // Follow next links two at a time: every group exactly once.
    QStringList seen;
    QUrl next = url(*s, u"/Group?_count=2"_s);
    int pages = 0;
    while (next.isValid() && pages < 20) {
        const Reply page = m_http.get(next);
        QCOMPARE(page.status, 200);
        const QJsonArray entries = arr(page.json(), "entry");
        QVERIFY(entries.size() <= 2);
        for (const QJsonValue &e : entries) {
            const QJsonObject g = e.toObject().value("resource"_L1).toObject();
            QCOMPARE(str(g, "resourceType"), u"Group"_s);
            QCOMPARE(str(e.toObject(), "fullUrl"),
                     s->baseUrl().toString() + u"/Group/"_s + str(g, "id"));
            seen.append(str(g, "id"));
        }
        next = QUrl();
        for (const QJsonValue &l : arr(page.json(), "link")) {
            if (str(l.toObject(), "relation") == "next"_L1)
                next = QUrl(str(l.toObject(), "url"));
        }
        ++pages;
    }
    QCOMPARE(pages, (total + 1) / 2);
    QCOMPARE(seen.size(), total);
    QCOMPARE(QSet<QString>(seen.begin(), seen.end()).size(), total);

    // name:contains is case-insensitive; name is a prefix match.
    const QString someName = s->cohort().groups().first().name;
    const QString middle = someName.mid(2, 5).toUpper();
    const Reply contains = m_http.get(
        url(*s, u"/Group?name:contains="_s + QString::fromLatin1(QUrl::toPercentEncoding(middle))));
    QCOMPARE(contains.status, 200);
    QVERIFY(contains.json().value("total"_L1).toInt() >= 1);
    for (const QJsonValue &e : arr(contains.json(), "entry"))
        QVERIFY(str(e.toObject().value("resource"_L1).toObject(), "name")
                    .contains(middle, Qt::CaseInsensitive));
    const Reply prefix = m_http.get(url(
        *s, u"/Group?name="_s + QString::fromLatin1(QUrl::toPercentEncoding(someName.left(4)))));
    for (const QJsonValue &e : arr(prefix.json(), "entry"))
        QVERIFY(str(e.toObject().value("resource"_L1).toObject(), "name")
                    .startsWith(someName.left(4), Qt::CaseInsensitive));
    QVERIFY(prefix.json().value("total"_L1).toInt() >= 1);
    const Reply none = m_http.get(url(*s, u"/Group?name:contains=zzzz-no-such-group"_s));
    QCOMPARE(none.json().value("total"_L1).toInt(), 0);
    QVERIFY(arr(none.json(), "entry").isEmpty());
}

void TestDemoServer::groupAndPatientRead()
{
    auto s = makeServer(quick());
    const auto &def = s->cohort().groups().first();
    const Reply g = m_http.get(url(*s, u"/Group/"_s + def.id));
    QCOMPARE(g.status, 200);
    const QJsonObject group = g.json();
    QCOMPARE(str(group, "id"), def.id);
    QCOMPARE(str(group, "type"), u"person"_s);
    QVERIFY(group.value("actual"_L1).toBool());
    QCOMPARE(group.value("quantity"_L1).toInt(), int(def.members.size()));
    QCOMPARE(arr(group, "member").size(), def.members.size());
    const QString firstMember =
        str(arr(group, "member").first().toObject().value("entity"_L1).toObject(), "reference");
    QVERIFY(firstMember.startsWith("Patient/"_L1));

    const Reply p = m_http.get(url(*s, u"/"_s + firstMember));
    QCOMPARE(p.status, 200);
    QCOMPARE(str(p.json(), "resourceType"), u"Patient"_s);
    QCOMPARE(u"Patient/"_s + str(p.json(), "id"), firstMember);

    const Reply missingGroup = m_http.get(url(*s, u"/Group/no-such-group"_s));
    QCOMPARE(missingGroup.status, 404);
    QCOMPARE(str(missingGroup.json(), "resourceType"), u"OperationOutcome"_s);
    QCOMPARE(m_http.get(url(*s, u"/Patient/no-such-patient"_s)).status, 404);
}

void TestDemoServer::kickoffValidation_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<bool>("prefer");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("no Prefer") << u"/Group/{g}/$export"_s << false << 400 << u"respond-async"_s;
    QTest::newRow("unknown type") << u"/Group/{g}/$export?_type=Patient,Spaceship"_s << true << 400
                                  << u"Spaceship"_s;
    QTest::newRow("since without zone")
        << u"/Group/{g}/$export?_since=2024-01-01T00:00:00"_s << true << 400 << u"time zone"_s;
    QTest::newRow("since a date only")
        << u"/Group/{g}/$export?_since=2024-01-01"_s << true << 400 << u"_since"_s;
    QTest::newRow("bad until") << u"/Group/{g}/$export?_until=yesterday"_s << true << 400
                               << u"_until"_s;
    QTest::newRow("until before since")
        << u"/Group/{g}/$export?_since=2024-01-01T00:00:00Z&_until=2023-01-01T00:00:00Z"_s << true
        << 400 << u"_until"_s;
    QTest::newRow("bad format") << u"/Group/{g}/$export?_outputFormat=text/csv"_s << true << 400
                                << u"_outputFormat"_s;
    QTest::newRow("patient by GET")
        << u"/Group/{g}/$export?patient=Patient/pat-00001"_s << true << 400 << u"POST"_s;
    QTest::newRow("unknown parameter")
        << u"/Group/{g}/$export?_bogus=1"_s << true << 400 << u"_bogus"_s;
    QTest::newRow("bad typeFilter param")
        << u"/Group/{g}/$export?_typeFilter=Observation%3Fsubject%3DPatient/1"_s << true << 400
        << u"subject"_s;
    QTest::newRow("typeFilter unknown type")
        << u"/Group/{g}/$export?_typeFilter=Spaceship%3Fcode%3D1"_s << true << 400
        << u"Spaceship"_s;
    QTest::newRow("unknown group")
        << u"/Group/no-such-group/$export"_s << true << 404 << u"no-such-group"_s;
    QTest::newRow("ok") << u"/Group/{g}/$export?_type=Patient&_since=2020-01-01T00:00:00%2B02:00"_s
                        << true << 202 << QString();
}

void TestDemoServer::kickoffValidation()
{
    QFETCH(QString, path);
    QFETCH(bool, prefer);
    QFETCH(int, status);
    QFETCH(QString, mentions);
    auto s = makeServer(quick());
    path.replace(u"{g}"_s, firstGroupWithMembers(*s));
    Headers headers{{"Accept", "application/fhir+json"}};
    if (prefer)
        headers.append(qMakePair(QByteArray("Prefer"), QByteArray("respond-async")));
    const Reply r = m_http.get(url(*s, path), headers);
    QCOMPARE(r.status, status);
    if (status == 202) {
        QVERIFY(r.header("Content-Location").contains("$export-poll-status"));
        return;
    }
    QCOMPARE(str(r.json(), "resourceType"), u"OperationOutcome"_s);
    QVERIFY2(r.outcomeText().contains(mentions), qPrintable(r.outcomeText()));
}

void TestDemoServer::groupExportFlow()
{
    auto s = makeServer(quick());
    const QString groupId = firstGroupWithMembers(*s, 5);
    const demo::GroupDefinition *group = s->cohort().group(groupId);
    QSet<QString> members;
    for (int i : group->members)
        members.insert(u"Patient/"_s + s->cohort().patient(i).id);

    Manifest m;
    QVERIFY(runExport(
        *s, u"/Group/"_s + groupId + u"/$export?_type=Patient,Observation,Condition,Encounter"_s,
        &m));
    QVERIFY(fhir::parseInstant(str(m.json, "transactionTime")).has_value());
    QVERIFY(str(m.json, "request").contains(u"/Group/"_s + groupId + u"/$export"_s));
    QCOMPARE(m.json.value("requiresAccessToken"_L1).toBool(true), false);
    QVERIFY(m.json.value("error"_L1).isArray());
    QVERIFY(!m.outputs.isEmpty());

    QSet<QString> typesSeen;
    QSet<QString> patientsSeen;
    int multiFileTypes = 0;
    QHash<QString, int> filesPerType;
    for (qsizetype i = 0; i < m.outputs.size(); ++i) {
        const auto &[type, fileUrl] = m.outputs[i];
        QVERIFY(fileUrl.toString().contains("/Binary/"_L1));
        QVERIFY(fileUrl.toString().endsWith("/$binary-access-read"_L1));
        ++filesPerType[type];
        const Reply f = m_http.get(fileUrl, {{"Accept", "application/fhir+ndjson"}});
        QCOMPARE(f.status, 200);
        QCOMPARE(f.header("Content-Type"), QByteArray("application/fhir+ndjson"));
        QVERIFY(f.body.endsWith('\n'));
        const QList<QByteArray> lines = f.body.chopped(1).split('\n');
        QCOMPARE(int(lines.size()), m.counts[i]);
        QVERIFY(m.counts[i] <= 300);
        for (const QByteArray &line : lines) {
            QJsonParseError e{};
            const QJsonObject res = QJsonDocument::fromJson(line, &e).object();
            QCOMPARE(e.error, QJsonParseError::NoError);
            QCOMPARE(str(res, "resourceType"), type);
            typesSeen.insert(type);
            if (type == "Patient"_L1) {
                patientsSeen.insert(u"Patient/"_s + str(res, "id"));
            } else {
                const QString subject = str(res.value("subject"_L1).toObject(), "reference");
                QVERIFY2(members.contains(subject), qPrintable(subject));
            }
        }
    }
    for (int n : filesPerType)
        multiFileTypes += n > 1 ? 1 : 0;
    QCOMPARE(typesSeen,
             (QSet<QString>{u"Patient"_s, u"Observation"_s, u"Condition"_s, u"Encounter"_s}));
    QCOMPARE(patientsSeen, members);
    QVERIFY2(multiFileTypes >= 1, "Observations should be split over several files of 300");
}

void TestDemoServer::progressWhileRunning()
{
    demo::DemoServerOptions o = quick();
    o.exportSeconds = 2;
    auto s = makeServer(o);
    const Reply kick = m_http.get(url(*s, u"/Group/"_s + firstGroupWithMembers(*s) + u"/$export"_s),
                                  kickoffHeaders());
    QCOMPARE(kick.status, 202);
    // The 202 body is informational only, shaped like the seed vendor's.
    QVERIFY(kick.json().contains("transactionTime"_L1));
    const QUrl status(QString::fromUtf8(kick.header("Content-Location")));
    const Reply poll = m_http.get(status);
    QCOMPARE(poll.status, 202);
    QVERIFY(QRegularExpression(u"^\\d{1,2}% complete$"_s)
                .match(QString::fromLatin1(poll.header("X-Progress")))
                .hasMatch());
    bool ok = false;
    const int retryAfter = poll.header("Retry-After").toInt(&ok);
    QVERIFY(ok && retryAfter >= 1 && retryAfter <= 5);
    QTRY_COMPARE_WITH_TIMEOUT(m_http.get(status).status, 200, 10000);
}

void TestDemoServer::sinceAndUntil()
{
    auto s = makeServer(quick());
    const QString base = u"/Group/"_s + firstGroupWithMembers(*s) + u"/$export?_type=Observation"_s;
    auto countAll = [&](const Manifest &m, QList<QDateTime> *dates) {
        int n = 0;
        for (const auto &[type, fileUrl] : m.outputs) {
            const Reply f = m_http.get(fileUrl);
            for (const QByteArray &line : f.body.chopped(1).split('\n')) {
                const auto lu = fhir::parseInstant(QJsonDocument::fromJson(line)
                                                       .object()
                                                       .value("meta"_L1)
                                                       .toObject()
                                                       .value("lastUpdated"_L1)
                                                       .toString());
                if (lu)
                    dates->append(*lu);
                ++n;
            }
        }
        return n;
    };
    Manifest all, since, until;
    QVERIFY(runExport(*s, base, &all));
    QVERIFY(runExport(*s, base + u"&_since=2022-06-01T00:00:00Z"_s, &since));
    QVERIFY(runExport(*s, base + u"&_until=2022-06-01T00:00:00Z"_s, &until));
    QList<QDateTime> dAll, dSince, dUntil;
    const int nAll = countAll(all, &dAll);
    const int nSince = countAll(since, &dSince);
    const int nUntil = countAll(until, &dUntil);
    const QDateTime cut(QDate(2022, 6, 1), QTime(0, 0), Qt::UTC);
    QVERIFY(nSince > 0 && nSince < nAll);
    QCOMPARE(nSince + nUntil, nAll);
    for (const QDateTime &d : dSince)
        QVERIFY(d > cut);
    for (const QDateTime &d : dUntil)
        QVERIFY(d <= cut);
}

void TestDemoServer::typeFilter()
{
    auto s = makeServer(quick());
    const QString path =
        u"/Group/"_s + firstGroupWithMembers(*s) +
        u"/$export?_type=Observation,Patient&_typeFilter="_s +
        QString::fromLatin1(QUrl::toPercentEncoding(u"Observation?category=laboratory"_s));
    Manifest m;
    QVERIFY(runExport(*s, path, &m));
    int observations = 0;
    bool sawPatient = false;
    for (const auto &[type, fileUrl] : m.outputs) {
        for (const QByteArray &line : m_http.get(fileUrl).body.chopped(1).split('\n')) {
            const QJsonObject res = QJsonDocument::fromJson(line).object();
            if (type == "Patient"_L1) {
                sawPatient = true;
                continue;
            }
            ++observations;
            QVERIFY(line.contains("\"laboratory\""));
            QVERIFY(!line.contains("\"vital-signs\""));
        }
    }
    QVERIFY(observations > 0);
    QVERIFY2(sawPatient, "a filter on Observation leaves other types alone");

    // A code filter (system|code), two queries ORed in one parameter.
    const QString codes = QString::fromLatin1(QUrl::toPercentEncoding(
        u"Observation?code=http://loinc.org|4548-4,Observation?code=8867-4"_s));
    Manifest byCode;
    QVERIFY(runExport(*s,
                      u"/Group/"_s + firstGroupWithMembers(*s) +
                          u"/$export?_type=Observation&_typeFilter="_s + codes,
                      &byCode));
    QSet<QString> loinc;
    for (const auto &[type, fileUrl] : byCode.outputs) {
        for (const QByteArray &line : m_http.get(fileUrl).body.chopped(1).split('\n')) {
            const QJsonObject res = QJsonDocument::fromJson(line).object();
            loinc.insert(
                str(arr(res.value("code"_L1).toObject(), "coding").first().toObject(), "code"));
        }
    }
    QCOMPARE(loinc, (QSet<QString>{u"4548-4"_s, u"8867-4"_s}));
}

void TestDemoServer::elements()
{
    auto s = makeServer(quick());
    Manifest m;
    QVERIFY(runExport(*s,
                      u"/Group/"_s + firstGroupWithMembers(*s) +
                          u"/$export?_type=Condition&_elements=code,Condition.subject"_s,
                      &m));
    QVERIFY(!m.outputs.isEmpty());
    for (const auto &[type, fileUrl] : m.outputs) {
        for (const QByteArray &line : m_http.get(fileUrl).body.chopped(1).split('\n')) {
            QVERIFY(line.startsWith("{\"resourceType\":\"Condition\""));
            const QJsonObject res = QJsonDocument::fromJson(line).object();
            QStringList keys = res.keys();
            keys.sort();
            QCOMPARE(keys,
                     (QStringList{u"code"_s, u"id"_s, u"meta"_s, u"resourceType"_s, u"subject"_s}));
            const QJsonArray tags = arr(res.value("meta"_L1).toObject(), "tag");
            QCOMPARE(str(tags.last().toObject(), "code"), u"SUBSETTED"_s);
        }
    }
}

void TestDemoServer::postWithPatients()
{
    auto s = makeServer(quick());
    const QString groupId = firstGroupWithMembers(*s, 3);
    const auto *group = s->cohort().group(groupId);
    const QString p1 = s->cohort().patient(group->members[0]).id;
    const QString p2 = s->cohort().patient(group->members[2]).id;
    auto body = [](const QStringList &patients, const QString &types) {
        QJsonArray parameters;
        parameters.append(QJsonObject{{u"name"_s, u"_type"_s}, {u"valueString"_s, types}});
        for (const QString &p : patients)
            parameters.append(QJsonObject{
                {u"name"_s, u"patient"_s},
                {u"valueReference"_s, QJsonObject{{u"reference"_s, u"Patient/"_s + p}}}});
        return QJsonDocument(
                   QJsonObject{{u"resourceType"_s, u"Parameters"_s}, {u"parameter"_s, parameters}})
            .toJson();
    };
    Manifest m;
    QVERIFY(runExport(*s, u"/Group/"_s + groupId + u"/$export"_s, &m, {},
                      body({p1, p2}, u"Patient,Encounter"_s)));
    QSet<QString> refs;
    for (const auto &[type, fileUrl] : m.outputs) {
        for (const QByteArray &line : m_http.get(fileUrl).body.chopped(1).split('\n')) {
            const QJsonObject res = QJsonDocument::fromJson(line).object();
            refs.insert(type == "Patient"_L1
                            ? u"Patient/"_s + str(res, "id")
                            : str(res.value("subject"_L1).toObject(), "reference"));
        }
    }
    QCOMPARE(refs, (QSet<QString>{u"Patient/"_s + p1, u"Patient/"_s + p2}));

    // A patient who is not in the group, and a body that is not Parameters.
    int outsider = -1;
    for (int i = 0; i < s->cohort().patientCount() && outsider < 0; ++i) {
        if (!group->members.contains(i))
            outsider = i;
    }
    QVERIFY(outsider >= 0);
    Headers headers = kickoffHeaders();
    headers.append(qMakePair(QByteArray("Content-Type"), QByteArray("application/fhir+json")));
    const Reply notMember =
        m_http.post(url(*s, u"/Group/"_s + groupId + u"/$export"_s),
                    body({s->cohort().patient(outsider).id}, u"Patient"_s), headers);
    QCOMPARE(notMember.status, 400);
    QVERIFY(notMember.outcomeText().contains("not a member"_L1));
    const Reply notParameters = m_http.post(url(*s, u"/Group/"_s + groupId + u"/$export"_s),
                                            "{\"resourceType\":\"Patient\"}", headers);
    QCOMPARE(notParameters.status, 400);
    const Reply notJson =
        m_http.post(url(*s, u"/Group/"_s + groupId + u"/$export"_s), "<html>", headers);
    QCOMPARE(notJson.status, 400);
}

void TestDemoServer::systemAndPatientLevel()
{
    demo::DemoServerOptions o = quick();
    o.patients = 12;
    auto s = makeServer(o);
    for (const QString &path : {u"/$export?_type=Patient"_s, u"/Patient/$export?_type=Patient"_s}) {
        Manifest m;
        QVERIFY(runExport(*s, path, &m));
        int patients = 0;
        for (const auto &[type, fileUrl] : m.outputs)
            patients += int(m_http.get(fileUrl).body.count('\n'));
        QCOMPARE(patients, 12);
    }
}

void TestDemoServer::lenientHandling()
{
    auto s = makeServer(quick());
    Manifest m;
    const QString path =
        u"/Group/"_s + firstGroupWithMembers(*s) +
        u"/$export?_type=Patient,Spaceship&includeAssociatedData=LatestProvenanceResources"_s;
    QVERIFY(runExport(*s, path, &m, {{"Prefer", "respond-async, handling=lenient"}}));
    const QJsonArray errors = arr(m.json, "error");
    QCOMPARE(errors.size(), 1);
    QCOMPARE(str(errors.first().toObject(), "type"), u"OperationOutcome"_s);
    const Reply e = m_http.get(QUrl(str(errors.first().toObject(), "url")));
    QCOMPARE(e.status, 200);
    const QList<QByteArray> lines = e.body.chopped(1).split('\n');
    QCOMPARE(lines.size(), 2);
    QVERIFY(e.body.contains("Spaceship"));
    QVERIFY(e.body.contains("includeAssociatedData"));
    QCOMPARE(m.outputs.size(), 1);
    QCOMPARE(m.outputs.first().first, u"Patient"_s);
}

void TestDemoServer::cancel()
{
    demo::DemoServerOptions o = quick();
    o.exportSeconds = 30;
    auto s = makeServer(o);
    const Reply kick = m_http.get(url(*s, u"/Group/"_s + firstGroupWithMembers(*s) + u"/$export"_s),
                                  kickoffHeaders());
    const QUrl status(QString::fromUtf8(kick.header("Content-Location")));
    QCOMPARE(m_http.get(status).status, 202);
    const Reply del = m_http.del(status);
    QCOMPARE(del.status, 202);
    QCOMPARE(m_http.get(status).status, 404);
    QCOMPARE(m_http.del(status).status, 404);

    // After completion, DELETE lets the server drop the files.
    auto quickServer = makeServer(quick());
    Manifest m;
    QVERIFY(runExport(
        *quickServer,
        u"/Group/"_s + firstGroupWithMembers(*quickServer) + u"/$export?_type=Patient"_s, &m));
    const QUrl file = m.outputs.first().second;
    QCOMPARE(m_http.get(file).status, 200);
    const QString statusUrl = quickServer->requestLog().at(1).path; // the first poll
    QVERIFY(statusUrl.contains("$export-poll-status"_L1));
    QCOMPARE(
        m_http.del(QUrl(u"http://127.0.0.1:%1"_s.arg(quickServer->baseUrl().port()) + statusUrl))
            .status,
        202);
    QCOMPARE(m_http.get(file).status, 404);
}

void TestDemoServer::gzipRangeAndBinary()
{
    auto s = makeServer(quick());
    Manifest m;
    QVERIFY(runExport(
        *s, u"/Group/"_s + firstGroupWithMembers(*s) + u"/$export?_type=Observation"_s, &m));
    const QUrl file = m.outputs.first().second;
    const Reply plain = m_http.get(file, {{"Accept-Encoding", "identity"}});
    QCOMPARE(plain.status, 200);
    QCOMPARE(plain.header("Accept-Ranges"), QByteArray("bytes"));
    QVERIFY(plain.header("Content-Encoding").isEmpty());
    QVERIFY(plain.body.size() > 1000);

    // Setting Accept-Encoding ourselves makes Qt hand over the raw gzip bytes.
    const Reply gz = m_http.get(file, {{"Accept-Encoding", "gzip"}});
    QCOMPARE(gz.status, 200);
    QCOMPARE(gz.header("Content-Encoding"), QByteArray("gzip"));
    QVERIFY(gz.body.size() < plain.body.size());
    QCOMPARE(gunzip(gz.body), plain.body);

    const Reply tail = m_http.get(file, {{"Range", "bytes=1000-"}, {"Accept-Encoding", "gzip"}});
    QCOMPARE(tail.status, 206);
    QVERIFY(tail.header("Content-Encoding").isEmpty());
    QCOMPARE(tail.header("Content-Range"), "bytes 1000-" +
                                               QByteArray::number(plain.body.size() - 1) + '/' +
                                               QByteArray::number(plain.body.size()));
    QCOMPARE(tail.body, plain.body.mid(1000));
    const Reply middle = m_http.get(file, {{"Range", "bytes=10-19"}});
    QCOMPARE(middle.status, 206);
    QCOMPARE(middle.body, plain.body.mid(10, 10));
    const Reply beyond = m_http.get(file, {{"Range", "bytes=99999999-"}});
    QCOMPARE(beyond.status, 416);
    QCOMPARE(beyond.header("Content-Range"), "bytes */" + QByteArray::number(plain.body.size()));

    // Asked for FHIR JSON, a Binary endpoint answers with a Binary resource.
    const Reply binary = m_http.get(file, {{"Accept", "application/fhir+json"}});
    QCOMPARE(binary.status, 200);
    QCOMPARE(str(binary.json(), "resourceType"), u"Binary"_s);
    QCOMPARE(str(binary.json(), "contentType"), u"application/fhir+ndjson"_s);
    QCOMPARE(QByteArray::fromBase64(str(binary.json(), "data").toLatin1()), plain.body);
    // The plain FHIR read path Binary/{id} serves the same file.
    QString readUrl = file.toString();
    readUrl.chop(QStringLiteral("/$binary-access-read").size());
    QCOMPARE(m_http.get(QUrl(readUrl)).body, plain.body);
}

void TestDemoServer::faultKickoff429()
{
    demo::DemoServerOptions o = quick();
    o.faults = {demo::Fault::Kickoff429};
    auto s = makeServer(o);
    const QUrl kickUrl = url(*s, u"/Group/"_s + firstGroupWithMembers(*s) + u"/$export"_s);
    const Reply first = m_http.get(kickUrl, kickoffHeaders());
    QCOMPARE(first.status, 429);
    QCOMPARE(first.header("Retry-After"), QByteArray("1"));
    QCOMPARE(first.outcomeCode(), u"throttled"_s);
    QCOMPARE(m_http.get(kickUrl, kickoffHeaders()).status, 202);
    QCOMPARE(s->faultsStruck(demo::Fault::Kickoff429), 1);
}

void TestDemoServer::faultPoll429AndTransient()
{
    demo::DemoServerOptions o = quick();
    o.faults = {demo::Fault::Poll429, demo::Fault::Transient};
    auto s = makeServer(o);
    const Reply kick = m_http.get(url(*s, u"/Group/"_s + firstGroupWithMembers(*s) + u"/$export"_s),
                                  kickoffHeaders());
    const QUrl status(QString::fromUtf8(kick.header("Content-Location")));
    const Reply r1 = m_http.get(status);
    QCOMPARE(r1.status, 429);
    QVERIFY(r1.header("Retry-After").toInt() >= 1);
    const Reply r2 = m_http.get(status);
    QCOMPARE(r2.status, 503);
    QCOMPARE(r2.outcomeCode(), u"transient"_s);
    // Both faults are spent: from now on the export just runs to completion.
    QTRY_COMPARE_WITH_TIMEOUT(m_http.get(status).status, 200, 10000);
    QCOMPARE(s->faultsStruck(demo::Fault::Poll429), 1);
    QCOMPARE(s->faultsStruck(demo::Fault::Transient), 1);
}

void TestDemoServer::faultFatal()
{
    demo::DemoServerOptions o = quick();
    o.faults = {demo::Fault::Fatal};
    auto s = makeServer(o);
    const Reply kick = m_http.get(url(*s, u"/Group/"_s + firstGroupWithMembers(*s) + u"/$export"_s),
                                  kickoffHeaders());
    QCOMPARE(kick.status, 202);
    const QUrl status(QString::fromUtf8(kick.header("Content-Location")));
    for (int i = 0; i < 3; ++i) {
        const Reply r = m_http.get(status);
        QCOMPARE(r.status, 500);
        QCOMPARE(r.outcomeCode(), u"exception"_s);
        QVERIFY(!r.outcomeText().isEmpty());
    }
}

void TestDemoServer::faultRetryAfterDate()
{
    demo::DemoServerOptions o = quick();
    o.exportSeconds = 3;
    o.faults = {demo::Fault::RetryAfterDate};
    auto s = makeServer(o);
    const Reply kick = m_http.get(url(*s, u"/Group/"_s + firstGroupWithMembers(*s) + u"/$export"_s),
                                  kickoffHeaders());
    const Reply r = m_http.get(QUrl(QString::fromUtf8(kick.header("Content-Location"))));
    QCOMPARE(r.status, 202);
    const auto when = fhir::parseHttpDate(r.header("Retry-After"));
    QVERIFY2(when.has_value(), r.header("Retry-After").constData());
    QVERIFY(*when > QDateTime::currentDateTimeUtc());
    QVERIFY(*when < QDateTime::currentDateTimeUtc().addSecs(10));
}

void TestDemoServer::faultBadManifest()
{
    demo::DemoServerOptions o = quick();
    o.faults = {demo::Fault::BadManifest};
    auto s = makeServer(o);
    const Reply kick = m_http.get(url(*s, u"/Group/"_s + firstGroupWithMembers(*s) + u"/$export"_s),
                                  kickoffHeaders());
    const QUrl status(QString::fromUtf8(kick.header("Content-Location")));
    Reply r;
    QTRY_VERIFY_WITH_TIMEOUT((r = m_http.get(status)).status != 202, 10000);
    QCOMPARE(r.status, 200);
    QJsonParseError e{};
    QJsonDocument::fromJson(r.body, &e);
    QVERIFY(e.error != QJsonParseError::NoError);
}

void TestDemoServer::faultDropConnection()
{
    demo::DemoServerOptions o = quick();
    o.faults = {demo::Fault::DropConnection};
    auto s = makeServer(o);
    s->setFault(demo::Fault::DropConnection, false); // let the export itself through
    Manifest m;
    QVERIFY(runExport(
        *s, u"/Group/"_s + firstGroupWithMembers(*s) + u"/$export?_type=Observation"_s, &m));
    s->setFault(demo::Fault::DropConnection, true);
    const QUrl file = m.outputs.first().second;
    const Reply broken = m_http.get(file, {{"Accept-Encoding", "identity"}});
    // Qt 6.4 sometimes reports a connection closed mid-body as a clean finish: the only sure
    // sign is a body shorter than its Content-Length (which a client must therefore check).
    const qint64 announced = broken.header("Content-Length").toLongLong();
    QVERIFY(announced > 0);
    QVERIFY2(broken.error != QNetworkReply::NoError || broken.body.size() < announced,
             qPrintable(u"status %1, %2 of %3 bytes"_s.arg(broken.status)
                            .arg(broken.body.size())
                            .arg(announced)));
    QVERIFY(broken.body.size() < announced);
    const Reply whole = m_http.get(file, {{"Accept-Encoding", "identity"}});
    QCOMPARE(whole.error, QNetworkReply::NoError);
    QCOMPARE(whole.status, 200);
    QVERIFY(broken.body.size() < whole.body.size());
    QCOMPARE(whole.body.count('\n'), m.counts.first());
    QCOMPARE(s->faultsStruck(demo::Fault::DropConnection), 1);
}

void TestDemoServer::faultSlowFiles()
{
    demo::DemoServerOptions o = quick();
    o.faults = {demo::Fault::SlowFiles};
    o.slowChunkBytes = 4096;
    o.slowChunkIntervalMs = 5;
    auto s = makeServer(o);
    Manifest m;
    QVERIFY(runExport(
        *s, u"/Group/"_s + firstGroupWithMembers(*s) + u"/$export?_type=Observation"_s, &m));
    const Reply slow = m_http.get(m.outputs.first().second, {{"Accept-Encoding", "identity"}});
    QCOMPARE(slow.status, 200);
    QCOMPARE(slow.body.count('\n'), m.counts.first());
    QVERIFY(slow.body.size() > 3 * 4096);
    QVERIFY2(slow.readyReadCount >= 3, "the body should arrive in several pieces");
}

void TestDemoServer::faultSecondOrigin()
{
    demo::DemoServerOptions o = quick();
    o.auth = true;
    o.clientId = u"client"_s;
    o.clientKeys = {m_esKey};
    o.faults = {demo::Fault::SecondOrigin};
    auto s = makeServer(o);
    const QByteArray token = fetchToken(*s, m_esKey, u"client"_s);
    QVERIFY(!token.isEmpty());
    Manifest m;
    QVERIFY(runExport(*s, u"/Group/"_s + firstGroupWithMembers(*s) + u"/$export?_type=Patient"_s,
                      &m, bearer(token)));
    QCOMPARE(m.json.value("requiresAccessToken"_L1).toBool(true), false);
    const QUrl file = m.outputs.first().second;
    QCOMPARE(file.port(), s->secondOriginUrl().port());
    QVERIFY(file.port() != s->baseUrl().port());
    const Reply r = m_http.get(file);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.body.count('\n'), m.counts.first());
    QCOMPARE(s->secondOriginRequests(), 1);
    QCOMPARE(s->secondOriginRequestsWithAuthorization(), 0);
    // The recorder notices a client that leaks its token there.
    QCOMPARE(m_http.get(file, bearer(token)).status, 200);
    QCOMPARE(s->secondOriginRequestsWithAuthorization(), 1);
}

void TestDemoServer::faultRedirectFiles()
{
    demo::DemoServerOptions o = quick();
    o.faults = {demo::Fault::RedirectFiles};
    auto s = makeServer(o);
    Manifest m;
    QVERIFY(
        runExport(*s, u"/Group/"_s + firstGroupWithMembers(*s) + u"/$export?_type=Patient"_s, &m));
    const Reply hop = m_http.get(m.outputs.first().second);
    QCOMPARE(hop.status, 307);
    const QUrl location(QString::fromUtf8(hop.header("Location")));
    QCOMPARE(location.port(), s->secondOriginUrl().port());
    const Reply r = m_http.get(location);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.body.count('\n'), m.counts.first());
}

void TestDemoServer::faultExpiringUrls()
{
    demo::DemoServerOptions o = quick();
    o.faults = {demo::Fault::ExpiringUrls};
    auto s = makeServer(o);
    Manifest first;
    QVERIFY(runExport(*s, u"/Group/"_s + firstGroupWithMembers(*s) + u"/$export?_type=Patient"_s,
                      &first));
    const Reply expired = m_http.get(first.outputs.first().second);
    QCOMPARE(expired.status, 410);
    QCOMPARE(expired.outcomeCode(), u"expired"_s);
    QCOMPARE(s->faultsStruck(demo::Fault::ExpiringUrls), 1);
    // The status URL hands out the same files with fresh URLs that work.
    QUrl status = s->baseUrl();
    for (const auto &r : s->requestLog()) {
        if (r.path.contains("$export-poll-status"_L1))
            status.setPath(r.path);
    }
    const Reply again = m_http.get(status, {{"Accept", "application/json"}});
    QCOMPARE(again.status, 200);
    const QJsonObject fresh = arr(again.json(), "output").first().toObject();
    QCOMPARE(str(fresh, "type"), first.outputs.first().first);
    const QUrl url(str(fresh, "url"));
    QVERIFY(url != first.outputs.first().second);
    const Reply r = m_http.get(url);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.body.count('\n'), first.counts.first());
}

void TestDemoServer::authTokens()
{
    demo::DemoServerOptions o = quick();
    o.auth = true;
    o.clientId = u"bulk-client"_s;
    o.clientKeys = {m_rsKey, m_esKey};
    auto s = makeServer(o);
    const QUrl groups = url(*s, u"/Group"_s);
    const Reply anonymous = m_http.get(groups);
    QCOMPARE(anonymous.status, 401);
    QVERIFY(anonymous.header("WWW-Authenticate").startsWith("Bearer"));
    QCOMPARE(m_http.get(groups, bearer("not-a-token")).status, 401);

    for (const auth::Key &key : {m_rsKey, m_esKey}) {
        Reply tokenReply;
        const QByteArray token = fetchToken(
            *s, key, u"bulk-client"_s, u"system/Group.read system/Patient.read"_s, &tokenReply);
        QCOMPARE(tokenReply.status, 200);
        QVERIFY(!token.isEmpty());
        QCOMPARE(tokenReply.json().value("expires_in"_L1).toInt(), 300);
        QCOMPARE(str(tokenReply.json(), "token_type"), u"bearer"_s);
        QCOMPARE(str(tokenReply.json(), "scope"), u"system/Group.read system/Patient.read"_s);
        QCOMPARE(m_http.get(groups, bearer(token)).status, 200);
        // Files need the token too: requiresAccessToken is true.
        Manifest m;
        QVERIFY(runExport(*s,
                          u"/Group/"_s + firstGroupWithMembers(*s) + u"/$export?_type=Patient"_s,
                          &m, bearer(token)));
        QCOMPARE(m.json.value("requiresAccessToken"_L1).toBool(), true);
        QCOMPARE(m_http.get(m.outputs.first().second).status, 401);
        QCOMPARE(m_http.get(m.outputs.first().second, bearer(token)).status, 200);
    }
    QCOMPARE(s->tokensIssued(), 2);
}

void TestDemoServer::authRejections_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("error");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("unknown kid") << u"kid"_s << u"invalid_client"_s << u"kid"_s;
    QTest::newRow("wrong key") << u"key"_s << u"invalid_client"_s << u"signature"_s;
    QTest::newRow("expired") << u"expired"_s << u"invalid_client"_s << u"expired"_s;
    QTest::newRow("exp too far") << u"far"_s << u"invalid_client"_s << u"five minutes"_s;
    QTest::newRow("wrong aud") << u"aud"_s << u"invalid_client"_s << u"aud"_s;
    QTest::newRow("wrong iss") << u"iss"_s << u"invalid_client"_s << u"iss"_s;
    QTest::newRow("replayed jti") << u"replay"_s << u"invalid_client"_s << u"replay"_s;
    QTest::newRow("invalid scope") << u"scope"_s << u"invalid_scope"_s << u"patient/*.read"_s;
    QTest::newRow("wrong grant") << u"grant"_s << u"unsupported_grant_type"_s
                                 << u"client_credentials"_s;
    QTest::newRow("not a JWT") << u"garbage"_s << u"invalid_client"_s << u"JWT"_s;
}

void TestDemoServer::authRejections()
{
    QFETCH(QString, kind);
    QFETCH(QString, error);
    QFETCH(QString, mentions);
    demo::DemoServerOptions o = quick();
    o.auth = true;
    o.clientId = u"bulk-client"_s;
    o.clientKeys = {m_rsKey};
    auto s = makeServer(o);

    const qint64 now = QDateTime::currentSecsSinceEpoch();
    QJsonObject claims{
        {u"iss"_s, u"bulk-client"_s},
        {u"sub"_s, u"bulk-client"_s},
        {u"aud"_s, s->tokenUrl().toString()},
        {u"exp"_s, now + 120},
        {u"jti"_s, u"jti-%1"_s.arg(QString::fromLatin1(QTest::currentDataTag()).toHtmlEscaped())}};
    auth::Key signer = m_rsKey;
    QString scope = u"system/*.read"_s;
    QString grant = u"client_credentials"_s;
    if (kind == "kid"_L1) {
        signer = auth::Key::fromJwk(m_rsKey.privateJwk());
        signer.setKeyId(u"someone-else"_s);
    } else if (kind == "key"_L1) {
        signer = auth::Key::generate(auth::JwtAlgorithm::RS384, m_rsKey.keyId());
    } else if (kind == "expired"_L1) {
        claims[u"exp"_s] = now - 10;
    } else if (kind == "far"_L1) {
        claims[u"exp"_s] = now + 3600;
    } else if (kind == "aud"_L1) {
        claims[u"aud"_s] = u"https://elsewhere.example/token"_s;
    } else if (kind == "iss"_L1) {
        claims[u"iss"_s] = u"other-client"_s;
    } else if (kind == "scope"_L1) {
        scope = u"patient/*.read"_s;
    } else if (kind == "grant"_L1) {
        grant = u"authorization_code"_s;
    }
    QByteArray assertion = auth::signJwt(signer, {}, claims);
    if (kind == "garbage"_L1)
        assertion = "not.a-jwt";
    QUrlQuery form;
    form.addQueryItem(u"grant_type"_s, grant);
    form.addQueryItem(u"scope"_s, scope);
    form.addQueryItem(u"client_assertion_type"_s,
                      u"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"_s);
    form.addQueryItem(u"client_assertion"_s, QString::fromLatin1(assertion));
    const QByteArray body = form.toString(QUrl::FullyEncoded).toUtf8();
    const Headers headers{{"Content-Type", "application/x-www-form-urlencoded"}};
    if (kind == "replay"_L1)
        QCOMPARE(m_http.post(s->tokenUrl(), body, headers).status, 200);
    const Reply r = m_http.post(s->tokenUrl(), body, headers);
    QCOMPARE(r.status, 400);
    QCOMPARE(str(r.json(), "error"), error);
    QVERIFY2(str(r.json(), "error_description").contains(mentions),
             qPrintable(str(r.json(), "error_description")));
    QCOMPARE(s->tokensIssued(), kind == "replay"_L1 ? 1 : 0);
}

void TestDemoServer::authTokenLifetime()
{
    demo::DemoServerOptions o = quick();
    o.auth = true;
    o.clientId = u"bulk-client"_s;
    o.clientKeys = {m_esKey};
    o.tokenLifetimeSeconds = 1;
    auto s = makeServer(o);
    Reply tokenReply;
    const QByteArray token =
        fetchToken(*s, m_esKey, u"bulk-client"_s, u"system/*.read"_s, &tokenReply);
    QCOMPARE(tokenReply.json().value("expires_in"_L1).toInt(), 1);
    QCOMPARE(m_http.get(url(*s, u"/Group"_s), bearer(token)).status, 200);
    QTRY_COMPARE_WITH_TIMEOUT(m_http.get(url(*s, u"/Group"_s), bearer(token)).status, 401, 5000);
    const Reply expired = m_http.get(url(*s, u"/Group"_s), bearer(token));
    QVERIFY(expired.outcomeText().contains("expired"_L1));
}

void TestDemoServer::faultTokenExpiry()
{
    demo::DemoServerOptions o = quick();
    o.auth = true;
    o.clientId = u"bulk-client"_s;
    o.clientKeys = {m_rsKey};
    o.faults = {demo::Fault::TokenExpiry};
    auto s = makeServer(o);
    QByteArray token = fetchToken(*s, m_rsKey, u"bulk-client"_s);
    Manifest m;
    QVERIFY(runExport(
        *s, u"/Group/"_s + firstGroupWithMembers(*s) + u"/$export?_type=Patient,Condition"_s, &m,
        bearer(token)));
    QVERIFY(m.outputs.size() >= 2);
    const QUrl file = m.outputs.first().second;
    QCOMPARE(m_http.get(file, bearer(token)).status, 401);
    // The token is gone everywhere, as an expired one would be.
    QCOMPARE(m_http.get(url(*s, u"/Group"_s), bearer(token)).status, 401);
    token = fetchToken(*s, m_rsKey, u"bulk-client"_s);
    QCOMPARE(m_http.get(file, bearer(token)).status, 200);
    // Once per file: the next file's first request strikes again, then the fault is spent.
    const QUrl second = m.outputs.at(1).second;
    QCOMPARE(m_http.get(second, bearer(token)).status, 401);
    token = fetchToken(*s, m_rsKey, u"bulk-client"_s);
    QCOMPARE(m_http.get(second, bearer(token)).status, 200);
    QCOMPARE(m_http.get(file, bearer(token)).status, 200);
    QCOMPARE(s->faultsStruck(demo::Fault::TokenExpiry), 2);
}

void TestDemoServer::sameSeedSameBytes()
{
    auto a = makeServer(quick());
    auto b = makeServer(quick());
    const QString path =
        u"/Group/"_s + firstGroupWithMembers(*a) + u"/$export?_type=Patient,Observation"_s;
    Manifest ma, mb;
    QVERIFY(runExport(*a, path, &ma));
    QVERIFY(runExport(*b, path, &mb));
    QCOMPARE(ma.outputs.size(), mb.outputs.size());
    for (qsizetype i = 0; i < ma.outputs.size(); ++i)
        QCOMPARE(m_http.get(ma.outputs[i].second).body, m_http.get(mb.outputs[i].second).body);
}

void TestDemoServer::manifestPagesAndDeleted()
{
    demo::DemoServerOptions o = quick();
    o.resourcesPerFile = 100;
    o.manifestPageSize = 2;
    auto s = makeServer(o);
    const QString group = firstGroupWithMembers(*s, 5);
    const Reply kick = m_http.get(url(*s, u"/Group/"_s + group + u"/$export?_type=Patient,Observation&_since=2019-01-01T00:00:00Z"_s), kickoffHeaders());
    QCOMPARE(kick.status, 202);
    QUrl page(QString::fromUtf8(kick.header("Content-Location")));
    Reply r;
    QTRY_VERIFY_WITH_TIMEOUT((r = m_http.get(page)).status == 200, 10000);
    int pages = 0;
    qsizetype outputs = 0;
    QJsonArray deleted;
    while (true) {
        ++pages;
        const QJsonObject m = r.json();
        QVERIFY(m.contains("transactionTime"_L1));
        QVERIFY(arr(m, "output").size() <= 2);
        outputs += arr(m, "output").size();
        if (pages == 1)
            deleted = arr(m, "deleted");
        else
            QVERIFY(arr(m, "deleted").isEmpty());
        QUrl next;
        for (const QJsonValue &l : arr(m, "link"))
            if (str(l.toObject(), "relation") == "next"_L1)
                next = QUrl(str(l.toObject(), "url"));
        if (next.isEmpty())
            break;
        QVERIFY(pages < 50);
        r = m_http.get(next);
        QCOMPARE(r.status, 200);
    }
    QVERIFY(pages >= 2);
    QVERIFY(outputs > 2);
    // Deleted: Bundles of DELETE entries, one per patient of the group.
    QCOMPARE(deleted.size(), 1);
    QCOMPARE(str(deleted.first().toObject(), "type"), u"Bundle"_s);
    const Reply d = m_http.get(QUrl(str(deleted.first().toObject(), "url")));
    QCOMPARE(d.status, 200);
    const QList<QByteArray> lines = d.body.chopped(1).split('\n');
    QCOMPARE(lines.size(), s->cohort().group(group)->members.size());
    for (const QByteArray &line : lines) {
        const QJsonObject bundle = QJsonDocument::fromJson(line).object();
        QCOMPARE(str(bundle, "resourceType"), u"Bundle"_s);
        const QJsonObject request = arr(bundle, "entry").first().toObject().value("request"_L1).toObject();
        QCOMPARE(str(request, "method"), u"DELETE"_s);
        QVERIFY(str(request, "url").startsWith("Observation/"_L1));
    }
}

QTEST_GUILESS_MAIN(TestDemoServer)
#include "tst_DemoServer.moc"
