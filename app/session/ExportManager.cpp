#include "ExportManager.h"

#include "ExportEntry.h"
#include "ServerSession.h"
#include "auth/ProfileStore.h"
#include "fhir/FhirClient.h"

#include <QDateTime>
#include <QDir>
#include <QRegularExpression>
#include <QSettings>
#include <QStandardPaths>

namespace cohort::session {

using bulk::ExportJob;
using bulk::ExportJournal;
using bulk::ExportState;
using namespace Qt::StringLiterals;

namespace {

const auto kFoldersKey = u"exports/folders"_s;

// A Group name as a folder name on every platform.
QString safeFolderName(const QString &name)
{
    static const QRegularExpression unsafe(u"[<>:\"/\\\\|?*\\x00-\\x1f]+"_s);
    QString s = name;
    s.replace(unsafe, u"_"_s);
    s = s.simplified();
    while (s.endsWith(QLatin1Char('.')) || s.endsWith(QLatin1Char(' ')))
        s.chop(1);
    if (s.size() > 80)
        s.truncate(80);
    return s.isEmpty() ? u"Export"_s : s;
}

} // namespace

ExportDefaults ExportDefaults::load(QSettings *settings)
{
    ExportDefaults d;
    d.folder = settings->value(u"exports/defaultFolder"_s, standardFolder()).toString();
    d.parallelDownloads = qBound(1, settings->value(u"exports/parallel"_s, 4).toInt(), 32);
    d.pollCapSeconds = qBound(5, settings->value(u"exports/pollCap"_s, 60).toInt(), 3600);
    d.deleteOnServerAfterDownload = settings->value(u"exports/deleteAfterDownload"_s).toBool();
    return d;
}

void ExportDefaults::save(QSettings *settings) const
{
    settings->setValue(u"exports/defaultFolder"_s, folder);
    settings->setValue(u"exports/parallel"_s, parallelDownloads);
    settings->setValue(u"exports/pollCap"_s, pollCapSeconds);
    settings->setValue(u"exports/deleteAfterDownload"_s, deleteOnServerAfterDownload);
}

QString ExportDefaults::standardFolder()
{
    QString documents = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    if (documents.isEmpty())
        documents = QDir::homePath();
    return QDir(documents).filePath(u"Cohort Export"_s);
}

ExportManager::ExportManager(ServerSession *session, QSettings *settings, QObject *parent)
    : QObject(parent)
    , m_session(session)
    , m_settings(settings)
    , m_defaults(ExportDefaults::load(settings))
{
}

ExportManager::~ExportManager()
{
    qDeleteAll(m_entries);
}

void ExportManager::setDefaults(const ExportDefaults &defaults)
{
    m_defaults = defaults;
    m_defaults.save(m_settings);
}

int ExportManager::indexOf(const ExportEntry *entry) const
{
    return int(m_entries.indexOf(const_cast<ExportEntry *>(entry)));
}

ExportEntry *ExportManager::entryForFolder(const QString &folder) const
{
    const QString clean = QDir::cleanPath(folder);
    for (ExportEntry *e : m_entries) {
        if (QDir::cleanPath(e->folder()) == clean)
            return e;
    }
    return nullptr;
}

void ExportManager::load()
{
    const QStringList folders = m_settings->value(kFoldersKey).toStringList();
    for (const QString &folder : folders) {
        if (entryForFolder(folder))
            continue;
        if (auto journal = ExportJournal::load(folder))
            addEntry(folder, *journal);
    }
    saveFolders(); // forgets the folders that are gone
}

void ExportManager::resumeUnfinished()
{
    for (ExportEntry *e : std::as_const(m_entries)) {
        if (!bulk::isFinal(e->state()) && !e->isRunning() && !e->isConnecting())
            resume(e);
    }
}

bool ExportManager::hasRunning() const
{
    return std::any_of(m_entries.begin(), m_entries.end(),
                       [](const ExportEntry *e) { return e->isRunning() || e->isConnecting(); });
}

QString ExportManager::suggestFolder(const QString &label, const QString &profileFolder) const
{
    const QString root = profileFolder.isEmpty() ? m_defaults.folder : profileFolder;
    const QString stamp = QDateTime::currentDateTime().toString(u"yyyy-MM-dd HH-mm"_s);
    const QString base = QDir(QDir(root).filePath(safeFolderName(label))).filePath(stamp);
    QString folder = base;
    for (int n = 2; QFileInfo::exists(folder) || entryForFolder(folder); ++n)
        folder = u"%1 (%2)"_s.arg(base).arg(n);
    return QDir::toNativeSeparators(folder);
}

bulk::ExportJobOptions ExportManager::jobOptions(int profileParallel) const
{
    bulk::ExportJobOptions options;
    options.parallelDownloads = profileParallel > 0 ? profileParallel : m_defaults.parallelDownloads;
    options.pollCapSeconds = m_defaults.pollCapSeconds;
    options.deleteOnServerAfterDownload = m_defaults.deleteOnServerAfterDownload;
    return options;
}

ExportEntry *ExportManager::startExport(const bulk::ExportRequest &request, const QString &folder,
                                        const QString &label, QString *error)
{
    // The form has shown these already; a caller without a form gets them here.
    if (const auto problems = request.validate(); !problems.isEmpty()) {
        *error = bulk::ExportRequest::describe(problems);
        return nullptr;
    }
    if (m_session->state() != ServerSession::State::Connected) {
        *error = tr("Connect to a server first.");
        return nullptr;
    }
    const QString clean = QDir::cleanPath(QDir::fromNativeSeparators(folder));
    if (clean.isEmpty()) {
        *error = tr("Choose a folder for the export.");
        return nullptr;
    }
    if (QFileInfo::exists(QDir(clean).filePath(ExportJournal::fileName())) || entryForFolder(clean)) {
        *error = tr("The folder %1 already holds an export; choose another one.")
                     .arg(QDir::toNativeSeparators(clean));
        return nullptr;
    }
    if (!QDir().mkpath(clean)) {
        *error = tr("The folder %1 could not be created.").arg(QDir::toNativeSeparators(clean));
        return nullptr;
    }
    ExportJournal journal;
    journal.serverUrl = m_session->client()->baseUrl().toString();
    journal.label = label;
    journal.profileId = m_session->profile().id;
    journal.request = request;
    journal.createdAt = QDateTime::currentDateTimeUtc();
    ExportEntry *entry = addEntry(clean, journal);
    launch(entry, request, label, m_session->profile().id);
    return entry;
}

void ExportManager::launch(ExportEntry *entry, const bulk::ExportRequest &request,
                           const QString &label, const QString &profileId)
{
    const auto profile = m_session->profiles()->profile(profileId);
    if (!profile) {
        entry->setProblem(tr("The server profile of this export no longer exists."));
        return;
    }
    entry->setConnecting(true);
    const int parallel = profile->builtIn ? 0 : profile->parallelDownloads;
    m_session->buildClient(
        *profile, entry,
        [this, entry, request, label, profileId,
         parallel](std::unique_ptr<fhir::FhirClient> client, const QString &error) {
            if (!client) {
                entry->setProblem(error);
                return;
            }
            auto *job = new ExportJob(client.get(), request, entry->folder(), jobOptions(parallel));
            job->setLabel(label);
            job->setProfileId(profileId);
            QString why;
            if (!job->prepare(&why)) {
                delete job;
                entry->setProblem(why);
                return;
            }
            entry->attach(std::move(client), job);
            job->start();
        });
}

void ExportManager::resume(ExportEntry *entry)
{
    const ExportJournal &journal = entry->journal();
    std::optional<auth::ServerProfile> profile;
    if (!journal.profileId.isEmpty())
        profile = m_session->profiles()->profile(journal.profileId);
    if (!profile) {
        for (const auto &p : m_session->profiles()->profiles()) {
            if (!p.builtIn && p.baseUrl == QUrl(journal.serverUrl)) {
                profile = p;
                break;
            }
        }
    }
    if (!profile) {
        entry->setProblem(tr("No server profile matches %1; add one to continue this export.")
                              .arg(journal.serverUrl));
        return;
    }
    entry->setConnecting(true);
    const QString folder = entry->folder();
    const int parallel = profile->builtIn ? 0 : profile->parallelDownloads;
    const bool demo = profile->builtIn;
    m_session->buildClient(
        *profile, entry,
        [this, entry, folder, parallel, demo](std::unique_ptr<fhir::FhirClient> client,
                                              const QString &error) {
            if (!client) {
                entry->setProblem(error);
                return;
            }
            QString why;
            ExportJob *job = ExportJob::resume(client.get(), folder, jobOptions(parallel), &why);
            if (!job) {
                // The demo server of an earlier run is gone with its exports; any other refusal
                // (the folder in use by another process, say) is reported as it is.
                const bool demoGone = demo && QUrl(entry->journal().serverUrl) != client->baseUrl();
                entry->setProblem(demoGone ? tr("The built-in demo server forgets its exports "
                                                "when the app quits, so this one cannot "
                                                "continue. Use Retry to export the same data "
                                                "again.")
                                           : why);
                return;
            }
            entry->attach(std::move(client), job);
            job->start();
        });
}

ExportEntry *ExportManager::retry(ExportEntry *entry)
{
    if (!entry->canRetry())
        return nullptr;
    const ExportJournal journal = entry->journal();
    const bool haveManifest = !journal.files.isEmpty() &&
                              (journal.state == ExportState::Failed || !bulk::isFinal(journal.state));
    if (haveManifest && entry->problem().isEmpty()) {
        resume(entry);
        return entry;
    }
    QString folder = QDir::cleanPath(entry->folder());
    const QString base = folder;
    for (int n = 2; QFileInfo::exists(folder) || entryForFolder(folder); ++n)
        folder = u"%1 (%2)"_s.arg(base).arg(n);
    QString profileId = journal.profileId;
    if (profileId.isEmpty())
        profileId = m_session->profile().id;
    if (!QDir().mkpath(folder)) {
        entry->setProblem(tr("The folder %1 could not be created.").arg(folder));
        return nullptr;
    }
    ExportJournal fresh;
    fresh.serverUrl = journal.serverUrl;
    fresh.label = journal.label;
    fresh.profileId = profileId;
    fresh.request = journal.request;
    fresh.createdAt = QDateTime::currentDateTimeUtc();
    ExportEntry *again = addEntry(folder, fresh);
    launch(again, journal.request, journal.label, profileId);
    return again;
}

void ExportManager::remove(ExportEntry *entry)
{
    const int index = indexOf(entry);
    if (index < 0 || !entry->canRemove())
        return;
    emit entryAboutToBeRemoved(index);
    m_entries.removeAt(index);
    entry->deleteLater();
    saveFolders();
    emit entryRemoved();
}

ExportEntry *ExportManager::addExisting(const QString &folder, QString *error)
{
    if (ExportEntry *known = entryForFolder(folder))
        return known;
    auto journal = ExportJournal::load(folder, error);
    if (!journal)
        return nullptr;
    return addEntry(QDir::cleanPath(folder), *journal);
}

QDateTime ExportManager::lastTransactionTime(const QString &profileId, const QString &groupId) const
{
    QDateTime last;
    for (const ExportEntry *e : m_entries) {
        const ExportJournal &j = e->journal();
        if (j.profileId != profileId || j.request.groupId != groupId ||
            j.request.level != bulk::ExportRequest::Level::Group)
            continue;
        if (j.state != ExportState::Completed && j.state != ExportState::PartiallyCompleted)
            continue;
        if (j.transactionTime.isValid() && (!last.isValid() || j.transactionTime > last))
            last = j.transactionTime;
    }
    return last;
}

ExportEntry *ExportManager::addEntry(const QString &folder, const ExportJournal &journal)
{
    auto *entry = new ExportEntry(this, folder, journal);
    const int index = int(m_entries.size());
    emit entryAboutToBeAdded(index);
    m_entries.append(entry);
    connect(entry, &ExportEntry::changed, this, [this, entry] {
        const int i = indexOf(entry);
        if (i >= 0)
            emit entryChanged(i);
    });
    connect(entry, &ExportEntry::finished, this,
            [this, entry](ExportState state) { emit exportFinished(entry, state); });
    saveFolders();
    emit entryAdded(index);
    return entry;
}

void ExportManager::saveFolders()
{
    QStringList folders;
    for (const ExportEntry *e : std::as_const(m_entries))
        folders.append(e->folder());
    m_settings->setValue(kFoldersKey, folders);
    m_settings->sync();
}

} // namespace cohort::session
