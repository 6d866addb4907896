// `cohort-export profile ...` and `cohort-export keygen` as separate processes, with
// COHORT_SETTINGS_DIR (and HOME) in a temporary folder so their settings file lands there, on
// every OS, and can be searched for secrets. Commands that store secrets use the real keychain when
// one is reachable (tests/run-all.sh) under a unique service name, and must fail fast and clearly
// when not.

#include "auth/CredentialStore.h"
#include "auth/Jwk.h"
#include "auth/Jwt.h"
#include "auth/PrivateFile.h"
#include "demo/DemoServer.h"
#include "demo/SyntheticCohort.h"

#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

#include <memory>

#ifdef Q_OS_WIN
#include <windows.h>
#endif

using namespace cohort::auth;
namespace demo = cohort::demo;
using namespace Qt::StringLiterals;

namespace {

struct Run
{
    int exitCode = -1;
    QString out, err;
    qint64 ms = 0;
};

// The lines of a PEM between its BEGIN and END lines.
QByteArrayList pemBody(const QByteArray &pem)
{
    QByteArrayList lines;
    for (const QByteArray &line : pem.split('\n')) {
        if (!line.isEmpty() && !line.startsWith("-----"))
            lines.append(line);
    }
    return lines;
}

} // namespace

class TestProfileCommand : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_home; // the children's HOME and config folder
    QTemporaryDir m_files;                 // keys and exports the test hands to the children
    QString m_service;
    QString m_skipReason; // non-empty: no usable keychain here
    QStringList m_profileIds;

    QProcessEnvironment environment() const
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"HOME"_s, m_home->path());
        env.insert(u"XDG_CONFIG_HOME"_s, m_home->filePath(u"config"_s));
        env.insert(u"COHORT_SETTINGS_DIR"_s, m_home->filePath(u"config"_s));
        env.insert(u"QT_QPA_PLATFORM"_s, u"offscreen"_s);
        env.insert(u"COHORT_KEYCHAIN_SERVICE"_s, m_service);
        return env;
    }
    Run run(const QStringList &arguments, const QProcessEnvironment &env)
    {
        QProcess p;
        p.setProcessEnvironment(env);
        QElapsedTimer clock;
        clock.start();
        p.start(QStringLiteral(COHORT_EXE), arguments);
        Run r;
        if (!p.waitForFinished(60000)) {
            p.kill();
            p.waitForFinished(5000);
            r.err = u"(hung)"_s;
            return r;
        }
        r.ms = clock.elapsed();
        r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
        r.out = QString::fromUtf8(p.readAllStandardOutput());
        r.err = QString::fromUtf8(p.readAllStandardError());
        return r;
    }
    Run run(const QStringList &arguments) { return run(arguments, environment()); }
    QString settingsFile() const
    {
        return m_home->filePath(u"config/Cohort Export/cohort-export.ini"_s);
    }
    // Every byte of every file the children could have written.
    QByteArray allFiles() const
    {
        QByteArray all;
        QDirIterator it(m_home->path(), QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            QFile file(it.next());
            if (file.open(QIODevice::ReadOnly))
                all += file.readAll();
        }
        return all;
    }
    QString writeFile(const QString &name, const QByteArray &data)
    {
        const QString path = m_files.filePath(name);
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) ||
            file.write(data) != data.size())
            return {};
        return path;
    }
    // "Id:" from `profile show NAME`.
    QString profileId(const QString &name)
    {
        const Run r = run({u"profile"_s, u"show"_s, name});
        for (const QString &line : r.out.split(u'\n')) {
            if (line.startsWith("Id:"_L1)) {
                const QString id = line.mid(3).trimmed();
                if (!m_profileIds.contains(id))
                    m_profileIds.append(id);
                return id;
            }
        }
        return {};
    }
    // Reads a secret from the keychain in this process.
    std::pair<QByteArray, CredentialError> keychainRead(const QString &key)
    {
        CredentialStore store(m_service);
        bool done = false;
        std::pair<QByteArray, CredentialError> result;
        store.read(key, this, [&](const QByteArray &value, const CredentialError &error) {
            result = {value, error};
            done = true;
        });
        if (!QTest::qWaitFor([&] { return done; }, 20000))
            result.second = {CredentialError::Timeout, u"test wait"_s};
        return result;
    }

private slots:
    void initTestCase();
    void init();
    void cleanupTestCase();

    void helpAndUsage();
    void listShowsDemoFirst();
    void addShowListRemoveWithoutSecrets();
    void demoProfileIsProtected();
    void addRejectsBadInput_data();
    void addRejectsBadInput();
    void addWithKeyKeepsItOutOfSettings();
    void addWithTokenFromEnvironment();
    void addWithKeyWithoutBusFailsFast();
    void exportAndImport();
    void keygenWritesVerifiableJwks_data();
    void keygenWritesVerifiableJwks();
    void keygenKeyFileIsOwnersOnly();
    void keygenRefuses();
    void keygenForProfile();
    void exportWithProfile();
    void paddedBearerTokenFromKeychain();
};

void TestProfileCommand::initTestCase()
{
    QVERIFY(m_files.isValid());
    m_service = u"Cohort Export CLI Test %1"_s.arg(QUuid::createUuid().toString(QUuid::Id128));
#if defined(Q_OS_UNIX) && !defined(Q_OS_DARWIN)
    if (qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS")) {
        m_skipReason = u"no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)"_s;
        return;
    }
#endif
    CredentialStore store(m_service);
    bool done = false;
    CredentialError probe;
    store.write(u"probe"_s, "probe", this, [&](const CredentialError &error) {
        probe = error;
        done = true;
    });
    QVERIFY(QTest::qWaitFor([&] { return done; }, 20000));
    if (probe.isError())
        m_skipReason = u"no usable Secret Service: %1"_s.arg(probe.message);
    else
        qInfo("Real keychain in use (service \"%s\")", qPrintable(m_service));
}

void TestProfileCommand::init()
{
    m_home = std::make_unique<QTemporaryDir>();
    QVERIFY(m_home->isValid());
}

void TestProfileCommand::cleanupTestCase()
{
    if (!m_skipReason.isEmpty())
        return;
    // Whatever a failed test left behind in the keychain.
    CredentialStore store(m_service);
    for (const QString &id : std::as_const(m_profileIds) + QStringList{u"-"_s}) {
        bool done = false;
        auto finished = [&done](const CredentialError &) {
            done = true;
        };
        if (id == "-"_L1)
            store.remove(u"probe"_s, this, finished);
        else
            store.removeProfileSecrets(id, this, finished);
        QVERIFY(QTest::qWaitFor([&] { return done; }, 20000));
    }
}

void TestProfileCommand::helpAndUsage()
{
    const Run help = run({u"--help"_s});
    QCOMPARE(help.exitCode, 0);
    QVERIFY(help.out.contains("profile"_L1));
    QVERIFY(help.out.contains("keygen"_L1));

    const Run bare = run({u"profile"_s});
    QCOMPARE(bare.exitCode, 1);
    QVERIFY2(bare.err.contains("Usage: cohort-export profile"_L1), qPrintable(bare.err));

    const Run profileHelp = run({u"profile"_s, u"--help"_s});
    QCOMPARE(profileHelp.exitCode, 0);
    QVERIFY(profileHelp.out.contains("import FILE"_L1));

    const Run addHelp = run({u"profile"_s, u"add"_s, u"--help"_s});
    QCOMPARE(addHelp.exitCode, 0);
    QVERIFY(addHelp.out.contains("--client-secret-env"_L1));

    const Run unknown = run({u"profile"_s, u"rename"_s});
    QCOMPARE(unknown.exitCode, 1);
    QVERIFY2(unknown.err.contains("unknown command 'rename'"_L1), qPrintable(unknown.err));

    const Run keygenHelp = run({u"keygen"_s, u"--help"_s});
    QCOMPARE(keygenHelp.exitCode, 0);
    QVERIFY(keygenHelp.out.contains("--out-jwks"_L1));
}

void TestProfileCommand::listShowsDemoFirst()
{
    const Run r = run({u"profile"_s, u"list"_s});
    QCOMPARE(r.exitCode, 0);
    const QStringList lines = r.out.split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 2);
    QVERIFY(lines.at(0).startsWith("NAME"_L1));
    QVERIFY(lines.at(1).startsWith("Demo server"_L1));
    QVERIFY(lines.at(1).contains("(started by the app)"_L1));
}

void TestProfileCommand::addShowListRemoveWithoutSecrets()
{
    Run r = run({u"profile"_s, u"add"_s, u"Open Server"_s, u"--server"_s,
                 u"https://open.example.org/fhir"_s, u"--environment"_s, u"Preview"_s,
                 u"--parallel"_s, u"6"_s});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY(r.out.contains("Added profile 'Open Server'"_L1));
    QVERIFY2(QFileInfo::exists(settingsFile()), "the settings did not land in the temporary HOME");

    r = run({u"profile"_s, u"list"_s});
    QCOMPARE(r.exitCode, 0);
    const QStringList lines = r.out.split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 3);
    QVERIFY(lines.at(1).startsWith("Demo server"_L1));
    QVERIFY(lines.at(2).startsWith("Open Server"_L1));
    QVERIFY(lines.at(2).contains("Preview"_L1));
    QVERIFY(lines.at(2).contains("https://open.example.org/fhir"_L1));

    r = run({u"profile"_s, u"show"_s, u"open server"_s}); // names are case-insensitive
    QCOMPARE(r.exitCode, 0);
    QVERIFY(r.out.contains("Name:"_L1));
    QVERIFY(r.out.contains("Open Server"_L1));
    QVERIFY(r.out.contains("Parallel downloads: 6"_L1));
    QVERIFY(r.out.contains("None (none)"_L1));

    r = run({u"profile"_s, u"show"_s, u"Nope"_s});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("no profile named 'Nope'"_L1), qPrintable(r.err));

    r = run({u"profile"_s, u"remove"_s, u"Open Server"_s});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    // No keychain complaints for a profile that never had secrets, keychain or not.
    QVERIFY2(!r.err.contains("warning"_L1), qPrintable(r.err));
    r = run({u"profile"_s, u"list"_s});
    QCOMPARE(r.out.split(u'\n', Qt::SkipEmptyParts).size(), 2);
}

void TestProfileCommand::demoProfileIsProtected()
{
    Run r = run({u"profile"_s, u"remove"_s, u"Demo server"_s});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("cannot be removed"_L1), qPrintable(r.err));
    r = run({u"profile"_s, u"add"_s, u"demo server"_s, u"--server"_s, u"https://x.example.org"_s});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("already exists"_L1), qPrintable(r.err));
    r = run({u"profile"_s, u"export"_s, m_files.filePath(u"demo.json"_s), u"Demo server"_s});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("cannot be exported"_L1), qPrintable(r.err));
}

void TestProfileCommand::addRejectsBadInput_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("expected");

    const Key ec = Key::generate(JwtAlgorithm::ES384, u"ec-kid"_s);
    const QString publicPem = writeFile(u"public.pem"_s, ec.publicPem());
    const QString noKid = writeFile(u"nokid.pem"_s, ec.privatePem()); // PEM carries no kid
    const QString jwk =
        writeFile(u"key.jwk"_s, QJsonDocument(ec.privateJwk()).toJson(QJsonDocument::Compact));
    const QString garbage = writeFile(u"garbage.pem"_s, "not a key at all");
    const QStringList base = {u"profile"_s, u"add"_s, u"Bad"_s};
    const QStringList server = {u"--server"_s, u"https://fhir.example.org"_s};

    QTest::newRow("no server") << base << u"--server is required"_s;
    QTest::newRow("ftp server") << base + QStringList{u"--server"_s, u"ftp://x.org"_s}
                                << u"http:// or https://"_s;
    QTest::newRow("no name") << QStringList{u"profile"_s, u"add"_s} + server << u"usage"_s;
    QTest::newRow("parallel 0") << base + server + QStringList{u"--parallel"_s, u"0"_s}
                                << u"1 to 32"_s;
    QTest::newRow("unknown auth") << base + server + QStringList{u"--auth"_s, u"basic"_s}
                                  << u"--auth must be"_s;
    QTest::newRow("smart without client id")
        << base + server + QStringList{u"--auth"_s, u"smart-backend"_s} << u"--client-id"_s;
    QTest::newRow("missing key file")
        << base + server +
               QStringList{u"--client-id"_s, u"c"_s, u"--key"_s, m_files.filePath(u"none.pem"_s)}
        << u"cannot read"_s;
    QTest::newRow("garbage key") << base + server +
                                        QStringList{u"--client-id"_s, u"c"_s, u"--key"_s, garbage}
                                 << u"garbage.pem"_s;
    QTest::newRow("public key") << base + server +
                                       QStringList{u"--client-id"_s, u"c"_s, u"--key"_s, publicPem}
                                << u"public key"_s;
    QTest::newRow("pem without kid")
        << base + server + QStringList{u"--client-id"_s, u"c"_s, u"--key"_s, noKid}
        << u"--key-id"_s;
    QTest::newRow("alg mismatch") << base + server + QStringList{u"--client-id"_s, u"c"_s,
                                                                 u"--key"_s,       jwk,
                                                                 u"--alg"_s,       u"RS384"_s}
                                  << u"does not match"_s;
    QTest::newRow("key with bearer")
        << base + server + QStringList{u"--auth"_s, u"bearer"_s, u"--key"_s, jwk}
        << u"are for --auth smart-backend"_s;
    QTest::newRow("unset token variable")
        << base + server + QStringList{u"--token-env"_s, u"COHORT_TEST_UNSET_VARIABLE"_s}
        << u"COHORT_TEST_UNSET_VARIABLE is not set"_s;
    QTest::newRow("two secrets, no auth")
        << base + server +
               QStringList{u"--key"_s, jwk, u"--token-env"_s, u"COHORT_TEST_UNSET_VARIABLE"_s}
        << u"give --auth"_s;
    QTest::newRow("bad ca cert") << base + server + QStringList{u"--ca-cert"_s, garbage}
                                 << u"CA certificate"_s;
}

void TestProfileCommand::addRejectsBadInput()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, expected);
    const Run r = run(arguments);
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains(expected), qPrintable(r.err));
    // Nothing was added.
    QCOMPARE(run({u"profile"_s, u"list"_s}).out.split(u'\n', Qt::SkipEmptyParts).size(), 2);
}

void TestProfileCommand::addWithKeyKeepsItOutOfSettings()
{
    const Key key = Key::generate(JwtAlgorithm::ES384, {});
    const QByteArray pem = key.privatePem();
    const QString keyFile = writeFile(u"smart-key.pem"_s, pem);
    const Run r =
        run({u"profile"_s, u"add"_s, u"Smart"_s, u"--server"_s, u"https://smart.example.org/fhir"_s,
             u"--client-id"_s, u"cohort-client"_s, u"--key"_s, keyFile, u"--key-id"_s,
             u"registered-kid"_s, u"--environment"_s, u"Production"_s});

    if (m_skipReason.isEmpty()) {
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("private key is in the keychain"_L1));
        const QString id = profileId(u"Smart"_s);
        QVERIFY(!id.isEmpty());
        const Run show = run({u"profile"_s, u"show"_s, u"Smart"_s});
        QVERIFY(show.out.contains("registered-kid"_L1));
        QVERIFY(show.out.contains("ES384"_L1));
        QVERIFY(show.out.contains("smart-backend"_L1));
        QVERIFY(
            show.out.contains(CredentialStore::keyFor(id, CredentialStore::Secret::PrivateKey)));

        // The keychain holds the same key.
        const auto [stored, error] =
            keychainRead(CredentialStore::keyFor(id, CredentialStore::Secret::PrivateKey));
        QVERIFY2(!error.isError(), qPrintable(error.message));
        const Key back = Key::fromBytes(stored);
        QVERIFY(back.isPrivate());
        QCOMPARE(back.publicJwk().value("x"_L1), key.publicJwk().value("x"_L1));
    } else {
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("could not store the private key in the keychain"_L1),
                 qPrintable(r.err));
        QVERIFY2(r.err.contains("not added"_L1), qPrintable(r.err));
        QVERIFY(r.ms < 30000);
        QVERIFY(!run({u"profile"_s, u"list"_s}).out.contains("Smart"_L1));
        qInfo("without a keychain: %s", qPrintable(r.err.trimmed()));
    }

    // Either way, not one line of the private key is in any file the command wrote.
    const QByteArray written = allFiles();
    if (m_skipReason.isEmpty())
        QVERIFY(written.contains("smart.example.org")); // the search covers the settings
    for (const QByteArray &line : pemBody(pem))
        QVERIFY2(!written.contains(line), line.constData());
    QVERIFY(!written.contains(pemBody(pem).join()));

    if (m_skipReason.isEmpty()) {
        const QString id = profileId(u"Smart"_s);
        const Run removed = run({u"profile"_s, u"remove"_s, u"Smart"_s});
        QVERIFY2(removed.exitCode == 0 && !removed.err.contains("warning"_L1),
                 qPrintable(removed.err));
        const auto [gone, error] =
            keychainRead(CredentialStore::keyFor(id, CredentialStore::Secret::PrivateKey));
        QCOMPARE(error.kind, CredentialError::NotFound);
    }
}

void TestProfileCommand::addWithTokenFromEnvironment()
{
    const QByteArray token = "token-" + QUuid::createUuid().toByteArray(QUuid::Id128);
    QProcessEnvironment env = environment();
    env.insert(u"COHORT_TEST_TOKEN"_s, u"Bearer "_s + QString::fromLatin1(token));
    const Run r =
        run({u"profile"_s, u"add"_s, u"Tokened"_s, u"--server"_s,
             u"https://token.example.org/fhir"_s, u"--token-env"_s, u"COHORT_TEST_TOKEN"_s},
            env);
    QVERIFY(!r.out.contains(QString::fromLatin1(token)));
    QVERIFY(!r.err.contains(QString::fromLatin1(token)));
    if (m_skipReason.isEmpty()) {
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("(bearer"_L1));
        const QString id = profileId(u"Tokened"_s);
        const auto [stored, error] =
            keychainRead(CredentialStore::keyFor(id, CredentialStore::Secret::BearerToken));
        QVERIFY2(!error.isError(), qPrintable(error.message));
        QCOMPARE(stored, token); // "Bearer " stripped
        QVERIFY(!allFiles().contains(token));
        QCOMPARE(run({u"profile"_s, u"remove"_s, u"Tokened"_s}).exitCode, 0);
        QCOMPARE(keychainRead(CredentialStore::keyFor(id, CredentialStore::Secret::BearerToken))
                     .second.kind,
                 CredentialError::NotFound);
    } else {
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("could not store the bearer token"_L1), qPrintable(r.err));
        QVERIFY(!allFiles().contains(token));
    }
}

void TestProfileCommand::addWithKeyWithoutBusFailsFast()
{
#if defined(Q_OS_UNIX) && !defined(Q_OS_DARWIN)
    QProcessEnvironment env = environment();
    env.insert(u"DBUS_SESSION_BUS_ADDRESS"_s,
               u"unix:path="_s + m_files.filePath(u"no-such-bus-socket"_s));
    env.remove(u"DISPLAY"_s);
    env.remove(u"WAYLAND_DISPLAY"_s);
    const QByteArray pem = Key::generate(JwtAlgorithm::RS384, u"rsa-kid"_s).privatePem();
    const QString keyFile = writeFile(u"nobus-key.pem"_s, pem);
    const Run r = run({u"profile"_s, u"add"_s, u"No Bus"_s, u"--server"_s,
                       u"https://nobus.example.org/fhir"_s, u"--client-id"_s, u"c"_s, u"--key"_s,
                       keyFile, u"--key-id"_s, u"k"_s},
                      env);
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("No keychain service is available"_L1), qPrintable(r.err));
    QVERIFY2(r.err.contains("The profile was not added."_L1), qPrintable(r.err));
    // Well within the 5 s keychain timeout: no bus is an immediate answer, not a hang.
    QVERIFY2(r.ms < 5000, qPrintable(QString::number(r.ms)));
    QVERIFY(!run({u"profile"_s, u"list"_s}).out.contains("No Bus"_L1));
    const QByteArray written = allFiles();
    for (const QByteArray &line : pemBody(pem))
        QVERIFY(!written.contains(line));
#else
    QSKIP("the D-Bus Secret Service is the Linux keychain");
#endif
}

void TestProfileCommand::exportAndImport()
{
    QCOMPARE(
        run({u"profile"_s, u"add"_s, u"Alpha"_s, u"--server"_s, u"https://a.example.org/fhir"_s,
             u"--auth"_s, u"smart-backend"_s, u"--client-id"_s, u"alpha-client"_s})
            .exitCode,
        0);
    QCOMPARE(
        run({u"profile"_s, u"add"_s, u"Beta"_s, u"--server"_s, u"https://b.example.org/fhir"_s})
            .exitCode,
        0);
    const QString file = m_files.filePath(u"profiles.json"_s);
    Run r = run({u"profile"_s, u"export"_s, file});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY(r.out.contains("Exported 2 profiles"_L1));
    QFile exported(file);
    QVERIFY(exported.open(QIODevice::ReadOnly));
    const QJsonObject root = QJsonDocument::fromJson(exported.readAll()).object();
    QCOMPARE(root.value("cohortExportProfiles"_L1).toInt(), 1);
    QCOMPARE(root.value("profiles"_L1).toArray().size(), 2);

    r = run({u"profile"_s, u"export"_s, u"-"_s, u"beta"_s});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(QJsonDocument::fromJson(r.out.toUtf8()).object().value("profiles"_L1).toArray().size(),
             1);

    r = run({u"profile"_s, u"import"_s, file});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY(r.out.contains("Imported 'Alpha (2)'"_L1));
    QVERIFY(r.out.contains("Imported 'Beta (2)'"_L1));
    QVERIFY(r.out.contains("private key is not part of the file"_L1));
    r = run({u"profile"_s, u"list"_s});
    QCOMPARE(r.out.split(u'\n', Qt::SkipEmptyParts).size(), 1 + 1 + 4);

    const QString bad = writeFile(u"bad.json"_s, "{\"profiles\": []}");
    r = run({u"profile"_s, u"import"_s, bad});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("not a Cohort Export profile file"_L1), qPrintable(r.err));
}

void TestProfileCommand::keygenWritesVerifiableJwks_data()
{
    QTest::addColumn<QString>("alg");
    QTest::addColumn<QString>("kid");
    QTest::newRow("ES384, own kid") << u"ES384"_s << u"my-kid"_s;
    QTest::newRow("ES384, thumbprint") << u"ES384"_s << QString();
    QTest::newRow("RS384") << u"RS384"_s << u"rsa-kid"_s;
}

void TestProfileCommand::keygenKeyFileIsOwnersOnly()
{
#ifdef Q_OS_WIN
    // Wine keeps no access list a file was created with: it reports one made from the Unix mode
    // bits (seen with Wine 8: two allowed entries, the list not protected).
    if (HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
        ntdll && GetProcAddress(ntdll, "wine_get_version"))
        QSKIP("Wine reports file access lists from Unix mode bits, not the ones files were created "
              "with");
#endif
    const QString keyPath =
        m_files.filePath(QUuid::createUuid().toString(QUuid::Id128) + u".pem"_s);
    const QString jwksPath = keyPath + u".jwks"_s;
    const Run r = run(
        {u"keygen"_s, u"--alg"_s, u"ES384"_s, u"--out-jwks"_s, jwksPath, u"--out-key"_s, keyPath});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY(isPrivateToCurrentUser(keyPath));
    // An existing file is never overwritten.
    const Run again = run({u"keygen"_s, u"--alg"_s, u"ES384"_s, u"--out-jwks"_s, jwksPath + u"2"_s,
                           u"--out-key"_s, keyPath});
    QVERIFY(again.exitCode != 0);
    QVERIFY2(again.err.contains(u"never overwritten"_s), qPrintable(again.err));
}

void TestProfileCommand::keygenWritesVerifiableJwks()
{
    QFETCH(QString, alg);
    QFETCH(QString, kid);
    const QString tag = QUuid::createUuid().toString(QUuid::Id128);
    const QString jwksPath = m_files.filePath(tag + u".jwks.json"_s);
    const QString keyPath = m_files.filePath(tag + u".key.pem"_s);
    QStringList arguments = {u"keygen"_s, u"--alg"_s,     alg,    u"--out-jwks"_s,
                             jwksPath,    u"--out-key"_s, keyPath};
    if (!kid.isEmpty())
        arguments << u"--kid"_s << kid;
    const Run r = run(arguments);
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));

    // The private key file is the owner's only: mode 0600 (below), or on Windows a protected
    // access list with the user's account alone (keygenKeyFileIsOwnersOnly).
#ifndef Q_OS_WIN
    QVERIFY(isPrivateToCurrentUser(keyPath));
    const QFileDevice::Permissions permissions = QFileInfo(keyPath).permissions();
    QVERIFY(permissions.testFlag(QFileDevice::ReadOwner));
    QVERIFY(permissions.testFlag(QFileDevice::WriteOwner));
    for (const auto other :
         {QFileDevice::ReadGroup, QFileDevice::WriteGroup, QFileDevice::ReadOther,
          QFileDevice::WriteOther, QFileDevice::ExeOwner})
        QVERIFY(!permissions.testFlag(other));
#endif

    QFile jwksFile(jwksPath);
    QVERIFY(jwksFile.open(QIODevice::ReadOnly));
    const QJsonObject jwks = QJsonDocument::fromJson(jwksFile.readAll()).object();
    QString error;
    const QList<Key> published = keysFromJwks(jwks, &error);
    QVERIFY2(published.size() == 1, qPrintable(error));
    QVERIFY(!published.first().isPrivate()); // public material only
    const QJsonObject jwk = jwks.value("keys"_L1).toArray().first().toObject();
    QVERIFY(!jwk.contains("d"_L1));
    QCOMPARE(jwk.value("alg"_L1).toString(), alg);
    const QString publishedKid = jwk.value("kid"_L1).toString();
    if (!kid.isEmpty())
        QCOMPARE(publishedKid, kid);
    else
        QCOMPARE(publishedKid.size(), 43); // base64url SHA-256 (RFC 7638)
    QVERIFY(r.out.contains(publishedKid));

    // A signature made with the private key file verifies with the published key.
    QFile keyFile(keyPath);
    QVERIFY(keyFile.open(QIODevice::ReadOnly));
    Key privateKey = Key::fromBytes(keyFile.readAll(), &error);
    QVERIFY2(privateKey.isPrivate(), qPrintable(error));
    privateKey.setKeyId(publishedKid);
    const QByteArray assertion = makeClientAssertion(
        privateKey, u"client"_s, u"https://auth.example.org/token"_s, 300, std::nullopt, &error);
    QVERIFY2(!assertion.isEmpty(), qPrintable(error));
    const auto decoded = decodeJwt(assertion, &error);
    QVERIFY2(decoded, qPrintable(error));
    QCOMPARE(decoded->header.value("kid"_L1).toString(), publishedKid);
    QVERIFY2(verifyJwt(*decoded, published.first(), &error), qPrintable(error));
    // ... and not with some other key.
    const Key stranger = Key::generate(*algorithmFromName(alg), u"x"_s);
    QVERIFY(!verifyJwt(*decoded, Key::fromJwk(stranger.publicJwk())));
}

void TestProfileCommand::keygenRefuses()
{
    const QString jwks = m_files.filePath(u"refused.jwks.json"_s);
    Run r = run({u"keygen"_s, u"--out-jwks"_s, jwks});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("nowhere to keep the private key"_L1), qPrintable(r.err));
    QVERIFY(!QFileInfo::exists(jwks));

    const QString existing = writeFile(u"existing.pem"_s, "keep me");
    r = run({u"keygen"_s, u"--out-jwks"_s, jwks, u"--out-key"_s, existing});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("never overwritten"_L1), qPrintable(r.err));
    QFile file(existing);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), QByteArray("keep me"));

    r = run({u"keygen"_s, u"--alg"_s, u"HS256"_s, u"--out-jwks"_s, jwks, u"--out-key"_s,
             m_files.filePath(u"hs.pem"_s)});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("ES384 or RS384"_L1), qPrintable(r.err));

    r = run({u"keygen"_s, u"--out-jwks"_s, jwks, u"--profile"_s, u"Unknown"_s});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("no profile named 'Unknown'"_L1), qPrintable(r.err));

    r = run({u"keygen"_s, u"--out-jwks"_s, jwks, u"--profile"_s, u"Demo server"_s});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("demo server profile"_L1), qPrintable(r.err));
}

void TestProfileCommand::keygenForProfile()
{
    QCOMPARE(run({u"profile"_s, u"add"_s, u"Backend"_s, u"--server"_s,
                  u"https://backend.example.org/fhir"_s, u"--auth"_s, u"smart-backend"_s,
                  u"--client-id"_s, u"backend-client"_s})
                 .exitCode,
             0);
    const QString id = profileId(u"Backend"_s);
    const QString jwksPath = m_files.filePath(u"backend.jwks.json"_s);
    const Run r = run({u"keygen"_s, u"--alg"_s, u"RS384"_s, u"--out-jwks"_s, jwksPath,
                       u"--profile"_s, u"backend"_s});
    const Run show = run({u"profile"_s, u"show"_s, u"Backend"_s});

    if (!m_skipReason.isEmpty()) {
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("could not store the private key in the keychain"_L1),
                 qPrintable(r.err));
        QVERIFY2(r.err.contains("not changed"_L1), qPrintable(r.err));
        QVERIFY2(show.out.simplified().contains("Key id: -"_L1), qPrintable(show.out));
        return;
    }
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QFile jwksFile(jwksPath);
    QVERIFY(jwksFile.open(QIODevice::ReadOnly));
    const QList<Key> published = keysFromJwks(QJsonDocument::fromJson(jwksFile.readAll()).object());
    QCOMPARE(published.size(), 1);
    const QString kid = published.first().keyId();
    // The profile now names the new key.
    QVERIFY2(show.out.simplified().contains(u"Key id: %1"_s.arg(kid)), qPrintable(show.out));
    QVERIFY(show.out.contains("RS384"_L1));

    // The keychain's private key signs what the published key verifies.
    const auto [stored, error] =
        keychainRead(CredentialStore::keyFor(id, CredentialStore::Secret::PrivateKey));
    QVERIFY2(!error.isError(), qPrintable(error.message));
    Key privateKey = Key::fromBytes(stored);
    QVERIFY(privateKey.isPrivate());
    privateKey.setKeyId(kid);
    QString why;
    const auto jwt = decodeJwt(makeClientAssertion(privateKey, u"backend-client"_s,
                                                   u"https://backend.example.org/token"_s));
    QVERIFY(jwt);
    QVERIFY2(verifyJwt(*jwt, published.first(), &why), qPrintable(why));
    // And it is nowhere in the files.
    const QByteArray written = allFiles();
    for (const QByteArray &line : pemBody(stored))
        QVERIFY(!written.contains(line));

    QCOMPARE(run({u"profile"_s, u"remove"_s, u"Backend"_s}).exitCode, 0);
    QCOMPARE(
        keychainRead(CredentialStore::keyFor(id, CredentialStore::Secret::PrivateKey)).second.kind,
        CredentialError::NotFound);
}


// The whole path a user takes: a profile with a SMART key in the keychain, then an export that
// names only the profile. The demo server lives in this process, so wait without blocking it.
void TestProfileCommand::exportWithProfile()
{
    if (!m_skipReason.isEmpty())
        QSKIP(qPrintable(m_skipReason));
    const Key key = Key::generate(JwtAlgorithm::RS384, u"profile-kid"_s);
    demo::DemoServerOptions options;
    options.patients = 30;
    options.exportSeconds = 0;
    options.auth = true;
    options.clientId = u"profile-client"_s;
    options.clientKeys = {key};
    demo::DemoServer server(options);
    QVERIFY(server.start());
    const QString keyFile = writeFile(u"profile-key.pem"_s, key.privatePem());
    const Run added = run({u"profile"_s, u"add"_s, u"Demo with auth"_s, u"--server"_s,
                           server.baseUrl().toString(), u"--client-id"_s, u"profile-client"_s,
                           u"--key"_s, keyFile, u"--key-id"_s, u"profile-kid"_s, u"--alg"_s, u"RS384"_s,
                           u"--output-folder"_s, m_files.filePath(u"profile-exports"_s)});
    QVERIFY2(added.exitCode == 0, qPrintable(added.err));
    profileId(u"Demo with auth"_s);

    // No --out: the export lands in the profile's output folder.
    QProcess p;
    p.setProcessEnvironment(environment());
    p.start(QStringLiteral(COHORT_EXE),
            {u"export"_s, u"--profile"_s, u"Demo with auth"_s, u"--group"_s,
             server.cohort().groups().first().id, u"--type"_s, u"Patient"_s});
    QSignalSpy finished(&p, &QProcess::finished);
    QVERIFY(finished.wait(60000));
    QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
    const QStringList made = QDir(m_files.filePath(u"profile-exports"_s)).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    QCOMPARE(made.size(), 1);
    QVERIFY(made.first().startsWith("export-group-"_L1));
    const QString folder = m_files.filePath(u"profile-exports/"_s + made.first());
    QVERIFY(QFile::exists(folder + u"/Patient.001.ndjson"_s));
    QVERIFY(server.tokensIssued() >= 1);

    // No key material in anything written: settings, journal, log.
    QByteArray written = allFiles();
    QDirIterator it(folder, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        QFile f(it.next());
        QVERIFY(f.open(QIODevice::ReadOnly));
        written += f.readAll();
    }
    for (const QByteArray &line : pemBody(key.privatePem()))
        QVERIFY2(!written.contains(line), line.constData());
    QVERIFY(!written.contains("eyJ")); // no JWT (assertion) either

    // An unknown profile is a clear error.
    const Run unknown = run({u"groups"_s, u"--profile"_s, u"Nope"_s});
    QCOMPARE(unknown.exitCode, 1);
    QVERIFY2(unknown.err.contains("no profile named 'Nope'"_L1), qPrintable(unknown.err));
    QVERIFY(run({u"profile"_s, u"remove"_s, u"Demo with auth"_s}).exitCode == 0);
}

// A token pasted with its scheme and a newline (as the profile dialog stored it before) is sent
// as the token alone by the command line as by the desktop app: both take a profile's secret
// through one step. (The demo server trims the header, so the scheme is what tells here.)
void TestProfileCommand::paddedBearerTokenFromKeychain()
{
    if (!m_skipReason.isEmpty())
        QSKIP(qPrintable(m_skipReason));
    demo::DemoServerOptions options;
    options.patients = 5;
    options.auth = true;
    options.clientId = u"bearer-client"_s;
    options.clientSecret = u"bearer-secret"_s;
    demo::DemoServer server(options);
    QVERIFY(server.start());

    // A token from the server's own token endpoint.
    QNetworkAccessManager network;
    QNetworkRequest request(server.tokenUrl());
    request.setHeader(QNetworkRequest::ContentTypeHeader, u"application/x-www-form-urlencoded"_s);
    request.setRawHeader("Authorization",
                         "Basic " + QByteArray("bearer-client:bearer-secret").toBase64());
    QNetworkReply *reply =
        network.post(request, "grant_type=client_credentials&scope=system%2F*.read");
    QSignalSpy done(reply, &QNetworkReply::finished);
    QVERIFY(done.wait(20000));
    QCOMPARE(reply->error(), QNetworkReply::NoError);
    const QByteArray token = QJsonDocument::fromJson(reply->readAll())
                                 .object()
                                 .value("access_token"_L1)
                                 .toString()
                                 .toUtf8();
    reply->deleteLater();
    QVERIFY(!token.isEmpty());

    QProcessEnvironment env = environment();
    env.insert(u"COHORT_TEST_TOKEN"_s, QString::fromUtf8(token));
    const Run added = run({u"profile"_s, u"add"_s, u"Padded"_s, u"--server"_s,
                           server.baseUrl().toString(), u"--token-env"_s, u"COHORT_TEST_TOKEN"_s},
                          env);
    QVERIFY2(added.exitCode == 0, qPrintable(added.err));
    const QString id = profileId(u"Padded"_s);

    // The keychain entry as a paste of the whole header value would leave it.
    CredentialStore store(m_service);
    bool written = false;
    CredentialError writeError;
    store.write(CredentialStore::keyFor(id, CredentialStore::Secret::BearerToken),
                "  Bearer " + token + "\r\n", this, [&](const CredentialError &e) {
                    writeError = e;
                    written = true;
                });
    QTRY_VERIFY_WITH_TIMEOUT(written, 20000);
    QVERIFY2(!writeError.isError(), qPrintable(writeError.message));

    // The server is in this process: wait with the event loop running.
    QProcess p;
    p.setProcessEnvironment(environment());
    p.start(QStringLiteral(COHORT_EXE), {u"groups"_s, u"--profile"_s, u"Padded"_s});
    QSignalSpy finished(&p, &QProcess::finished);
    QVERIFY(finished.wait(60000));
    const QString out = QString::fromUtf8(p.readAllStandardOutput());
    QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
    QVERIFY2(out.contains(server.cohort().groups().first().id), qPrintable(out));
    QVERIFY(run({u"profile"_s, u"remove"_s, u"Padded"_s}).exitCode == 0);
}

QTEST_GUILESS_MAIN(TestProfileCommand)
#include "tst_ProfileCommand.moc"
