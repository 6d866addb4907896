// ProfileStore and ServerProfile on a temporary INI file: the built-in demo profile, unique
// names, export/import without secrets, and validation of what comes from files.

#include "auth/ProfileStore.h"
#include "auth/ServerProfile.h"

#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace cohort::auth;
using namespace Qt::StringLiterals;

namespace {

// A self-signed test certificate (public material only).
const char *const kCertificate = R"(-----BEGIN CERTIFICATE-----
MIIBiDCCAS+gAwIBAgIUO8h61QOSM0RnWyYFouRf2kbUm+UwCgYIKoZIzj0EAwIw
GTEXMBUGA1UEAwwOY29ob3J0LXRlc3QtY2EwIBcNMjYxMTI4MDQwNzI0WhgPMjEy
NjExMDQwNDA3MjRaMBkxFzAVBgNVBAMMDmNvaG9ydC10ZXN0LWNhMFkwEwYHKoZI
zj0CAQYIKoZIzj0DAQcDQgAE0vw4h1zCwKkZD8cGjn1Lrueaoy0VsrOmDIrtMvw/
gzTF1iULOHhPuZG6Str3pBNB4Lew5s8pNGsMpvhFnrpbsaNTMFEwHQYDVR0OBBYE
FCvzjGp2XM9GHXQa1fwf+3U17eoVMB8GA1UdIwQYMBaAFCvzjGp2XM9GHXQa1fwf
+3U17eoVMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDRwAwRAIgckK14e27
4TFxBysUs1Fqq6pQZgqdjRXwFo31TFBiOHoCIH9ICugf/mmu8lQCv1Gw2qyCKkOk
SGXlYN4Cp9ie9zTv
-----END CERTIFICATE-----
)";

ServerProfile makeProfile(const QString &name,
                          const QString &url = u"https://fhir.example.org/r4"_s)
{
    ServerProfile p;
    p.name = name;
    p.baseUrl = QUrl(url);
    return p;
}

} // namespace

class TestProfileStore : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<QSettings> m_settings;
    std::unique_ptr<ProfileStore> m_store;

    QString iniPath() const { return m_dir->filePath(u"settings.ini"_s); }
    // A second store on the same file, as the app and the command line would be.
    std::unique_ptr<ProfileStore> reopen(std::unique_ptr<QSettings> &settings) const
    {
        settings = std::make_unique<QSettings>(iniPath(), QSettings::IniFormat);
        return std::make_unique<ProfileStore>(settings.get());
    }

private slots:
    void init();
    void cleanup();

    void demoProfileAlwaysFirst();
    void demoProfileCannotBeRemovedOrRenamed();
    void demoPreferencesPersist();
    void saveInsertsAndUpdates();
    void namesAreUnique();
    void profileByNameIgnoresCase();
    void removeDeletesFromFile();
    void settingsHoldNoSecrets();
    void exportImportRoundTrip();
    void exportSelectedSkipsDemo();
    void importRenamesClashes();
    void importRejectsBadFiles_data();
    void importRejectsBadFiles();
    void fromJsonValidates_data();
    void fromJsonValidates();
    void authMethodNames();
};

void TestProfileStore::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_settings = std::make_unique<QSettings>(iniPath(), QSettings::IniFormat);
    m_store = std::make_unique<ProfileStore>(m_settings.get());
}

void TestProfileStore::cleanup()
{
    m_store.reset();
    m_settings.reset();
    m_dir.reset();
}

void TestProfileStore::demoProfileAlwaysFirst()
{
    QList<ServerProfile> all = m_store->profiles();
    QCOMPARE(all.size(), 1);
    QCOMPARE(all.first().id, u"demo"_s);
    QCOMPARE(all.first().name, u"Demo server"_s);
    QVERIFY(all.first().builtIn);
    QVERIFY(all.first().baseUrl.isEmpty());

    QVERIFY(m_store->save(makeProfile(u"Aardvark"_s)));
    QVERIFY(m_store->save(makeProfile(u"zebra"_s)));
    QVERIFY(m_store->save(makeProfile(u"Beta"_s)));
    all = m_store->profiles();
    QCOMPARE(all.size(), 4);
    QCOMPARE(all.at(0).id, u"demo"_s);
    QCOMPARE(all.at(1).name, u"Aardvark"_s);
    QCOMPARE(all.at(2).name, u"Beta"_s);
    QCOMPARE(all.at(3).name, u"zebra"_s);
    for (qsizetype i = 1; i < all.size(); ++i)
        QVERIFY(!all.at(i).builtIn);

    // The app fills in the address of the demo server it started.
    QSignalSpy changed(m_store.get(), &ProfileStore::profilesChanged);
    m_store->setDemoBaseUrl(QUrl(u"http://127.0.0.1:4567/fhir"_s));
    QCOMPARE(changed.size(), 1);
    QCOMPARE(m_store->profile(u"demo"_s)->baseUrl, QUrl(u"http://127.0.0.1:4567/fhir"_s));
    // ... which is run-time state, not something stored.
    m_settings->sync();
    QFile ini(iniPath());
    QVERIFY(ini.open(QIODevice::ReadOnly));
    QVERIFY(!ini.readAll().contains("4567"));
}

void TestProfileStore::demoProfileCannotBeRemovedOrRenamed()
{
    QSignalSpy changed(m_store.get(), &ProfileStore::profilesChanged);
    QString error;
    QVERIFY(!m_store->remove(u"demo"_s, &error));
    QVERIFY2(error.contains("demo server profile cannot be removed"_L1), qPrintable(error));

    ServerProfile demo = m_store->profiles().first();
    demo.name = u"My demo"_s;
    QVERIFY(!m_store->save(demo, &error));
    QVERIFY2(error.contains("cannot be renamed"_L1), qPrintable(error));
    QCOMPARE(changed.size(), 0);
    QCOMPARE(m_store->profiles().first().name, u"Demo server"_s);

    // Nor can another profile take its name.
    QVERIFY(!m_store->save(makeProfile(u"demo SERVER"_s), &error));
    QVERIFY2(error.contains("already exists"_L1), qPrintable(error));
}

void TestProfileStore::demoPreferencesPersist()
{
    ServerProfile demo = m_store->profiles().first();
    demo.parallelDownloads = 9;
    demo.outputFolder = u"/tmp/exports"_s;
    demo.baseUrl = QUrl(u"http://127.0.0.1:1/fhir"_s); // not stored
    demo.clientId = u"ignored"_s;                      // not a preference
    QVERIFY(m_store->save(demo));

    std::unique_ptr<QSettings> settings;
    const auto again = reopen(settings);
    const ServerProfile stored = again->profiles().first();
    QCOMPARE(stored.id, u"demo"_s);
    QCOMPARE(stored.parallelDownloads, 9);
    QCOMPARE(stored.outputFolder, u"/tmp/exports"_s);
    QVERIFY(stored.baseUrl.isEmpty());
    QVERIFY(stored.clientId.isEmpty());

    demo.parallelDownloads = 33;
    QString error;
    QVERIFY(!m_store->save(demo, &error));
    QVERIFY(error.contains("1 to 32"_L1));
}

void TestProfileStore::saveInsertsAndUpdates()
{
    QSignalSpy changed(m_store.get(), &ProfileStore::profilesChanged);
    ServerProfile p = makeProfile(u"Production"_s);
    p.environment = u"Production"_s;
    p.auth = ServerProfile::AuthMethod::SmartBackend;
    p.clientId = u"cohort-client"_s;
    p.scopes = u"system/Patient.read  system/Observation.read"_s;
    p.keyId = u"key-1"_s;
    p.algorithm = JwtAlgorithm::RS384;
    p.tokenUrl = QUrl(u"https://auth.example.org/token"_s);
    p.caCertificatePem = kCertificate;
    p.parallelDownloads = 8;
    p.outputFolder = u"/data/exports"_s;
    QVERIFY(!p.id.isEmpty());
    QString error;
    QVERIFY2(m_store->save(p, &error), qPrintable(error));
    QCOMPARE(changed.size(), 1);

    std::unique_ptr<QSettings> settings;
    const auto again = reopen(settings);
    auto stored = again->profile(p.id);
    QVERIFY(stored);
    p.scopes = u"system/Patient.read system/Observation.read"_s; // normalized
    QCOMPARE(*stored, p);

    // Update by id: same id, new values, still one profile.
    p.name = u"Production EU"_s;
    p.parallelDownloads = 2;
    QVERIFY(m_store->save(p));
    QCOMPARE(changed.size(), 2);
    QCOMPARE(m_store->profiles().size(), 2);
    QCOMPARE(m_store->profile(p.id)->name, u"Production EU"_s);
    QCOMPARE(m_store->profile(p.id)->parallelDownloads, 2);
    QVERIFY(!m_store->profileByName(u"Production"_s));

    // Invalid profiles are refused with a sentence and change nothing.
    ServerProfile bad = p;
    bad.baseUrl = QUrl(u"ftp://example.org"_s);
    QVERIFY(!m_store->save(bad, &error));
    QVERIFY2(error.contains("http://"_L1), qPrintable(error));
    QCOMPARE(m_store->profile(p.id)->baseUrl, p.baseUrl);
    QCOMPARE(changed.size(), 2);
}

void TestProfileStore::namesAreUnique()
{
    ServerProfile first = makeProfile(u"Preview"_s);
    QVERIFY(m_store->save(first));
    QString error;
    QVERIFY(!m_store->save(makeProfile(u"  preview "_s), &error));
    QVERIFY2(error.contains("already exists"_L1), qPrintable(error));

    ServerProfile second = makeProfile(u"Staging"_s);
    QVERIFY(m_store->save(second));
    second.name = u"PREVIEW"_s;
    QVERIFY(!m_store->save(second, &error));
    // Saving a profile under its own name again is fine.
    first.environment = u"Preview"_s;
    QVERIFY2(m_store->save(first, &error), qPrintable(error));
    QCOMPARE(m_store->profiles().size(), 3);
}

void TestProfileStore::profileByNameIgnoresCase()
{
    const ServerProfile p = makeProfile(u"Hospital Preview"_s);
    QVERIFY(m_store->save(p));
    QCOMPARE(m_store->profileByName(u"hospital preview"_s)->id, p.id);
    QCOMPARE(m_store->profileByName(u" HOSPITAL   Preview "_s)->id, p.id);
    QCOMPARE(m_store->profileByName(u"demo server"_s)->id, u"demo"_s);
    QVERIFY(!m_store->profileByName(u"Hospital"_s));
    QVERIFY(!m_store->profile(u"nope"_s));
}

void TestProfileStore::removeDeletesFromFile()
{
    const ServerProfile keep = makeProfile(u"Keep"_s);
    const ServerProfile drop = makeProfile(u"Drop"_s, u"https://drop.example.org/fhir"_s);
    QVERIFY(m_store->save(keep));
    QVERIFY(m_store->save(drop));
    QSignalSpy changed(m_store.get(), &ProfileStore::profilesChanged);
    QString error;
    QVERIFY2(m_store->remove(drop.id, &error), qPrintable(error));
    QCOMPARE(changed.size(), 1);
    QVERIFY(!m_store->profile(drop.id));
    QVERIFY(m_store->profile(keep.id));
    QVERIFY(!m_store->remove(drop.id, &error));
    QVERIFY(error.contains(drop.id));

    QFile ini(iniPath());
    QVERIFY(ini.open(QIODevice::ReadOnly));
    const QByteArray text = ini.readAll();
    QVERIFY(!text.contains("drop.example.org"));
    QVERIFY(text.contains("fhir.example.org"));
}

void TestProfileStore::settingsHoldNoSecrets()
{
    // Every kind of profile, each with all the non-secret fields set.
    for (const auto method :
         {ServerProfile::AuthMethod::BearerToken, ServerProfile::AuthMethod::SmartBackend,
          ServerProfile::AuthMethod::ClientSecret}) {
        ServerProfile p = makeProfile(authMethodName(method));
        p.auth = method;
        p.clientId = u"client"_s;
        p.keyId = u"kid"_s;
        QVERIFY(m_store->save(p));
    }
    m_settings->sync();
    QFile ini(iniPath());
    QVERIFY(ini.open(QIODevice::ReadOnly));
    const QByteArray text = ini.readAll().toLower();
    for (const char *word :
         {"password", "privatekey", "private_key", "begin private", "secret\"", "token\"", "\"d\""})
        QVERIFY2(!text.contains(word), word);
    // toJson is what goes to the file and to exports: it has no member that could hold one.
    const QStringList members = makeProfile(u"x"_s).toJson().keys();
    for (const QString &member : members)
        QVERIFY2(!member.contains("secret"_L1, Qt::CaseInsensitive) &&
                     !member.contains("password"_L1, Qt::CaseInsensitive) && member != "token"_L1 &&
                     member != "privateKey"_L1,
                 qPrintable(member));
}

void TestProfileStore::exportImportRoundTrip()
{
    ServerProfile smart = makeProfile(u"Smart"_s);
    smart.auth = ServerProfile::AuthMethod::SmartBackend;
    smart.clientId = u"client-1"_s;
    smart.keyId = u"kid-1"_s;
    smart.caCertificatePem = kCertificate;
    smart.environment = u"Production"_s;
    ServerProfile bearer = makeProfile(u"Bearer"_s, u"http://localhost:8080/fhir"_s);
    bearer.auth = ServerProfile::AuthMethod::BearerToken;
    QVERIFY(m_store->save(smart));
    QVERIFY(m_store->save(bearer));

    const QByteArray exported = m_store->exportJson({});
    const QJsonObject root = QJsonDocument::fromJson(exported).object();
    QCOMPARE(root.value("cohortExportProfiles"_L1).toInt(), 1);
    const QJsonArray list = root.value("profiles"_L1).toArray();
    QCOMPARE(list.size(), 2); // the demo profile is never exported
    for (const QJsonValue &value : list) {
        const QJsonObject o = value.toObject();
        QVERIFY(!o.contains("builtIn"_L1));
        for (const QString &member : o.keys())
            QVERIFY2(!member.contains("secret"_L1, Qt::CaseInsensitive), qPrintable(member));
    }

    // Into a fresh store: same profiles, same ids (no clash there).
    QTemporaryDir otherDir;
    QSettings otherSettings(otherDir.filePath(u"other.ini"_s), QSettings::IniFormat);
    ProfileStore other(&otherSettings);
    QSignalSpy changed(&other, &ProfileStore::profilesChanged);
    QString error = u"stale"_s;
    const QList<ServerProfile> imported = other.importJson(exported, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(imported.size(), 2);
    QCOMPARE(changed.size(), 1);
    QCOMPARE(*other.profile(smart.id), smart);
    QCOMPARE(*other.profile(bearer.id), bearer);
    QCOMPARE(other.profiles().size(), 3);
}

void TestProfileStore::exportSelectedSkipsDemo()
{
    const ServerProfile a = makeProfile(u"A"_s);
    const ServerProfile b = makeProfile(u"B"_s);
    QVERIFY(m_store->save(a));
    QVERIFY(m_store->save(b));
    const QJsonArray list =
        QJsonDocument::fromJson(m_store->exportJson({b.id, u"demo"_s, u"unknown"_s}))
            .object()
            .value("profiles"_L1)
            .toArray();
    QCOMPARE(list.size(), 1);
    QCOMPARE(list.first().toObject().value("name"_L1).toString(), u"B"_s);
}

void TestProfileStore::importRenamesClashes()
{
    const ServerProfile original = makeProfile(u"Production"_s);
    QVERIFY(m_store->save(original));
    const QByteArray exported = m_store->exportJson({original.id});

    // Importing our own export again: the id and the name are both taken.
    QString error;
    QList<ServerProfile> imported = m_store->importJson(exported, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(imported.size(), 1);
    QVERIFY(imported.first().id != original.id);
    QCOMPARE(imported.first().name, u"Production (2)"_s);
    QCOMPARE(imported.first().baseUrl, original.baseUrl);

    // Third time: " (3)", and a file whose own name already has a suffix does not nest them.
    imported = m_store->importJson(exported, &error);
    QCOMPARE(imported.first().name, u"Production (3)"_s);
    imported = m_store->importJson(m_store->exportJson({imported.first().id}), &error);
    QCOMPARE(imported.first().name, u"Production (4)"_s);

    // Two profiles in one file with the same name, and one named like the demo profile.
    QJsonArray list;
    list.append(makeProfile(u"Twin"_s).toJson());
    list.append(makeProfile(u"twin"_s).toJson());
    QJsonObject demoLike = makeProfile(u"Demo server"_s).toJson();
    demoLike.insert("id"_L1, u"demo"_s);
    list.append(demoLike);
    const QJsonObject root{{"cohortExportProfiles"_L1, 1}, {"profiles"_L1, list}};
    imported = m_store->importJson(QJsonDocument(root).toJson(), &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(imported.size(), 3);
    QCOMPARE(imported.at(0).name, u"Twin"_s);
    QCOMPARE(imported.at(1).name, u"twin (2)"_s);
    QCOMPARE(imported.at(2).name, u"Demo server (2)"_s);
    QVERIFY(imported.at(2).id != u"demo"_s);
    QVERIFY(!imported.at(2).builtIn);
    QCOMPARE(m_store->profiles().first().name, u"Demo server"_s);
    QCOMPARE(m_store->profiles().size(), 1 + 4 + 3); // demo, Production x4, the three above
}

void TestProfileStore::importRejectsBadFiles_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("expected");
    QTest::newRow("not json") << QByteArray("{\"cohortExportProfiles\": 1,") << u"not valid JSON"_s;
    QTest::newRow("array") << QByteArray("[]") << u"not a Cohort Export profile file"_s;
    QTest::newRow("other json") << QByteArray("{\"resourceType\": \"Bundle\"}")
                                << u"not a Cohort Export profile file"_s;
    QTest::newRow("newer version")
        << QByteArray("{\"cohortExportProfiles\": 2, \"profiles\": []}") << u"format version 2"_s;
    QTest::newRow("profile not object")
        << QByteArray("{\"cohortExportProfiles\": 1, \"profiles\": [3]}")
        << u"Profile 1 in the file"_s;
    // The second one is bad, so not even the first is imported.
    QTest::newRow("second invalid")
        << QByteArray("{\"cohortExportProfiles\": 1, \"profiles\": ["
                      "{\"name\": \"Good\", \"baseUrl\": \"https://good.example.org/fhir\"},"
                      "{\"name\": \"Bad\", \"baseUrl\": \"file:///etc/passwd\"}]}")
        << u"Profile 2 in the file"_s;
}

void TestProfileStore::importRejectsBadFiles()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, expected);
    QSignalSpy changed(m_store.get(), &ProfileStore::profilesChanged);
    QString error;
    QVERIFY(m_store->importJson(json, &error).isEmpty());
    QVERIFY2(error.contains(expected), qPrintable(error));
    QCOMPARE(changed.size(), 0);
    QCOMPARE(m_store->profiles().size(), 1);
}

void TestProfileStore::fromJsonValidates_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("expected"); // empty: valid
    const QByteArray ok = R"("name": "N", "baseUrl": "https://fhir.example.org/r4")";
    auto with = [&ok](const char *extra) {
        return '{' + ok + ", " + extra + '}';
    };
    QTest::newRow("minimal") << '{' + ok + '}' << QString();
    QTest::newRow("no name") << QByteArray(R"({"baseUrl": "https://x.org"})") << u"needs a name"_s;
    QTest::newRow("blank name") << QByteArray(R"({"name": "  ", "baseUrl": "https://x.org"})")
                                << u"needs a name"_s;
    QTest::newRow("no url") << QByteArray(R"({"name": "N"})") << u"http:// or https://"_s;
    QTest::newRow("ftp url") << QByteArray(R"({"name": "N", "baseUrl": "ftp://x.org"})")
                             << u"http:// or https://"_s;
    QTest::newRow("relative url") << QByteArray(R"({"name": "N", "baseUrl": "/fhir"})")
                                  << u"http:// or https://"_s;
    QTest::newRow("parallel 0") << with(R"("parallelDownloads": 0)") << u"1 to 32"_s;
    QTest::newRow("parallel 33") << with(R"("parallelDownloads": 33)") << u"1 to 32"_s;
    QTest::newRow("parallel 2.5") << with(R"("parallelDownloads": 2.5)") << u"1 to 32"_s;
    QTest::newRow("parallel text") << with(R"("parallelDownloads": "4")") << u"1 to 32"_s;
    QTest::newRow("parallel 1") << with(R"("parallelDownloads": 1)") << QString();
    QTest::newRow("parallel 32") << with(R"("parallelDownloads": 32)") << QString();
    QTest::newRow("unknown auth") << with(R"("auth": "kerberos")") << u"kerberos"_s;
    QTest::newRow("unknown alg") << with(R"("algorithm": "HS256")") << u"HS256"_s;
    QTest::newRow("bad token url") << with(R"("tokenUrl": "not a url")") << u"token URL"_s;
    QTest::newRow("bad id") << with(R"("id": "../../etc")") << u"id"_s;
    // "$" in the id pattern also matched before a final newline (found through fuzz_manifest).
    QTest::newRow("id final newline") << with(R"("id": "abc\n")") << u"id"_s;
    QTest::newRow("name not text")
        << QByteArray(R"({"name": 5, "baseUrl": "https://x.org"})") << u"\"name\" must be text"_s;
    QTest::newRow("bad certificate")
        << with(R"("caCertificatePem": "hello")") << u"CA certificate"_s;
    QTest::newRow("secret ignored")
        << with(R"("clientSecret": "s3cr3t", "token": "t")") << QString();
}

void TestProfileStore::fromJsonValidates()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, expected);
    QJsonParseError parseError;
    const QJsonObject object = QJsonDocument::fromJson(json, &parseError).object();
    QCOMPARE(parseError.error, QJsonParseError::NoError);
    QString error;
    const auto p = ServerProfile::fromJson(object, &error);
    if (expected.isEmpty()) {
        QVERIFY2(p, qPrintable(error));
        QVERIFY(!p->id.isEmpty()); // a fresh id when the file has none
        QCOMPARE(p->scopes, u"system/*.read"_s);
        QCOMPARE(p->algorithm, JwtAlgorithm::ES384);
        QCOMPARE(p->auth, ServerProfile::AuthMethod::None);
        const QByteArray back = QJsonDocument(p->toJson()).toJson();
        QVERIFY(!back.contains("s3cr3t"));
    } else {
        QVERIFY(!p);
        QVERIFY2(error.contains(expected), qPrintable(error));
        QVERIFY2(error.endsWith(u'.') || error.endsWith(u')'), qPrintable(error));
    }
}

void TestProfileStore::authMethodNames()
{
    using M = ServerProfile::AuthMethod;
    const QList<std::pair<M, QString>> names = {{M::None, u"none"_s},
                                                {M::BearerToken, u"bearer"_s},
                                                {M::SmartBackend, u"smart-backend"_s},
                                                {M::ClientSecret, u"client-secret"_s}};
    for (const auto &[method, name] : names) {
        QCOMPARE(authMethodName(method), name);
        QCOMPARE(authMethodFromName(name), method);
        QVERIFY(!authMethodDisplayName(method).isEmpty());
    }
    QCOMPARE(authMethodFromName(u"SMART-Backend"), M::SmartBackend);
    QVERIFY(!authMethodFromName(u"basic"));
    QVERIFY(!authMethodFromName(u""));
}

QTEST_GUILESS_MAIN(TestProfileStore)
#include "tst_ProfileStore.moc"
