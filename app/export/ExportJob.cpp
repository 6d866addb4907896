#include "ExportJob.h"

#include "CrashPoint.h"
#include "fhir/FhirClient.h"
#include "fhir/FhirDateTime.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLockFile>
#include <QLoggingCategory>
#include <QSaveFile>

#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <system_error>

Q_LOGGING_CATEGORY(lcExport, "cohort.export")

namespace cohort::bulk {

using fhir::FhirError;
using fhir::FhirResponse;

ExportJob::ExportJob(fhir::FhirClient *client, ExportRequest request, QString folder,
                     ExportJobOptions options, QObject *parent)
    : QObject(parent)
    , m_client(client)
    , m_folder(std::move(folder))
    , m_options(options)
    , m_backoff(options.pollCapSeconds)
    , m_pendingSaves(std::make_shared<PendingSaves>())
{
    m_journal.request = std::move(request);
    m_journal.serverUrl = client->baseUrl().toString();
    m_journal.createdAt = QDateTime::currentDateTimeUtc();
    m_pollTimer.setSingleShot(true);
    connect(&m_pollTimer, &QTimer::timeout, this, &ExportJob::onTimer);
}

ExportJob::ExportJob(fhir::FhirClient *client, ExportJournal journal, QString folder,
                     ExportJobOptions options, QObject *parent)
    : QObject(parent)
    , m_client(client)
    , m_journal(std::move(journal))
    , m_folder(std::move(folder))
    , m_options(options)
    , m_backoff(options.pollCapSeconds)
    , m_pendingSaves(std::make_shared<PendingSaves>())
{
    m_pollTimer.setSingleShot(true);
    connect(&m_pollTimer, &QTimer::timeout, this, &ExportJob::onTimer);
}

namespace {

// The journal's files for a manifest: our own names, numbered per type in the manifest's order.
QList<ExportJournal::File> journalFilesOf(const Manifest &manifest)
{
    QList<ExportJournal::File> files;
    LocalFileNamer names;
    auto add = [&](const QList<ManifestFile> &entries, FileTask::Kind kind,
                   const QString &subfolder) {
        for (const ManifestFile &f : entries) {
            ExportJournal::File file;
            file.task.kind = kind;
            file.task.type = f.type;
            file.task.url = f.url;
            file.task.expectedCount = f.count;
            file.task.relativePath = names.next(f.type, subfolder);
            files.append(file);
        }
    };
    add(manifest.output, FileTask::Kind::Output, QString());
    add(manifest.error, FileTask::Kind::Error, QStringLiteral("error/"));
    add(manifest.deleted, FileTask::Kind::Deleted, QStringLiteral("deleted/"));
    return files;
}

// Keeps every other job out of folder while this one writes into it: the app still exporting
// while `resume` runs on the same folder would have both write and rename the same files.
// False + a message naming the holder when another job holds it. A folder where no lock file
// can be created, or a stale one removed (read-only), is not locked: nothing can be written
// there either, and the first write says why.
bool lockFolder(const QString &folder, std::unique_ptr<QLockFile> *lock, QString *error)
{
    auto file = std::make_unique<QLockFile>(QDir(folder).filePath(ExportJob::lockFileName()));
    // An export can run for days: age never makes the lock stale, only a holder that is gone
    // (QLockFile checks the process id and name on this host, or the boot).
    file->setStaleLockTime(0);
    if (file->tryLock(0)) {
        *lock = std::move(file);
        return true;
    }
    if (file->error() != QLockFile::LockFailedError || !QFileInfo(folder).isWritable()) {
        qCWarning(lcExport).noquote()
            << "Cannot write" << file->fileName() << "to lock the folder; going on without it";
        lock->reset();
        return true;
    }
    if (error) {
        qint64 pid = 0;
        QString host, program;
        const QString where = QDir::toNativeSeparators(folder);
        if (file->getLockInfo(&pid, &host, &program)) {
            *error =
                ExportJob::tr("The folder %1 is in use by %2 (process %3 on host %4), which "
                              "is exporting into it. Wait until it has finished, or stop it, "
                              "then try again.")
                    .arg(where, program.isEmpty() ? ExportJob::tr("another program") : program,
                         QString::number(pid), host.isEmpty() ? ExportJob::tr("unknown") : host);
        } else {
            *error = ExportJob::tr("The folder %1 is in use by another export. Wait until it has "
                                   "finished, or stop it, then try again.")
                         .arg(where);
        }
    }
    return false;
}

} // namespace

ExportJob *ExportJob::resume(fhir::FhirClient *client, const QString &folder,
                             ExportJobOptions options, QString *error, QObject *parent)
{
    // Locked before the journal is read: the holder may be about to write it. A folder that
    // is missing has no journal to resume, as load() says.
    std::unique_ptr<QLockFile> lock;
    if (QFileInfo(folder).isDir() && !lockFolder(folder, &lock, error))
        return nullptr;
    auto journal = ExportJournal::load(folder, error);
    if (!journal)
        return nullptr;
    if (QUrl(journal->serverUrl) != client->baseUrl()) {
        if (error)
            *error = tr("The export in %1 came from %2, not from %3.")
                         .arg(folder, journal->serverUrl, client->baseUrl().toString());
        return nullptr;
    }
    if (journal->state == ExportState::Failed && !journal->files.isEmpty()) {
        // It failed while downloading: the manifest is known, so fetch what is missing.
        journal->state = ExportState::Downloading;
        journal->message.clear();
        journal->finishedAt = QDateTime();
    }
    auto *job = new ExportJob(client, *journal, folder, options, parent);
    job->m_lock = std::move(lock);
    if (job->m_journal.state == ExportState::Downloading) {
        QFile manifest(QDir(folder).filePath(QStringLiteral("manifest.json")));
        if (manifest.open(QIODevice::ReadOnly))
            job->m_manifestBody = manifest.readAll();
        if (auto m = Manifest::parse(job->m_manifestBody, job->m_journal.statusUrl, nullptr))
            job->m_manifest = *m;
    }
    return job;
}

struct ExportJob::PendingSaves
{
    std::mutex mutex;
    std::condition_variable idle;
    int count = 0;

    void add()
    {
        std::lock_guard lock(mutex);
        ++count;
    }
    void done()
    {
        std::lock_guard lock(mutex);
        if (--count == 0)
            idle.notify_all();
    }
    void wait()
    {
        std::unique_lock lock(mutex);
        idle.wait(lock, [this] { return count == 0; });
    }
};

ExportJob::~ExportJob()
{
    m_mailbox.close();
    // A job deleted mid-export (quit, a test standing in for a crash) leaves its last state on
    // disk before the folder lock goes: a resume must read what this job last decided.
    m_pendingSaves->wait();
}

void ExportJob::setLabel(const QString &label)
{
    m_journal.label = label;
}

void ExportJob::setProfileId(const QString &id)
{
    m_journal.profileId = id;
}

bool ExportJob::prepare(QString *error)
{
    if (const auto problems = m_journal.request.validate(); !problems.isEmpty()) {
        if (error)
            *error = ExportRequest::describe(problems);
        return false;
    }
    QDir dir(m_folder);
    if (!dir.mkpath(QStringLiteral("."))) {
        // QDir does not say why; the file system does (read-only, permission, no space...).
        std::error_code why;
        std::filesystem::create_directories(std::filesystem::path(m_folder.toStdU16String()), why);
        if (error)
            *error = why ? tr("Cannot create the folder %1: %2.")
                               .arg(m_folder, QString::fromLocal8Bit(why.message().c_str()))
                         : tr("Cannot create the folder %1.").arg(m_folder);
        return false;
    }
    // Locked before the journal is looked for: two exports started into one folder at once
    // would both find none.
    if (!lockFolder(m_folder, &m_lock, error))
        return false;
    if (dir.exists(ExportJournal::fileName())) {
        m_lock.reset();
        if (error)
            *error =
                tr("%1 already holds an export; choose another folder or resume it.").arg(m_folder);
        return false;
    }
    QString why;
    if (!m_journal.save(m_folder, &why)) {
        m_lock.reset();
        if (error)
            *error = why;
        return false;
    }
    return true;
}

void ExportJob::start()
{
    switch (m_journal.state) {
    case ExportState::Created:
    case ExportState::KickingOff:
        kickOff();
        break;
    case ExportState::Polling:
        log(tr("Resuming: checking the export's status at %1.")
                .arg(m_journal.statusUrl.toString(QUrl::RemoveQuery)));
        poll();
        break;
    case ExportState::Downloading:
        log(tr("Resuming the download."));
        if (m_journal.expires.isValid() && m_journal.expires <= QDateTime::currentDateTimeUtc())
            log(tr("The server said it would keep the files until %1; trying anyway.")
                    .arg(fhir::formatInstant(m_journal.expires)));
        startDownloads();
        break;
    default:
        m_lock.reset(); // finished before: nothing to write
        QMetaObject::invokeMethod(
            this, [this] { emit finished(m_journal.state); }, Qt::QueuedConnection);
        break;
    }
}

void ExportJob::checkNow()
{
    if (m_pollTimer.isActive()) {
        m_pollTimer.stop();
        onTimer();
    }
}

void ExportJob::onTimer()
{
    if (m_cancelling)
        return;
    if (m_journal.state == ExportState::KickingOff)
        kickOff();
    else if (m_journal.state == ExportState::Polling)
        poll();
}

ExportState ExportJob::state() const
{
    return m_journal.state;
}

ExportJob::Progress ExportJob::progress() const
{
    Progress p;
    p.state = m_journal.state;
    p.server = m_serverProgress;
    p.nextCheck = m_pollTimer.isActive() ? m_nextCheck : QDateTime();
    if (m_queue)
        p.download = m_queue->currentProgress();
    p.filesTotal = int(m_journal.files.size());
    for (const auto &f : m_journal.files) {
        p.filesDone += f.status == ExportJournal::File::Status::Done ? 1 : 0;
        p.filesFailed += f.status == ExportJournal::File::Status::Failed ? 1 : 0;
    }
    return p;
}

const ExportJournal &ExportJob::journal() const
{
    return m_journal;
}

QString ExportJob::folder() const
{
    return m_folder;
}

QList<QPair<QString, LineProblem>> ExportJob::problems() const
{
    return m_problems;
}

void ExportJob::setState(ExportState state)
{
    if (m_journal.state == state)
        return;
    m_journal.state = state;
    saveJournal();
    emit stateChanged(state);
    emit progressChanged();
}

void ExportJob::saveJournal()
{
    m_pendingSaves->add();
    // A copy: implicitly shared, so this costs a few reference counts, and this thread may go
    // on changing its own.
    m_disk.post([this, journal = m_journal, folder = m_folder, mailbox = m_mailbox,
                 pending = m_pendingSaves] {
        QString error;
        if (!journal.save(folder, &error))
            mailbox.post([this, error] { log(tr("Could not save the journal: %1").arg(error)); });
        pending->done();
    });
}

void ExportJob::log(const QString &message)
{
    const QString line = fhir::redactSecrets(message);
    qCInfo(lcExport).noquote() << line;
    QFile file(QDir(m_folder).filePath(QStringLiteral("export.log")));
    if (file.open(QIODevice::Append | QIODevice::Text))
        file.write((fhir::formatInstant(QDateTime::currentDateTimeUtc()) + QLatin1Char(' ') + line +
                    QLatin1Char('\n'))
                       .toUtf8());
    emit logMessage(line);
}

void ExportJob::kickOff()
{
    const ExportRequest &r = m_journal.request;
    fhir::RequestOptions options;
    options.headers.append({"Prefer", r.preferHeader().toLatin1()});
    QUrl url = m_client->resolve(r.operationPath());
    if (r.usesPost()) {
        options.method = "POST";
        options.body = r.parametersJson();
        options.contentType = "application/fhir+json";
    } else {
        const QString query = r.query();
        if (!query.isEmpty())
            url.setQuery(query, QUrl::StrictMode);
    }
    m_journal.kickoffUrl = url.toString(QUrl::FullyEncoded);
    setState(ExportState::KickingOff);
    ++m_kickoffAttempts;
    log(tr("Kick-off: %1 %2").arg(QString::fromLatin1(options.method), m_journal.kickoffUrl));
    m_call = m_client->send(url, options);
    connect(m_call, &fhir::FhirCall::finished, this, &ExportJob::onKickOff);
}

void ExportJob::onKickOff(const FhirResponse &response)
{
    m_call = nullptr;
    if (m_cancelling)
        return;
    if (response.status == 429 && m_kickoffAttempts < m_options.maxKickoffRetries) {
        const auto retry =
            parseRetryAfter(response.header("Retry-After"), QDateTime::currentDateTimeUtc());
        const int wait = retry ? retry->seconds : m_backoff.next();
        if (retry && retry->clamped)
            log(retry->note);
        log(tr("The server is busy (429); trying the kick-off again in %n s.", nullptr, wait));
        return schedulePoll(wait, QString());
    }
    if (response.error.isError())
        return finish(ExportState::Failed,
                      tr("The server refused the export: %1").arg(response.error.message()));
    if (response.status != 202)
        return finish(ExportState::Failed,
                      tr("The server answered %1 instead of 202 Accepted: it did not start an "
                         "asynchronous export.")
                          .arg(response.status));
    const QByteArray location = response.header("Content-Location");
    if (location.isEmpty())
        return finish(ExportState::Failed,
                      tr("The server accepted the export but did not say where to follow it (no "
                         "Content-Location header)."));
    m_journal.statusUrl = response.url.resolved(QUrl(QString::fromUtf8(location)));
    crashPoint("kickoff-accepted"); // the server has an export that export.json does not know
    if (!response.body.isEmpty())
        log(tr("Kick-off answer (informational): %1")
                .arg(QString::fromUtf8(response.body.left(500)).simplified()));
    log(tr("Export accepted; status at %1").arg(m_journal.statusUrl.toString(QUrl::RemoveQuery)));
    m_backoff.reset();
    setState(ExportState::Polling);
    poll();
}

void ExportJob::poll()
{
    if (m_cancelling || m_call)
        return;
    fhir::RequestOptions options;
    options.accept = "application/json";
    m_call = m_client->send(m_journal.statusUrl, options);
    connect(m_call, &fhir::FhirCall::finished, this, &ExportJob::onPoll);
}

void ExportJob::schedulePoll(int seconds, const QString &why)
{
    m_nextCheck = QDateTime::currentDateTimeUtc().addSecs(seconds);
    if (!why.isEmpty())
        log(why);
    m_pollTimer.start(std::chrono::seconds(seconds));
    emit progressChanged();
}

void ExportJob::onPoll(const FhirResponse &response)
{
    crashPoint("poll-answered");
    m_call = nullptr;
    if (m_cancelling)
        return;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const auto retry = parseRetryAfter(response.header("Retry-After"), now);
    if (retry && retry->clamped)
        log(retry->note);

    if (response.status == 202) {
        m_transientFailures = 0;
        m_serverProgress = parseXProgress(response.header("X-Progress"));
        const int wait = retry ? retry->seconds : m_backoff.next();
        return schedulePoll(wait, m_serverProgress.text.isEmpty()
                                      ? QString()
                                      : tr("In progress: %1").arg(m_serverProgress.text));
    }
    if (response.status == 429) {
        const int wait = retry ? retry->seconds : m_backoff.next();
        return schedulePoll(
            wait,
            tr("The server asks us to poll less often (429); next check in %n s.", nullptr, wait));
    }
    if (response.status == 200 && !response.error.isError()) {
        // The files' last day on the server, if it says: named when they are found gone.
        if (const auto expires = fhir::parseHttpDate(response.header("Expires"));
            expires && *expires != m_journal.expires) {
            m_journal.expires = *expires;
            log(tr("The server keeps the files until %1.").arg(fhir::formatInstant(*expires)));
        }
        return onManifest(response.body, response.url);
    }

    const FhirError &e = response.error;
    const bool retryable = e.isTransient() || e.kind == FhirError::Kind::Network ||
                           e.kind == FhirError::Kind::Timeout || response.status == 503;
    if (retryable && m_transientFailures < m_options.maxTransientRetries) {
        ++m_transientFailures;
        const int wait = retry ? retry->seconds : m_backoff.next();
        return schedulePoll(
            wait,
            tr("Temporary problem while checking the status (%1); trying again in %2 s (%3 of %4).")
                .arg(e.message())
                .arg(wait)
                .arg(m_transientFailures)
                .arg(m_options.maxTransientRetries));
    }
    if (response.status == 404)
        return finish(ExportState::Failed,
                      tr("The server no longer knows this export (404): it may have been cancelled "
                         "or expired. %1")
                              .arg(e.message()) +
                          expiryNote());
    finish(ExportState::Failed, tr("The export failed on the server: %1").arg(e.message()));
}

void ExportJob::onManifest(const QByteArray &body, const QUrl &url)
{
    QString error;
    const auto page = Manifest::parse(body, url, &error);
    if (!page)
        return finish(ExportState::Failed, tr("The server's manifest is unusable: %1").arg(error));
    const bool firstPage = m_manifestBody.isEmpty();
    if (firstPage) {
        m_manifest = *page;
        m_manifestBody = body;
        // Saved as received; further pages are appended to the journal's file list only.
        QSaveFile file(QDir(m_folder).filePath(QStringLiteral("manifest.json")));
        QString why;
        if (!file.open(QIODevice::WriteOnly))
            why = file.errorString();
        else if (file.write(body) != body.size() || !commitSaveFile(file, &why))
            why = why.isEmpty() ? file.errorString() : why;
        if (!why.isEmpty())
            log(tr("Could not save manifest.json: %1").arg(why));
    } else {
        m_manifest.append(*page);
    }
    if (page->next.isValid() && !page->next.isEmpty()) {
        log(tr("The manifest continues on another page."));
        return fetchManifestPage(page->next);
    }

    if (m_refreshingManifest)
        return applyFreshManifest();
    m_journal.transactionTime = m_manifest.transactionTime;
    m_journal.requiresAccessToken = m_manifest.requiresAccessToken;
    m_journal.files = journalFilesOf(m_manifest);
    log(tr("Export complete on the server: %n file(s) to download (transaction time %1).", nullptr,
           int(m_journal.files.size()))
            .arg(fhir::formatInstant(m_manifest.transactionTime)));
    setState(ExportState::Downloading);
    startDownloads();
}

void ExportJob::applyFreshManifest()
{
    m_refreshingManifest = false;
    if (m_manifest.transactionTime != m_journal.transactionTime) {
        return finish(ExportState::Failed,
                      tr("The server's fresh manifest belongs to another export (transaction time "
                         "%1, not %2): start a new export.")
                          .arg(fhir::formatInstant(m_manifest.transactionTime),
                               fhir::formatInstant(m_journal.transactionTime)));
    }
    // Our file names follow the manifest's order, so the same name is the same file.
    QHash<QString, QUrl> fresh;
    for (const ExportJournal::File &f : journalFilesOf(m_manifest))
        fresh.insert(f.task.relativePath, f.task.url);
    int renewed = 0;
    for (const int j : std::as_const(m_goneFiles)) {
        FileTask &task = m_journal.files[j].task;
        const QUrl url = fresh.value(task.relativePath);
        if (url.isValid() && url != task.url) {
            task.url = url;
            ++renewed;
        }
    }
    m_goneFiles.clear();
    if (renewed == 0) {
        log(tr("The fresh manifest has no new address for the missing files."));
        return onDownloadsFinished();
    }
    log(tr("The fresh manifest has new addresses for %n file(s); downloading again.", nullptr,
           renewed));
    saveJournal();
    startDownloads();
}

QString ExportJob::expiryNote() const
{
    if (!m_journal.expires.isValid() || m_journal.expires > QDateTime::currentDateTimeUtc())
        return {};
    return u' ' + tr("The server said it would keep the files until %1, and that has passed: "
                     "start a new export.")
                      .arg(fhir::formatInstant(m_journal.expires));
}

void ExportJob::fetchManifestPage(const QUrl &url)
{
    fhir::RequestOptions options;
    options.accept = "application/json";
    m_call = m_client->send(url, options);
    connect(m_call, &fhir::FhirCall::finished, this, [this](const FhirResponse &r) {
        m_call = nullptr;
        if (m_cancelling)
            return;
        if (r.error.isError())
            return finish(
                ExportState::Failed,
                tr("A further manifest page could not be read: %1").arg(r.error.message()));
        onManifest(r.body, r.url);
    });
}

void ExportJob::startDownloads()
{
    DownloadOptions options = m_options.download;
    options.auth = m_journal.requiresAccessToken ? fhir::AuthMode::Always : fhir::AuthMode::Never;
    if (m_queue) { // a second round, after a fresh manifest
        m_queue->disconnect(this);
        m_queue->deleteLater();
    }
    m_queue = new DownloadQueue(m_client, m_folder, options, m_options.parallelDownloads, this);
    QList<FileTask> tasks;
    m_queueToJournal.clear();
    for (int i = 0; i < m_journal.files.size(); ++i) {
        if (m_journal.files[i].status == ExportJournal::File::Status::Done)
            continue;
        m_journal.files[i].status = ExportJournal::File::Status::Pending;
        tasks.append(m_journal.files[i].task);
        m_queueToJournal.append(i);
    }
    connect(m_queue, &DownloadQueue::progress, this, [this] { emit progressChanged(); });
    connect(m_queue, &DownloadQueue::logMessage, this, &ExportJob::log);
    connect(m_queue, &DownloadQueue::fileProgress, this,
            [this](int index, qint64 received, qint64 total) {
                const int j = m_queueToJournal.value(index, -1);
                if (j >= 0)
                    emit fileProgress(j, received, total);
            });
    connect(m_queue, &DownloadQueue::fileFinished, this,
            [this](int index, const FileResult &result) {
                const int j = m_queueToJournal.value(index, -1);
                // A file that completed while cancelling is whole: the journal keeps it.
                if (j < 0 || (m_cancelling && !result.ok))
                    return;
                ExportJournal::File &f = m_journal.files[j];
                f.status = result.ok ? ExportJournal::File::Status::Done
                                     : ExportJournal::File::Status::Failed;
                f.lines = result.lines;
                f.bytes = result.bytes;
                f.problemCount = result.problemCount;
                f.message = result.ok ? QString() : result.message;
                const int status = result.error.httpStatus;
                if (!result.ok && result.error.kind == fhir::FhirError::Kind::Http &&
                    (status == 404 || status == 410))
                    m_goneFiles.insert(j);
                for (const LineProblem &p : result.problems)
                    m_problems.append({f.task.relativePath, p});
                saveJournal();
                if (result.ok)
                    log(tr("%1: %n line(s)%2", nullptr, int(result.lines))
                            .arg(f.task.relativePath,
                                 result.problemCount
                                     ? tr(", %n problem(s)", nullptr, int(result.problemCount))
                                     : QString()));
                else
                    log(tr("%1 failed: %2").arg(f.task.relativePath, result.message));
                emit fileFinished(j, result);
                emit progressChanged();
            });
    connect(m_queue, &DownloadQueue::finished, this, &ExportJob::onDownloadsFinished);
    m_queue->setTasks(tasks);
    if (tasks.isEmpty()) {
        QMetaObject::invokeMethod(this, &ExportJob::onDownloadsFinished, Qt::QueuedConnection);
        return;
    }
    m_queue->start();
}

QString ExportJob::errorSummary() const
{
    // The error files hold OperationOutcomes: count them by severity and quote a few.
    QHash<QString, int> bySeverity;
    QStringList examples;
    for (const auto &f : m_journal.files) {
        if (f.task.kind != FileTask::Kind::Error || f.status != ExportJournal::File::Status::Done)
            continue;
        QFile file(QDir(m_folder).filePath(f.task.relativePath));
        if (!file.open(QIODevice::ReadOnly))
            continue;
        int lines = 0;
        while (!file.atEnd() && lines < 10000) {
            const QByteArray line = file.readLine(1 << 20);
            ++lines;
            const auto issues = fhir::parseOperationOutcome(line);
            if (!issues)
                continue;
            for (const auto &issue : *issues) {
                ++bySeverity[issue.severity.isEmpty() ? QStringLiteral("unknown") : issue.severity];
                if (examples.size() < 3 && !issue.text.isEmpty())
                    examples.append(issue.text);
            }
        }
    }
    QStringList counts;
    for (const QString &s :
         {QStringLiteral("fatal"), QStringLiteral("error"), QStringLiteral("warning"),
          QStringLiteral("information"), QStringLiteral("unknown")}) {
        if (bySeverity.value(s))
            counts.append(QStringLiteral("%1 %2").arg(bySeverity.value(s)).arg(s));
    }
    QString text =
        tr("The server reported problems (%1).")
            .arg(counts.isEmpty() ? tr("see the error files") : counts.join(QStringLiteral(", ")));
    if (!examples.isEmpty())
        text += QLatin1Char(' ') + tr("For example: %1").arg(examples.join(QStringLiteral("; ")));
    return text;
}

void ExportJob::onDownloadsFinished()
{
    if (m_cancelling || isFinal(m_journal.state))
        return;
    int failed = 0, withProblems = 0, errorFiles = 0;
    QString firstFailure;
    for (const auto &f : m_journal.files) {
        if (f.status != ExportJournal::File::Status::Done) {
            ++failed;
            if (firstFailure.isEmpty())
                firstFailure = f.message;
        }
        withProblems += f.problemCount > 0 ? 1 : 0;
        errorFiles += f.task.kind == FileTask::Kind::Error ? 1 : 0;
    }
    if (failed > 0 && !m_goneFiles.isEmpty() && !m_manifestRefreshed &&
        m_journal.statusUrl.isValid()) {
        // Signed file URLs expire; the status URL keeps answering with the manifest, and may
        // sign them afresh.
        m_manifestRefreshed = true;
        m_refreshingManifest = true;
        m_manifestBody.clear(); // the next manifest body is a first page again
        log(tr("%n file(s) are gone from the server (404/410); asking the status URL for a fresh "
               "manifest.",
               nullptr, int(m_goneFiles.size())));
        return poll();
    }
    if (failed > 0) {
        return finish(
            ExportState::Failed,
            tr("%1 of %2 files could not be downloaded (%3). The finished files are kept; "
               "resume the export to try the others again.")
                .arg(failed)
                .arg(m_journal.files.size())
                .arg(firstFailure) +
                expiryNote());
    }
    if (m_options.deleteOnServerAfterDownload)
        deleteOnServer(tr("The files are downloaded; telling the server it may delete them."));
    QStringList partial;
    if (errorFiles > 0)
        partial.append(errorSummary());
    if (withProblems > 0)
        partial.append(
            tr("%n file(s) failed validation (see the problems list).", nullptr, withProblems));
    if (!partial.isEmpty())
        return finish(ExportState::PartiallyCompleted, partial.join(QLatin1Char(' ')));
    finish(ExportState::Completed,
           tr("All %n file(s) downloaded and checked.", nullptr, int(m_journal.files.size())));
}

void ExportJob::deleteOnServer(const QString &why)
{
    if (m_journal.statusUrl.isEmpty())
        return;
    log(why);
    fhir::RequestOptions options;
    options.method = "DELETE";
    options.accept = "application/json";
    options.timeoutMs = 15000;
    fhir::FhirCall *call = m_client->send(m_journal.statusUrl, options);
    connect(call, &fhir::FhirCall::finished, this, [this](const FhirResponse &r) {
        log(r.error.isError()
                ? tr("The server did not confirm the deletion: %1").arg(r.error.message())
                : tr("The server confirmed the deletion (%1).").arg(r.status));
        if (m_cancelling)
            finish(ExportState::Cancelled, tr("Cancelled."));
    });
}

void ExportJob::cancel()
{
    if (m_cancelling || isFinal(m_journal.state))
        return;
    m_cancelling = true;
    log(tr("Cancelling."));
    m_pollTimer.stop();
    if (m_call)
        m_call->abort();
    if (m_queue && m_queue->isRunning()) {
        // The downloads close their files on the I/O pool first; then the .part files can go
        // (Windows cannot remove an open file).
        connect(m_queue, &DownloadQueue::finished, this, &ExportJob::finishCancel,
                Qt::SingleShotConnection);
        m_queue->abort();
        return;
    }
    finishCancel();
}

void ExportJob::finishCancel()
{
    // Partial files of a cancelled export will never be resumed: leave only whole files.
    QDirIterator it(m_folder, {QStringLiteral("*.part")}, QDir::Files,
                    QDirIterator::Subdirectories);
    while (it.hasNext())
        QFile::remove(it.next());
    for (auto &f : m_journal.files) {
        if (f.status != ExportJournal::File::Status::Done)
            f.status = ExportJournal::File::Status::Pending;
    }
    if (m_journal.statusUrl.isEmpty())
        return finish(ExportState::Cancelled,
                      tr("Cancelled before the server accepted the export."));
    deleteOnServer(tr("Asking the server to cancel the export."));
}

void ExportJob::finish(ExportState state, const QString &message)
{
    if (isFinal(m_journal.state))
        return;
    m_pollTimer.stop();
    m_journal.message = message;
    m_journal.finishedAt = QDateTime::currentDateTimeUtc();
    log(message);
    setState(state);
    // After the final journal is on disk: whoever hears finished may read the folder, and a
    // resume may take it.
    m_disk.post([this, state, mailbox = m_mailbox] {
        mailbox.post([this, state] {
            m_lock.reset();
            emit finished(state);
        });
    });
}

QString ExportJob::summary() const
{
    qint64 lines = 0, bytes = 0;
    for (const auto &f : m_journal.files) {
        lines += f.lines;
        bytes += f.bytes;
    }
    return tr("%1 %2 resources in %3 files (%4 bytes) in %5.")
        .arg(m_journal.message)
        .arg(lines)
        .arg(m_journal.files.size())
        .arg(bytes)
        .arg(QDir::toNativeSeparators(m_folder));
}

} // namespace cohort::bulk
