#pragma once

#include "DownloadQueue.h"
#include "ExportJournal.h"
#include "ExportRequest.h"
#include "Manifest.h"
#include "StatusParsing.h"
#include "Strand.h"
#include "WorkerPool.h"

#include <QObject>
#include <QPointer>
#include <QSet>
#include <QTimer>

#include <memory>

class QLockFile;

namespace cohort::fhir {
class FhirCall;
class FhirClient;
struct FhirResponse;
} // namespace cohort::fhir

namespace cohort::bulk {

struct ExportJobOptions
{
    int parallelDownloads = 4;
    int pollCapSeconds = 60;     // back-off cap when the server gives no Retry-After
    int maxTransientRetries = 8; // transient OperationOutcomes / network errors while polling
    int maxKickoffRetries = 10;  // 429 on kick-off
    bool deleteOnServerAfterDownload = false;
    DownloadOptions download; // auth is set from the manifest's requiresAccessToken
};

// One Bulk Data export, from kick-off to files on disk, as an explicit state machine:
// Created → KickingOff → Polling → Downloading → Completed | PartiallyCompleted, or Failed,
// or Cancelled. Every transition is saved to export.json in the folder, so resume() continues
// after a crash or restart; export.log receives the log lines.
// prepare() and resume() lock the folder (lockFileName() in it) against other jobs, in this
// process or another, until the job finishes or is destroyed; a lock left by a process that
// died is taken over.
class ExportJob : public QObject
{
    Q_OBJECT
public:
    struct Progress
    {
        ExportState state = ExportState::Created;
        ServerProgress server; // X-Progress of the last 202
        QDateTime nextCheck;   // when the next status poll is due (UTC), while Polling
        DownloadQueue::Progress download;
        int filesTotal = 0, filesDone = 0, filesFailed = 0;
    };

    // A new export into folder (created if missing; must not hold an export already).
    ExportJob(fhir::FhirClient *client, ExportRequest request, QString folder,
              ExportJobOptions options = {}, QObject *parent = nullptr);
    // Continues the export whose journal is in folder. nullptr + error when there is none, or
    // when another job holds the folder.
    static ExportJob *resume(fhir::FhirClient *client, const QString &folder,
                             ExportJobOptions options, QString *error, QObject *parent = nullptr);
    ~ExportJob() override;

    void setLabel(const QString &label); // shown in lists, e.g. the Group's name
    void setProfileId(const QString &id);
    // Validates the request and writes the first journal; false + error when it cannot start
    // (also when another job holds the folder).
    bool prepare(QString *error);
    void start();    // from wherever the journal says
    void checkNow(); // poll now instead of waiting for Retry-After
    void cancel();   // stops transfers, DELETEs the server's job, keeps finished files

    ExportState state() const;
    Progress progress() const;
    const ExportJournal &journal() const;
    QString folder() const;
    QString summary() const; // one paragraph for people: what happened and what is where
    // The lock file a running job keeps in its folder; not part of the export.
    static QString lockFileName() { return QStringLiteral(".cohort-export.lock"); }
    // Validation problems per file path (first ones only), for reports.
    QList<QPair<QString, LineProblem>> problems() const;

signals:
    void stateChanged(cohort::bulk::ExportState state);
    void progressChanged();
    // index: into journal().files.
    void fileProgress(int index, qint64 received, qint64 total);
    void fileFinished(int index, const cohort::bulk::FileResult &result);
    void logMessage(const QString &message);
    void finished(cohort::bulk::ExportState state);

private:
    ExportJob(fhir::FhirClient *client, ExportJournal journal, QString folder,
              ExportJobOptions options, QObject *parent);
    void kickOff();
    void onKickOff(const fhir::FhirResponse &response);
    void poll();
    void onPoll(const fhir::FhirResponse &response);
    void schedulePoll(int seconds, const QString &why);
    void onTimer(); // the wait before a kick-off retry or the next poll is over
    void fetchManifestPage(const QUrl &url);
    void onManifest(const QByteArray &body, const QUrl &url);
    void startDownloads();
    void onDownloadsFinished();
    void applyFreshManifest(); // after files answered 404/410: their new URLs, then again
    QString expiryNote() const; // " The server said it would keep the files until ..." or ""
    void finishCancel();        // once the downloads have closed their files
    void finish(ExportState state, const QString &message);
    void setState(ExportState state);
    void saveJournal();
    void log(const QString &message);
    void deleteOnServer(const QString &why);
    QString errorSummary() const;

    fhir::FhirClient *m_client;
    ExportJournal m_journal;
    QString m_folder;
    ExportJobOptions m_options;
    QPointer<fhir::FhirCall> m_call;
    QTimer m_pollTimer; // kick-off retries and polls
    Backoff m_backoff;
    int m_transientFailures = 0;
    int m_kickoffAttempts = 0;
    bool m_cancelling = false;
    Manifest m_manifest;
    QByteArray m_manifestBody;
    DownloadQueue *m_queue = nullptr;
    QList<int> m_queueToJournal; // queue task index → journal file index
    ServerProgress m_serverProgress;
    QDateTime m_nextCheck;
    QList<QPair<QString, LineProblem>> m_problems;
    // Files that answered 404/410 (expired signed URLs, say): the status URL is asked once for a
    // fresh manifest, and those files are fetched again from its URLs.
    QSet<int> m_goneFiles;
    bool m_manifestRefreshed = false;
    bool m_refreshingManifest = false;
    std::unique_ptr<QLockFile> m_lock; // held from prepare()/resume() until finished
    // Journal saves (each ends in an fsync) run in order on the I/O pool, off the owner's
    // thread; finished() is emitted once the last one is on disk.
    Strand m_disk{ioPool()};
    Mailbox m_mailbox{this};
    struct PendingSaves;
    std::shared_ptr<PendingSaves> m_pendingSaves;
};

} // namespace cohort::bulk
