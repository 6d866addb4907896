#pragma once

#include "fhir/FhirClient.h"

#include <QElapsedTimer>
#include <QFile>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <memory>

namespace cohort::bulk {

// One file of a manifest to fetch.
struct FileTask
{
    enum class Kind { Output, Error, Deleted };
    QString type;          // resourceType expected on every line (OperationOutcome for error files)
    QUrl url;
    QString relativePath;  // ours, e.g. "Observation.001.ndjson", "error/OperationOutcome.001.ndjson"
    qint64 expectedCount = -1;
    Kind kind = Kind::Output;
};

struct LineProblem
{
    qint64 line = 0; // 1-based
    QString message;
};

struct FileResult
{
    bool ok = false;        // complete and renamed into place (validation problems do not unset it)
    fhir::FhirError error;  // the transfer failure after the last attempt
    QString message;        // a sentence for people when !ok
    qint64 bytes = 0;       // bytes of NDJSON on disk
    qint64 lines = 0;
    QList<LineProblem> problems; // the first 100 validation problems
    qint64 problemCount = 0;     // all of them
    int attempts = 0;
    bool resumed = false;        // a Range request continued a partial file
};

struct DownloadOptions
{
    fhir::AuthMode auth = fhir::AuthMode::Never; // Always when the manifest says requiresAccessToken
    int maxAttempts = 5;
    int retryBaseDelayMs = 1000; // doubles per attempt, capped at 30 s; Retry-After wins
    qint64 maxLineBytes = 64ll * 1024 * 1024;
    bool gzip = true;            // Accept-Encoding: gzip, inflated on the fly
    int timeoutMs = 60000;       // the transport's: no byte from the server for this long
    // No progress at all (no byte from the server, none written to disk) for this long ends the
    // attempt, whatever the cause, and the retry/resume path takes over. 0: off.
    int stallTimeoutMs = 120000;
    qint64 readBufferBytes = 4ll * 1024 * 1024;
};

// Streams one file to "<directory>/<relativePath>.part" in bounded memory, inflating gzip and
// decoding a FHIR Binary answer on the fly, checks every line (one JSON object whose
// resourceType is task.type, no line over maxLineBytes, count equals expectedCount when given),
// and renames it into place when complete. Retries with back-off (429, 5xx, dropped
// connections, timeouts), resuming with Range when the server honours it. An existing .part
// file from an earlier run is resumed the same way: cut back to its last complete line first,
// so no line is ever written twice.
//
// The file side (inflate, decode, line check, write, fsync, rename) runs on ioPool() threads,
// one job at a time per file, never on the thread that owns this object: that thread only moves
// the network's bytes over, bounded (it stops reading while the disk is behind, and the
// transport then pauses the transfer). Progress counts decoded bytes on disk.
class FileDownload : public QObject
{
    Q_OBJECT
public:
    FileDownload(fhir::FhirClient *client, FileTask task, QString directory,
                 DownloadOptions options, QObject *parent = nullptr);
    ~FileDownload() override;

    const FileTask &task() const { return m_task; }
    QString finalPath() const;
    QString partPath() const;
    void start();
    // Keeps the .part file; finished() with error kind Cancelled follows once the file is
    // closed (soon: the writes still queued are dropped).
    void abort();
    qint64 bytesReceived() const; // decoded bytes in the file so far
    qint64 bytesTotal() const;    // the same unit, estimated for compressed bodies; -1: unknown

signals:
    void progress(qint64 received, qint64 total);
    void finished(const cohort::bulk::FileResult &result);
    void logMessage(const QString &message);

private:
    struct Private;
    std::unique_ptr<Private> d;
    FileTask m_task;
};

} // namespace cohort::bulk
