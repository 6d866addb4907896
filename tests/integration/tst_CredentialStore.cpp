// CredentialStore against the real keychain when one is reachable (tests/run-all.sh starts a
// private D-Bus session with an unlocked gnome-keyring), and, everywhere, the paths that must
// never hang: no session bus at all, and a bus that accepts the connection but never answers.
// Those run in a child process (this executable with --child-write) so a stuck keychain job
// cannot block the jobs of the other tests.

#include "auth/CredentialStore.h"

#include <qt6keychain/keychain.h>

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QLocalServer>
#include <QLocalSocket>
#include <QPointer>
#include <QProcess>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTextStream>
#include <QTimer>
#include <QUuid>

#include <cstring>
#include <memory>

using namespace cohort::auth;
using namespace Qt::StringLiterals;

namespace {

constexpr int kWaitMs = 20000; // for one operation against the real keychain

struct Outcome
{
    bool done = false;
    int calls = 0;
    QByteArray value;
    CredentialError error;
};

QByteArray randomBytes(qsizetype size)
{
    QByteArray bytes(size, Qt::Uninitialized);
    for (char &c : bytes)
        c = char(QRandomGenerator::global()->bounded(256));
    return bytes;
}

// The child: one write with the given service and timeout, then its outcome on stdout.
int childWrite(const QString &service, int timeoutMs)
{
    CredentialStore store(service);
    store.setTimeout(timeoutMs);
    QElapsedTimer clock;
    clock.start();
    store.write(u"child/probe"_s, "not a real secret", nullptr, [&](const CredentialError &error) {
        QTextStream out(stdout);
        out << "kind=" << int(error.kind) << '\n'
            << "elapsed=" << clock.elapsed() << '\n'
            << "message=" << error.message << '\n';
        out.flush();
        QCoreApplication::exit(0);
    });
    return QCoreApplication::exec();
}

} // namespace

class TestCredentialStore : public QObject
{
    Q_OBJECT

private:
    QString m_service;
    QString m_skipReason; // non-empty: no usable keychain here
    QStringList m_written;

    std::shared_ptr<Outcome> read(CredentialStore &store, const QString &key,
                                  QObject *context = nullptr)
    {
        auto outcome = std::make_shared<Outcome>();
        store.read(key, context ? context : this,
                   [outcome](const QByteArray &value, const CredentialError &error) {
                       outcome->done = true;
                       ++outcome->calls;
                       outcome->value = value;
                       outcome->error = error;
                   });
        return outcome;
    }
    std::shared_ptr<Outcome> write(CredentialStore &store, const QString &key,
                                   const QByteArray &value)
    {
        if (!store.isSessionOnly() && !m_written.contains(key))
            m_written.append(key);
        auto outcome = std::make_shared<Outcome>();
        store.write(key, value, this, [outcome](const CredentialError &error) {
            outcome->done = true;
            ++outcome->calls;
            outcome->error = error;
        });
        return outcome;
    }
    std::shared_ptr<Outcome> remove(CredentialStore &store, const QString &key)
    {
        auto outcome = std::make_shared<Outcome>();
        store.remove(key, this, [outcome](const CredentialError &error) {
            outcome->done = true;
            ++outcome->calls;
            outcome->error = error;
        });
        return outcome;
    }
    static bool finish(const std::shared_ptr<Outcome> &outcome)
    {
        return QTest::qWaitFor([&] { return outcome->done; }, kWaitMs);
    }
    // Reads one entry directly through QtKeychain, bypassing the store's chunking.
    std::pair<QKeychain::Error, QByteArray> rawRead(const QString &key)
    {
        auto *job = new QKeychain::ReadPasswordJob(m_service);
        job->setKey(CredentialStore(m_service).storageKey(key));
        job->setAutoDelete(false);
        QSignalSpy finished(job, &QKeychain::Job::finished);
        job->start();
        if (!finished.wait(kWaitMs)) {
            // Left alive on purpose: a stuck job must not be deleted under libsecret.
            return {QKeychain::OtherError, {}};
        }
        const std::pair<QKeychain::Error, QByteArray> result{job->error(), job->binaryData()};
        delete job;
        return result;
    }

    // Runs this executable as a child that writes one secret, with the given environment;
    // through wrapper (a command that ends by running its arguments) when one is given.
    QMap<QString, QString> runChild(const QProcessEnvironment &environment, int timeoutMs,
                                    qint64 *wallMs, const QStringList &wrapper = {})
    {
        QProcess child;
        child.setProcessEnvironment(environment);
        QElapsedTimer clock;
        clock.start();
        const QStringList self{QCoreApplication::applicationFilePath(), u"--child-write"_s,
                               m_service, QString::number(timeoutMs)};
        if (wrapper.isEmpty())
            child.start(self.first(), self.mid(1));
        else
            child.start(wrapper.first(), wrapper.mid(1) + self);
        // Event-loop friendly wait, so a QLocalServer in this process keeps accepting.
        const bool finished = QTest::qWaitFor([&] { return child.state() == QProcess::NotRunning; },
                                              timeoutMs + 15000);
        *wallMs = clock.elapsed();
        if (!finished) {
            child.kill();
            child.waitForFinished(5000);
            return {};
        }
        QMap<QString, QString> fields;
        const QString out = QString::fromUtf8(child.readAllStandardOutput());
        for (const QString &line : out.split(u'\n', Qt::SkipEmptyParts)) {
            const qsizetype eq = line.indexOf(u'=');
            if (eq > 0)
                fields.insert(line.left(eq), line.mid(eq + 1));
        }
        fields.insert(u"stderr"_s, QString::fromUtf8(child.readAllStandardError()));
        return fields;
    }

private slots:
    void initTestCase();
    void cleanupTestCase();

    void keysAreNamespacedByProfile();
    void roundTrip();
    void binaryData();
    void chunkedLargeValue();
    void headerLookalikeIsNotAHeader();
    void notFound();
    void namespacing();
    void removeMissingKeySucceeds();
    void sessionOnly();
    void callbackDroppedWithContext();
    void noSessionBusFailsFast();
    void silentBusTimesOut();
    void lockedKeyringIsReported_data();
    void lockedKeyringIsReported();
};

void TestCredentialStore::initTestCase()
{
    // A unique service, so this never reads or overwrites anybody's real entries.
    m_service = u"Cohort Export Test %1"_s.arg(QUuid::createUuid().toString(QUuid::Id128));
#if defined(Q_OS_UNIX) && !defined(Q_OS_DARWIN)
    if (qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS")) {
        // Without a bus, libsecret may try to autolaunch one (and hang under Xvfb).
        m_skipReason = u"no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set); "
                       "tests/run-all.sh runs these against a real gnome-keyring"_s;
        return;
    }
#endif
    CredentialStore store(m_service);
    const auto probe = write(store, u"probe"_s, "probe");
    QVERIFY(finish(probe));
    if (probe->error.isError()) {
        m_skipReason = u"no usable Secret Service: %1"_s.arg(probe->error.message);
        return;
    }
    qInfo("Real keychain in use (service \"%s\")", qPrintable(m_service));
}

void TestCredentialStore::cleanupTestCase()
{
    if (!m_skipReason.isEmpty())
        return;
    CredentialStore store(m_service);
    for (const QString &key : std::as_const(m_written)) {
        const auto removed = remove(store, key);
        QVERIFY(finish(removed));
        QVERIFY2(!removed->error.isError(), qPrintable(removed->error.message));
    }
}

void TestCredentialStore::keysAreNamespacedByProfile()
{
    QCOMPARE(CredentialStore::keyFor(u"1234-ab"_s, CredentialStore::Secret::PrivateKey),
             u"profile/1234-ab/private-key"_s);
    QCOMPARE(CredentialStore::keyFor(u"1234-ab"_s, CredentialStore::Secret::BearerToken),
             u"profile/1234-ab/bearer-token"_s);
    QCOMPARE(CredentialStore::keyFor(u"1234-ab"_s, CredentialStore::Secret::ClientSecret),
             u"profile/1234-ab/client-secret"_s);
    QVERIFY(CredentialStore::keyFor(u"a"_s, CredentialStore::Secret::PrivateKey) !=
            CredentialStore::keyFor(u"b"_s, CredentialStore::Secret::PrivateKey));
    QCOMPARE(CredentialStore::defaultService(), u"Cohort Export"_s);
    CredentialStore store;
    QCOMPARE(store.service(), u"Cohort Export"_s);
    QCOMPARE(store.timeout(), 5000);
#ifdef Q_OS_WIN
    QCOMPARE(store.chunkSize(), 2000);
#else
    QCOMPARE(store.chunkSize(), 0);
#endif
}

void TestCredentialStore::roundTrip()
{
    if (!m_skipReason.isEmpty())
        QSKIP(qPrintable(m_skipReason));
    CredentialStore store(m_service);
    const QString key =
        CredentialStore::keyFor(u"round-trip"_s, CredentialStore::Secret::BearerToken);
    const QByteArray token = "eyJhbGciOiJFUzM4NCJ9.test-token." + QUuid::createUuid().toByteArray();
    const auto written = write(store, key, token);
    QVERIFY(!written->done); // always asynchronous
    QVERIFY(finish(written));
    QVERIFY2(!written->error.isError(), qPrintable(written->error.message));

    const auto readBack = read(store, key);
    QVERIFY(finish(readBack));
    QVERIFY2(!readBack->error.isError(), qPrintable(readBack->error.message));
    QCOMPARE(readBack->value, token);
    QCOMPARE(readBack->calls, 1);

    // Proof that it is in the Secret Service itself, not just somewhere QtKeychain can see:
    // ask the daemon with secret-tool, by QtKeychain's attributes.
    const QString secretTool = QStandardPaths::findExecutable(u"secret-tool"_s);
    if (!secretTool.isEmpty()) {
        QProcess lookup;
        lookup.start(secretTool,
                     {u"lookup"_s, u"server"_s, m_service, u"user"_s, key, u"type"_s, u"base64"_s});
        QVERIFY(lookup.waitForFinished(kWaitMs));
        QCOMPARE(lookup.readAllStandardOutput().trimmed(), token.toBase64());
    }

    // Overwrite, then remove.
    QVERIFY(finish(write(store, key, "second")));
    const auto second = read(store, key);
    QVERIFY(finish(second));
    QCOMPARE(second->value, QByteArray("second"));
    const auto removed = remove(store, key);
    QVERIFY(finish(removed));
    QVERIFY2(!removed->error.isError(), qPrintable(removed->error.message));
    const auto gone = read(store, key);
    QVERIFY(finish(gone));
    QCOMPARE(gone->error.kind, CredentialError::NotFound);
}

void TestCredentialStore::binaryData()
{
    if (!m_skipReason.isEmpty())
        QSKIP(qPrintable(m_skipReason));
    CredentialStore store(m_service);
    const QString key = u"binary/all-bytes"_s;
    QByteArray value;
    for (int i = 0; i < 256; ++i)
        value.append(char(i));
    value += randomBytes(300) + QByteArray(3, '\0');
    const auto written = write(store, key, value);
    QVERIFY(finish(written));
    QVERIFY2(!written->error.isError(), qPrintable(written->error.message));
    const auto readBack = read(store, key);
    QVERIFY(finish(readBack));
    QCOMPARE(readBack->value, value);
}

void TestCredentialStore::chunkedLargeValue()
{
    if (!m_skipReason.isEmpty())
        QSKIP(qPrintable(m_skipReason));
    CredentialStore store(m_service);
    store.setChunkSize(1000);
    const QString key = CredentialStore::keyFor(u"chunked"_s, CredentialStore::Secret::PrivateKey);
    const QByteArray big = randomBytes(10 * 1024);
    m_written << key + u"/0"_s; // in case the test fails half way
    const auto written = write(store, key, big);
    QVERIFY(finish(written));
    QVERIFY2(!written->error.isError(), qPrintable(written->error.message));

    // Stored as a header plus 11 chunks of at most 1000 bytes.
    const auto header = rawRead(key);
    QCOMPARE(header.first, QKeychain::NoError);
    QCOMPARE(header.second, QByteArray("chunks:11"));
    const auto chunk3 = rawRead(key + u"/3"_s);
    QCOMPARE(chunk3.first, QKeychain::NoError);
    QCOMPARE(chunk3.second, big.mid(3000, 1000));
    const auto last = rawRead(key + u"/10"_s);
    QCOMPARE(last.second, big.mid(10000));
    QCOMPARE(rawRead(key + u"/11"_s).first, QKeychain::EntryNotFound);

    const auto readBack = read(store, key);
    QVERIFY(finish(readBack));
    QVERIFY2(!readBack->error.isError(), qPrintable(readBack->error.message));
    QCOMPARE(readBack->value.size(), big.size());
    QCOMPARE(readBack->value, big);

    // A shorter value replaces it and leaves no stale chunks behind.
    const QByteArray small = randomBytes(2500);
    QVERIFY(finish(write(store, key, small)));
    QCOMPARE(rawRead(key).second, QByteArray("chunks:3"));
    QCOMPARE(rawRead(key + u"/3"_s).first, QKeychain::EntryNotFound);
    QCOMPARE(rawRead(key + u"/10"_s).first, QKeychain::EntryNotFound);
    const auto smallBack = read(store, key);
    QVERIFY(finish(smallBack));
    QCOMPARE(smallBack->value, small);

    // Unchunked once the chunk size allows it; the old chunks go.
    store.setChunkSize(0);
    QVERIFY(finish(write(store, key, small)));
    QCOMPARE(rawRead(key).second, small);
    QCOMPARE(rawRead(key + u"/0"_s).first, QKeychain::EntryNotFound);

    // remove() deletes the header and every chunk.
    store.setChunkSize(1000);
    QVERIFY(finish(write(store, key, big)));
    const auto removed = remove(store, key);
    QVERIFY(finish(removed));
    QVERIFY2(!removed->error.isError(), qPrintable(removed->error.message));
    QCOMPARE(rawRead(key).first, QKeychain::EntryNotFound);
    for (int i = 0; i < 11; ++i)
        QCOMPARE(rawRead(key + u'/' + QString::number(i)).first, QKeychain::EntryNotFound);
}

void TestCredentialStore::headerLookalikeIsNotAHeader()
{
    if (!m_skipReason.isEmpty())
        QSKIP(qPrintable(m_skipReason));
    CredentialStore store(m_service);
    const QString key = u"lookalike"_s;
    m_written << key + u"/0"_s;
    for (const QByteArray &value : {QByteArray("chunks:2"), QByteArray("chunks:x")}) {
        QVERIFY(finish(write(store, key, value)));
        const auto readBack = read(store, key);
        QVERIFY(finish(readBack));
        QVERIFY2(!readBack->error.isError(), qPrintable(readBack->error.message));
        QCOMPARE(readBack->value, value);
    }
}

void TestCredentialStore::notFound()
{
    if (!m_skipReason.isEmpty())
        QSKIP(qPrintable(m_skipReason));
    CredentialStore store(m_service);
    const auto missing = read(store, u"profile/no-such-profile/private-key"_s);
    QVERIFY(finish(missing));
    QCOMPARE(missing->error.kind, CredentialError::NotFound);
    QVERIFY(missing->value.isEmpty());
    QVERIFY2(missing->error.message.contains("profile/no-such-profile/private-key"_L1),
             qPrintable(missing->error.message));
}

void TestCredentialStore::namespacing()
{
    if (!m_skipReason.isEmpty())
        QSKIP(qPrintable(m_skipReason));
    CredentialStore store(m_service);
    const QString a =
        CredentialStore::keyFor(u"profile-a"_s, CredentialStore::Secret::ClientSecret);
    const QString b =
        CredentialStore::keyFor(u"profile-b"_s, CredentialStore::Secret::ClientSecret);
    QVERIFY(finish(write(store, a, "secret of a")));
    QVERIFY(finish(write(store, b, "secret of b")));
    const auto readA = read(store, a);
    const auto readB = read(store, b);
    QVERIFY(finish(readA));
    QVERIFY(finish(readB));
    QCOMPARE(readA->value, QByteArray("secret of a"));
    QCOMPARE(readB->value, QByteArray("secret of b"));

    // Other secrets of the same profile are separate entries.
    const auto token =
        read(store, CredentialStore::keyFor(u"profile-a"_s, CredentialStore::Secret::BearerToken));
    QVERIFY(finish(token));
    QCOMPARE(token->error.kind, CredentialError::NotFound);

    // Another service name does not see them.
    CredentialStore other(m_service + u" other"_s);
    const auto foreign = read(other, a);
    QVERIFY(finish(foreign));
    QCOMPARE(foreign->error.kind, CredentialError::NotFound);

    // removeProfileSecrets takes all of one profile and nothing of the other.
    auto done = std::make_shared<Outcome>();
    store.removeProfileSecrets(u"profile-a"_s, this, [done](const CredentialError &error) {
        done->done = true;
        done->error = error;
    });
    QVERIFY(finish(done));
    QVERIFY2(!done->error.isError(), qPrintable(done->error.message));
    const auto afterA = read(store, a);
    const auto afterB = read(store, b);
    QVERIFY(finish(afterA));
    QVERIFY(finish(afterB));
    QCOMPARE(afterA->error.kind, CredentialError::NotFound);
    QCOMPARE(afterB->value, QByteArray("secret of b"));
}

void TestCredentialStore::removeMissingKeySucceeds()
{
    if (!m_skipReason.isEmpty())
        QSKIP(qPrintable(m_skipReason));
    CredentialStore store(m_service);
    const auto removed = remove(store, u"never/written"_s);
    QVERIFY(finish(removed));
    QVERIFY2(!removed->error.isError(), qPrintable(removed->error.message));
}

void TestCredentialStore::sessionOnly()
{
    CredentialStore store(m_service);
    store.setSessionOnly(true);
    QVERIFY(store.isSessionOnly());
    const QString key = CredentialStore::keyFor(u"session"_s, CredentialStore::Secret::BearerToken);
    const auto written = write(store, key, "session token");
    QVERIFY(!written->done); // asynchronous like the keychain path
    QVERIFY(finish(written));
    QVERIFY(!written->error.isError());
    const auto readBack = read(store, key);
    QVERIFY(finish(readBack));
    QCOMPARE(readBack->value, QByteArray("session token"));

    const auto missing = read(store, u"session/other"_s);
    QVERIFY(finish(missing));
    QCOMPARE(missing->error.kind, CredentialError::NotFound);

    // Nothing reached the keychain (checked only where there is one).
    if (m_skipReason.isEmpty()) {
        CredentialStore keychain(m_service);
        const auto inKeychain = read(keychain, key);
        QVERIFY(finish(inKeychain));
        QCOMPARE(inKeychain->error.kind, CredentialError::NotFound);
    }

    QVERIFY(finish(remove(store, key)));
    const auto removed = read(store, key);
    QVERIFY(finish(removed));
    QCOMPARE(removed->error.kind, CredentialError::NotFound);

    // Leaving session-only mode forgets what was kept.
    QVERIFY(finish(write(store, key, "again")));
    store.setSessionOnly(false);
    store.setSessionOnly(true);
    const auto forgotten = read(store, key);
    QVERIFY(finish(forgotten));
    QCOMPARE(forgotten->error.kind, CredentialError::NotFound);
}

void TestCredentialStore::callbackDroppedWithContext()
{
    CredentialStore store(m_service);
    store.setSessionOnly(true);
    QVERIFY(finish(write(store, u"k"_s, "v")));
    auto *context = new QObject;
    const auto dropped = read(store, u"k"_s, context);
    delete context;
    const auto kept = read(store, u"k"_s);
    QVERIFY(finish(kept));
    QTest::qWait(50);
    QVERIFY(!dropped->done);

    // Nor does a destroyed store call back.
    auto doomed = std::make_unique<CredentialStore>(m_service);
    doomed->setSessionOnly(true);
    const auto orphan = read(*doomed, u"k"_s);
    doomed.reset();
    QTest::qWait(50);
    QVERIFY(!orphan->done);
}

void TestCredentialStore::noSessionBusFailsFast()
{
#if defined(Q_OS_UNIX) && !defined(Q_OS_DARWIN)
    QTemporaryDir dir;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(u"DBUS_SESSION_BUS_ADDRESS"_s,
                       u"unix:path="_s + dir.filePath(u"no-such-bus-socket"_s));
    environment.insert(u"QT_QPA_PLATFORM"_s, u"offscreen"_s);
    environment.remove(u"DISPLAY"_s);
    environment.remove(u"WAYLAND_DISPLAY"_s);
    const int timeoutMs = 3000;
    qint64 wallMs = 0;
    const auto fields = runChild(environment, timeoutMs, &wallMs);
    QVERIFY2(!fields.isEmpty(), "the child hung");
    QVERIFY2(fields.contains(u"kind"_s), qPrintable(fields.value(u"stderr"_s)));
    QCOMPARE(fields.value(u"kind"_s).toInt(), int(CredentialError::NoBackend));
    const QString message = fields.value(u"message"_s);
    QVERIFY2(message.startsWith("No keychain service is available"_L1), qPrintable(message));
    // Fails fast: an answer, not the timeout.
    QVERIFY2(fields.value(u"elapsed"_s).toInt() < timeoutMs,
             qPrintable(fields.value(u"elapsed"_s)));
    qInfo("no bus: %s (%lld ms in the child, %lld ms with process start)", qPrintable(message),
          fields.value(u"elapsed"_s).toLongLong(), wallMs);
#else
    QSKIP("the D-Bus Secret Service is the Linux keychain");
#endif
}

void TestCredentialStore::silentBusTimesOut()
{
#if defined(Q_OS_UNIX) && !defined(Q_OS_DARWIN)
    // A "bus" that accepts connections and never says a word: what a stuck autolaunch or a
    // hung daemon looks like to the client.
    QTemporaryDir dir;
    QLocalServer silent;
    const QString socketPath = dir.filePath(u"silent-bus"_s);
    QVERIFY2(silent.listen(socketPath), qPrintable(silent.errorString()));
    QList<QLocalSocket *> held;
    connect(&silent, &QLocalServer::newConnection, &silent, [&] {
        while (QLocalSocket *socket = silent.nextPendingConnection())
            held.append(socket); // owned by the server; never answered
    });
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(u"DBUS_SESSION_BUS_ADDRESS"_s, u"unix:path="_s + socketPath);
    environment.insert(u"QT_QPA_PLATFORM"_s, u"offscreen"_s);
    const int timeoutMs = 1500;
    qint64 wallMs = 0;
    const auto fields = runChild(environment, timeoutMs, &wallMs);
    QVERIFY2(!fields.isEmpty(), "the child hung past its own timeout");
    QVERIFY2(fields.contains(u"kind"_s), qPrintable(fields.value(u"stderr"_s)));
    QVERIFY2(!held.isEmpty(), "the child never connected to the silent bus");
    QCOMPARE(fields.value(u"kind"_s).toInt(), int(CredentialError::Timeout));
    QVERIFY2(fields.value(u"message"_s).contains("did not answer within 1.5 seconds"_L1),
             qPrintable(fields.value(u"message"_s)));
    // Coarse timers may fire up to 5 % early.
    const int elapsed = fields.value(u"elapsed"_s).toInt();
    QVERIFY2(elapsed >= timeoutMs * 9 / 10 && elapsed < timeoutMs + 3000,
             qPrintable(QString::number(elapsed)));
#else
    QSKIP("the D-Bus Secret Service is the Linux keychain");
#endif
}

void TestCredentialStore::lockedKeyringIsReported_data()
{
    QTest::addColumn<QString>("setup"); // shell commands run inside the private session
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("message");
    QTest::newRow("locked")
        << uR"(echo -n unlock-me | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1 &&
        dbus-send --session --print-reply --dest=org.freedesktop.secrets /org/freedesktop/secrets \
            org.freedesktop.Secret.Service.Lock \
            array:objpath:/org/freedesktop/secrets/collection/login >/dev/null)"_s
        << int(CredentialError::AccessDenied) << u"The keychain is locked or access was denied."_s;
    // A keyring daemon that has never been unlocked has no login collection, and creating one
    // needs a prompt: reported as no keychain, with the service's words.
    QTest::newRow("no login collection")
        << u"gnome-keyring-daemon --start --components=secrets >/dev/null 2>&1"_s
        << int(CredentialError::NoBackend) << u"collection/login"_s;
}

void TestCredentialStore::lockedKeyringIsReported()
{
#if defined(Q_OS_UNIX) && !defined(Q_OS_DARWIN)
    // A private session bus with a gnome-keyring that cannot store without a prompt, and no
    // display for the prompt: the write fails at once and says why.
    QFETCH(QString, setup);
    QFETCH(int, kind);
    QFETCH(QString, message);
    for (const char *tool : {"dbus-run-session", "gnome-keyring-daemon", "dbus-send"}) {
        if (QStandardPaths::findExecutable(QString::fromLatin1(tool)).isEmpty())
            QSKIP(qPrintable(
                u"needs %1 (packaging/deps/install-deps.sh)"_s.arg(QString::fromLatin1(tool))));
    }
    QTemporaryDir home;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(u"HOME"_s, home.path());
    environment.insert(u"XDG_DATA_HOME"_s, home.filePath(u"data"_s));
    environment.insert(u"XDG_CACHE_HOME"_s, home.filePath(u"cache"_s));
    environment.insert(u"QT_QPA_PLATFORM"_s, u"offscreen"_s);
    environment.remove(u"DISPLAY"_s);
    environment.remove(u"WAYLAND_DISPLAY"_s);
    const QString script = setup + u" && exec \"$@\""_s;
    const int timeoutMs = 5000;
    qint64 wallMs = 0;
    const auto fields =
        runChild(environment, timeoutMs, &wallMs,
                 {u"dbus-run-session"_s, u"--"_s, u"sh"_s, u"-c"_s, script, u"sh"_s});
    QVERIFY2(!fields.isEmpty(), "the child hung");
    QVERIFY2(fields.contains(u"kind"_s), qPrintable(fields.value(u"stderr"_s)));
    QCOMPARE(fields.value(u"kind"_s).toInt(), kind);
    QVERIFY2(fields.value(u"message"_s).contains(message), qPrintable(fields.value(u"message"_s)));
    QVERIFY2(fields.value(u"elapsed"_s).toInt() < timeoutMs,
             qPrintable(fields.value(u"elapsed"_s)));
#else
    QSKIP("the D-Bus Secret Service is the Linux keychain");
#endif
}

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    if (argc == 4 && std::strcmp(argv[1], "--child-write") == 0)
        return childWrite(QString::fromLocal8Bit(argv[2]), QByteArray(argv[3]).toInt());
    TestCredentialStore test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_CredentialStore.moc"
