// Crash safety of the command-line export against the in-process demo server: SIGKILL at many
// points (named crash points in the engine, see app/export/CrashPoint.h, and random moments),
// then `cohort-export resume`, which must end with files byte-identical to an uninterrupted
// export; and a disk that fills up: the export stops with a clear error, keeps the finished
// files, and resumes once there is room.
#include "TestFiles.h"
#include "demo/DemoServer.h"
#include "demo/SyntheticCohort.h"
#include "export/ExportJournal.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QProcess>
#include <QRandomGenerator>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <cerrno>
#include <cstring>
#include <functional>
#include <limits>

#ifdef Q_OS_UNIX
#include <csignal>
#include <sys/resource.h>
#include <unistd.h>
#endif
#ifdef Q_OS_LINUX
#include <sys/mount.h>
#endif

using namespace cohort;
using namespace cohort::test;
using namespace Qt::StringLiterals;
using bulk::ExportState;

namespace {

enum class Mount
{
    Fresh,
    Remount,
    RemountReadOnly
};

// A tmpfs of a given size is Linux's (and needs the right to mount); elsewhere it fails with
// ENOSYS and the rows that need one skip, saying why.
[[maybe_unused]] bool mountTmpfs(const QString &path, Mount how, const char *options)
{
#ifdef Q_OS_LINUX
    const unsigned long flags = how == Mount::Fresh     ? 0UL
                                : how == Mount::Remount ? (unsigned long)MS_REMOUNT
                                                        : (unsigned long)(MS_REMOUNT | MS_RDONLY);
    return ::mount("tmpfs", path.toLocal8Bit().constData(), "tmpfs", flags, options) == 0;
#else
    Q_UNUSED(path)
    Q_UNUSED(how)
    Q_UNUSED(options)
    errno = ENOSYS;
    return false;
#endif
}

[[maybe_unused]] void unmountTmpfs(const QString &path)
{
#ifdef Q_OS_LINUX
    ::umount(path.toLocal8Bit().constData());
#else
    Q_UNUSED(path)
#endif
}

} // namespace

class TestCrashSafety : public QObject
{
    Q_OBJECT

private:
    struct Run
    {
        int exitCode = -1;
        QProcess::ExitStatus status = QProcess::NormalExit;
        QString stdErr;
        bool finished = false;
    };

    // Runs the CLI to its end (or to its death) while this event loop keeps the server serving.
    // killAfterMs >= 0: SIGKILL after that long (a random kill point), unless it ended before.
    Run runCli(const QStringList &arguments, const QProcessEnvironment &environment = {},
               int killAfterMs = -1, const std::function<void()> &childSetup = {})
    {
        QProcess p;
        if (!environment.isEmpty())
            p.setProcessEnvironment(environment);
#ifdef Q_OS_UNIX
        if (childSetup)
            p.setChildProcessModifier(childSetup);
#else
        Q_UNUSED(childSetup)
#endif
        QSignalSpy finished(&p, &QProcess::finished);
        p.start(QStringLiteral(COHORT_EXE), arguments);
        Run r;
        if (!p.waitForStarted(20000))
            return r;
        if (killAfterMs >= 0) {
            QTimer::singleShot(killAfterMs, &p, [&p] {
#ifdef Q_OS_UNIX
                // processId() is 0 once the child is gone, and kill(0) would hit our own group.
                if (p.state() == QProcess::Running && p.processId() > 0)
                    ::kill(pid_t(p.processId()), SIGKILL);
#endif
            });
        }
        r.finished = finished.wait(180000);
        r.exitCode = p.exitCode();
        r.status = p.exitStatus();
        r.stdErr = QString::fromUtf8(p.readAllStandardError());
        return r;
    }

    QStringList exportArguments(const QString &folder) const
    {
        return {u"export"_s,
                u"--server"_s,
                m_server->baseUrl().toString(),
                u"--group"_s,
                m_group,
                u"--type"_s,
                u"Patient,Observation,Condition"_s,
                u"--parallel"_s,
                u"2"_s,
                u"--out"_s,
                folder};
    }

    // The folder holds exactly the reference files, byte for byte, and nothing half-done.
    void checkIdentical(const QString &folder, const QString &what)
    {
        const auto got = ndjsonFilesIn(folder);
        QVERIFY2(QStringList(got.keys()) == QStringList(m_reference.keys()),
                 qPrintable(what + u": "_s + QStringList(got.keys()).join(u' ')));
        for (auto it = m_reference.cbegin(); it != m_reference.cend(); ++it)
            QVERIFY2(got.value(it.key()) == it.value(), qPrintable(what + u": "_s + it.key()));
        QVERIFY2(partFilesIn(folder).isEmpty(), qPrintable(what));
        const auto journal = bulk::ExportJournal::load(folder);
        QVERIFY2(journal && journal->state == ExportState::Completed, qPrintable(what));
    }

    std::unique_ptr<demo::DemoServer> m_server;
    QString m_group;
    QTemporaryDir m_dir;
    QMap<QString, QByteArray> m_reference;
    qint64 m_referenceMs = 0;

private slots:
    void initTestCase();
    void killAtTwentyPointsThenResume();
    void diskFullStopsAndResumes_data();
    void diskFullStopsAndResumes();
    void readOnlyFolder();
};

void TestCrashSafety::initTestCase()
{
#ifndef Q_OS_UNIX
    QSKIP("SIGKILL, mount and rlimits are Unix");
#endif
    demo::DemoServerOptions o;
    o.patients = 60;
    o.resourcesPerFile = 100;
    o.exportSeconds = 1.5; // two status polls: one in progress, one with the manifest
    o.faults = {demo::Fault::SlowFiles};
    o.slowChunkBytes = 4096;
    o.slowChunkIntervalMs = 5;
    m_server = std::make_unique<demo::DemoServer>(o);
    QString error;
    QVERIFY2(m_server->start(&error), qPrintable(error));
    for (const auto &g : m_server->cohort().groups()) {
        if (g.active && g.members.size() >= 5) {
            m_group = g.id;
            break;
        }
    }
    QVERIFY(!m_group.isEmpty());

    // The reference: one uninterrupted export.
    QElapsedTimer clock;
    clock.start();
    const QString folder = m_dir.filePath(u"reference"_s);
    const Run r = runCli(exportArguments(folder));
    m_referenceMs = clock.elapsed();
    QVERIFY2(r.finished && r.status == QProcess::NormalExit && r.exitCode == 0,
             qPrintable(r.stdErr));
    m_reference = ndjsonFilesIn(folder);
    QVERIFY2(m_reference.size() >= 6, qPrintable(QString::number(m_reference.size())));
    qInfo("reference export: %lld files in %lld ms", qint64(m_reference.size()), m_referenceMs);
}

void TestCrashSafety::killAtTwentyPointsThenResume()
{
#ifdef Q_OS_UNIX
    // Named points: each is reached in every export of this size, so each is a real kill there
    // (20 of them: the minimum without counting on the random ones).
    // journal-save 1 is the very first export.json (nothing to resume yet), 2 kick-off, 3
    // polling, 4 the manifest, then one per finished file.
    const QStringList named{
        u"journal-save:1"_s,  u"journal-save:2"_s,  u"journal-save:3"_s,     u"journal-save:4"_s,
        u"journal-save:6"_s,  u"journal-save:9"_s,  u"kickoff-accepted:1"_s, u"poll-answered:1"_s,
        u"poll-answered:2"_s, u"part-write:1"_s,    u"part-write:3"_s,       u"part-write:6"_s,
        u"before-rename:1"_s, u"before-rename:4"_s, u"after-rename:1"_s,     u"after-rename:3"_s,
        u"journal-save:5"_s,  u"part-write:2"_s,    u"before-rename:2"_s,    u"after-rename:2"_s,
    };
    // Random moments on top, seeded and printed so a failure can be replayed (COHORT_KILL_SEED).
    const quint32 seed = qEnvironmentVariableIsSet("COHORT_KILL_SEED")
                             ? quint32(qEnvironmentVariableIntValue("COHORT_KILL_SEED"))
                             : QRandomGenerator::global()->generate();
    qInfo("random kill points: seed %u", seed);
    QRandomGenerator random(seed);
    const int randomPoints = 8;

    int kills = 0;
    const int total = int(named.size()) + randomPoints;
    for (int k = 0; k < total; ++k) {
        const bool isNamed = k < named.size();
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        int killAfterMs = -1;
        QString label;
        if (isNamed) {
            label = named.at(k);
            environment.insert(u"COHORT_CRASH_AT"_s, label);
        } else {
            killAfterMs = int(random.bounded(qMax<qint64>(1, m_referenceMs * 9 / 10)));
            label = u"random %1 ms"_s.arg(killAfterMs);
        }
        const QString folder = m_dir.filePath(u"kill-%1"_s.arg(k));
        const Run killed = runCli(exportArguments(folder), environment, killAfterMs);
        QVERIFY2(killed.finished, qPrintable(label));
        if (killed.status == QProcess::NormalExit) {
            // Only a random moment may come too late; a named point must have been reached.
            QVERIFY2(!isNamed, qPrintable(label + u": the crash point was never reached"_s));
            QCOMPARE(killed.exitCode, 0);
            checkIdentical(folder, label);
            continue;
        }
        ++kills;
        QVERIFY2(partFilesIn(folder).size() <= 2, qPrintable(label)); // --parallel 2

        if (!QFileInfo::exists(QDir(folder).filePath(bulk::ExportJournal::fileName()))) {
            // Killed before the first export.json: nothing to resume, and resume says so; the
            // same command again starts afresh in the same folder.
            const Run resume = runCli({u"resume"_s, folder});
            QVERIFY2(resume.finished && resume.exitCode != 0, qPrintable(label));
            QVERIFY2(resume.stdErr.contains("holds no export"_L1), qPrintable(resume.stdErr));
            QVERIFY2(ndjsonFilesIn(folder).isEmpty(), qPrintable(label));
            const Run again = runCli(exportArguments(folder));
            QVERIFY2(again.finished && again.exitCode == 0, qPrintable(again.stdErr));
        } else {
            const Run resume = runCli({u"resume"_s, folder});
            QVERIFY2(resume.finished && resume.status == QProcess::NormalExit &&
                         resume.exitCode == 0,
                     qPrintable(label + u": "_s + resume.stdErr));
        }
        checkIdentical(folder, label);
        if (QTest::currentTestFailed())
            return;
    }
    qInfo("%d of %d kill points were real kills", kills, total);
    QVERIFY2(kills >= 20, qPrintable(QString::number(kills)));
#else
    QSKIP("SIGKILL is Unix-only");
#endif
}

void TestCrashSafety::diskFullStopsAndResumes_data()
{
    QTest::addColumn<QString>("how");
    // A real full file system where the machine lets us mount one; a file-size limit
    // (RLIMIT_FSIZE: writes beyond it fail with EFBIG) everywhere.
    QTest::newRow("tmpfs") << u"tmpfs"_s;
    QTest::newRow("file size limit") << u"rlimit"_s;
}

void TestCrashSafety::diskFullStopsAndResumes()
{
#ifdef Q_OS_UNIX
    QFETCH(QString, how);
    qint64 totalBytes = 0, smallest = std::numeric_limits<qint64>::max(), largest = 0;
    for (const QByteArray &bytes : std::as_const(m_reference)) {
        totalBytes += bytes.size();
        smallest = qMin<qint64>(smallest, bytes.size());
        largest = qMax<qint64>(largest, bytes.size());
    }
    QTemporaryDir mountPoint;
    const QString folder = mountPoint.filePath(u"out"_s);
    std::function<void()> childSetup;
    bool mounted = false;
    auto unmount = qScopeGuard([&] {
        if (mounted)
            unmountTmpfs(mountPoint.path());
    });
    if (how == "tmpfs"_L1) {
        // Room for about half the export (and export.json, export.log, manifest.json).
        const QByteArray options = "size=" + QByteArray::number(totalBytes / 2 + 64 * 1024);
        if (!mountTmpfs(mountPoint.path(), Mount::Fresh, options.constData()))
            QSKIP(qPrintable(u"cannot mount a tmpfs here (%1); the file size limit row runs "
                             "everywhere"_s.arg(QString::fromLocal8Bit(std::strerror(errno)))));
        mounted = true;
    } else {
        // The largest files cannot be written, the smallest can, export.json always can.
        const rlim_t limit = rlim_t((smallest + largest) / 2);
        QVERIFY2(limit > 16 * 1024 && qint64(limit) > smallest && qint64(limit) < largest,
                 qPrintable(QString::number(limit)));
        childSetup = [limit] {
            ::signal(SIGXFSZ, SIG_IGN); // a write beyond the limit fails with EFBIG instead
            const rlimit rl{limit, limit};
            ::setrlimit(RLIMIT_FSIZE, &rl);
        };
    }

    const Run full = runCli(exportArguments(folder), {}, -1, childSetup);
    QVERIFY2(full.finished && full.status == QProcess::NormalExit, qPrintable(full.stdErr));
    QCOMPARE(full.exitCode, 1);
    // A clear error: which file, and why in the system's words.
    const QString why = how == "tmpfs"_L1 ? u"No space left on device"_s : u"File too large"_s;
    QVERIFY2(full.stdErr.contains(why), qPrintable(full.stdErr));
    QVERIFY2(full.stdErr.contains("could not be downloaded"_L1), qPrintable(full.stdErr));
    // What is complete is kept and correct; nothing complete is missing from the journal.
    const auto kept = ndjsonFilesIn(folder);
    QVERIFY2(!kept.isEmpty() && kept.size() < m_reference.size(),
             qPrintable(QString::number(kept.size())));
    for (auto it = kept.cbegin(); it != kept.cend(); ++it)
        QVERIFY2(m_reference.value(it.key()) == it.value(), qPrintable(it.key()));
    // export.json survived: the last state saved (Failed, or where it was when the disk filled
    // up, since saving needs room for a new copy), never empty or half-written.
    const auto journal = bulk::ExportJournal::load(folder);
    QVERIFY2(journal, "export.json was lost on the full disk");
    QVERIFY2(journal->state == ExportState::Failed || journal->state == ExportState::Downloading,
             qPrintable(bulk::stateName(journal->state)));
    QVERIFY2(!full.stdErr.contains("Unknown error"_L1), qPrintable(full.stdErr));

    // Room again: resume finishes the export, byte for byte.
    if (mounted) {
        const QByteArray options = "size=" + QByteArray::number(totalBytes * 3 + 1024 * 1024);
        QVERIFY2(mountTmpfs(mountPoint.path(), Mount::Remount, options.constData()),
                 std::strerror(errno));
    }
    const Run resume = runCli({u"resume"_s, folder});
    QVERIFY2(resume.finished && resume.exitCode == 0, qPrintable(resume.stdErr));
    checkIdentical(folder, how);
#else
    QSKIP("mount and rlimits are Unix");
#endif
}

void TestCrashSafety::readOnlyFolder()
{
#ifdef Q_OS_UNIX
    // A read-only file system cannot be remounted under an open file, so the folder turns
    // read-only between runs: an export killed half-way, its disk read-only when it is resumed
    // (and a new export into a read-only folder). Both say why and change nothing; once the folder
    // is writable again, resume finishes the export byte for byte.
    QTemporaryDir mountPoint;
    if (!mountTmpfs(mountPoint.path(), Mount::Fresh, "size=64m"))
        QSKIP(qPrintable(
            u"cannot mount a tmpfs here (%1)"_s.arg(QString::fromLocal8Bit(std::strerror(errno)))));
    auto unmount = qScopeGuard([&] { unmountTmpfs(mountPoint.path()); });
    const QString folder = mountPoint.filePath(u"out"_s);
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(u"COHORT_CRASH_AT"_s, u"after-rename:2"_s);
    const Run killed = runCli(exportArguments(folder), environment);
    QVERIFY2(killed.finished && killed.status == QProcess::CrashExit, qPrintable(killed.stdErr));
    const auto before = ndjsonFilesIn(folder);
    QVERIFY(!before.isEmpty() && before.size() < m_reference.size());

    QVERIFY2(mountTmpfs(mountPoint.path(), Mount::RemountReadOnly, nullptr), std::strerror(errno));
    const Run refused = runCli({u"resume"_s, folder});
    QVERIFY2(refused.finished && refused.status == QProcess::NormalExit,
             qPrintable(refused.stdErr));
    QCOMPARE(refused.exitCode, 1);
    QVERIFY2(refused.stdErr.contains("Read-only file system"_L1), qPrintable(refused.stdErr));
    QCOMPARE(ndjsonFilesIn(folder), before);
    const Run fresh = runCli(exportArguments(mountPoint.filePath(u"new"_s)));
    QVERIFY2(fresh.finished && fresh.exitCode == 1, qPrintable(fresh.stdErr));
    QVERIFY2(fresh.stdErr.contains("Read-only file system"_L1), qPrintable(fresh.stdErr));

    QVERIFY2(mountTmpfs(mountPoint.path(), Mount::Remount, "size=64m"), std::strerror(errno));
    const Run resume = runCli({u"resume"_s, folder});
    QVERIFY2(resume.finished && resume.exitCode == 0, qPrintable(resume.stdErr));
    checkIdentical(folder, u"read-only"_s);
#else
    QSKIP("mount is Unix");
#endif
}

QTEST_GUILESS_MAIN(TestCrashSafety)
#include "tst_CrashSafety.moc"
