#pragma once

#include "FileDownload.h"

namespace cohort::bulk {

// Runs FileDownloads with at most `parallel` at once and sums their progress, with a smoothed
// rate and an ETA (hidden, -1, while untrustworthy).
class DownloadQueue : public QObject
{
    Q_OBJECT
public:
    struct Progress
    {
        int filesTotal = 0, filesDone = 0, filesFailed = 0, filesActive = 0;
        qint64 bytesReceived = 0;
        qint64 bytesExpected = -1; // -1 while any running file's size is unknown
        double bytesPerSecond = 0;
        int etaSeconds = -1;
    };

    DownloadQueue(fhir::FhirClient *client, QString directory, DownloadOptions options,
                  int parallel = 4, QObject *parent = nullptr);
    ~DownloadQueue() override;

    void setTasks(const QList<FileTask> &tasks);
    void start();
    void abort();
    bool isRunning() const;
    Progress currentProgress() const;

signals:
    void fileStarted(int index);
    void fileProgress(int index, qint64 received, qint64 total);
    void fileFinished(int index, const cohort::bulk::FileResult &result);
    void progress(const cohort::bulk::DownloadQueue::Progress &progress);
    void finished(); // every task finished (ok or not), or abort() completed
    void logMessage(const QString &message);

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace cohort::bulk
