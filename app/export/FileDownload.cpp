#include "FileDownload.h"

#include "BinaryResourceDecoder.h"
#include "CrashPoint.h"
#include "GzipInflater.h"
#include "NdjsonLineChecker.h"
#include "fhir/FhirDateTime.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QLoggingCategory>

#include <QThread>

#ifdef Q_OS_WIN
#include <io.h>
#else
#include <fcntl.h>
#include <unistd.h>
#endif

Q_LOGGING_CATEGORY(lcDownload, "cohort.export.download")

namespace cohort::bulk {

using namespace Qt::StringLiterals;
using fhir::FhirError;

namespace {

constexpr qint64 kMaxBackoffMs = 30 * 1000;
constexpr qint64 kMaxRetryAfterMs = 120 * 1000;
constexpr int kProgressIntervalMs = 100;
constexpr qint64 kScanBlockBytes = 1024 * 1024;
constexpr int kScanBlocksPerTurn = 16; // ~16 MiB per event-loop turn keeps the UI responsive
constexpr qint64 kMaxReadChunk = 1024 * 1024;

// The file's bytes on the disk itself before it is renamed into place.
bool syncToDisk(QFile &file)
{
    if (!file.flush())
        return false;
#if defined(Q_OS_WIN)
    return ::_commit(file.handle()) == 0;
#elif defined(Q_OS_DARWIN)
    // macOS's fsync only reaches the drive's cache; F_FULLFSYNC asks the drive to write it out
    // (fsync where the file system cannot).
    return ::fcntl(file.handle(), F_FULLFSYNC) == 0 || ::fsync(file.handle()) == 0;
#else
    return ::fsync(file.handle()) == 0;
#endif
}

// QFile::rename, retried briefly on Windows, where an antivirus or the search indexer that
// opened the new file a moment ago makes the rename fail with a sharing violation.
bool renameWithRetry(const QString &from, const QString &to)
{
#ifdef Q_OS_WIN
    for (int attempt = 0; attempt < 10; ++attempt) {
        if (QFile::rename(from, to))
            return true;
        QThread::msleep(50);
    }
#endif
    return QFile::rename(from, to);
}

struct ContentRange
{
    qint64 first = -1;
    qint64 total = -1; // -1: "*" or absent
};

// "bytes 100-199/200", "bytes 100-199/*" or "bytes */200".
ContentRange parseContentRange(const QByteArray &value)
{
    ContentRange r;
    QByteArray v = value.trimmed();
    if (!v.startsWith("bytes "))
        return r;
    v = v.mid(6).trimmed();
    const qsizetype slash = v.indexOf('/');
    if (slash < 0)
        return r;
    bool ok = false;
    const qint64 total = v.mid(slash + 1).trimmed().toLongLong(&ok);
    if (ok)
        r.total = total;
    const QByteArray range = v.left(slash).trimmed();
    const qsizetype dash = range.indexOf('-');
    if (dash > 0) {
        const qint64 first = range.left(dash).toLongLong(&ok);
        if (ok)
            r.first = first;
    }
    return r;
}

// Retry-After: delay-seconds or an HTTP-date; -1 when absent or unreadable.
qint64 retryAfterMs(const QByteArray &value)
{
    const QByteArray v = value.trimmed();
    if (v.isEmpty())
        return -1;
    bool ok = false;
    const qint64 seconds = v.toLongLong(&ok);
    if (ok)
        return seconds < 0 ? -1 : qMin(seconds, kMaxRetryAfterMs / 1000) * 1000;
    if (const auto when = fhir::parseHttpDate(v)) {
        const qint64 ms = QDateTime::currentDateTimeUtc().msecsTo(*when);
        return qBound<qint64>(0, ms, kMaxRetryAfterMs);
    }
    return -1;
}

bool isRetryable(const FhirError &error)
{
    switch (error.kind) {
    case FhirError::Kind::Http:
        return error.httpStatus == 429 || (error.httpStatus >= 500 && error.httpStatus <= 599);
    case FhirError::Kind::Network:
    case FhirError::Kind::Timeout:
        return true;
    default:
        return false;
    }
}

// The manifest never chooses paths, but a caller bug must not write outside the folder.
bool isSafeRelativePath(const QString &path)
{
    if (path.isEmpty() || QDir::isAbsolutePath(path) || path.contains(u'\\'))
        return false;
    const QStringList parts = path.split(u'/');
    for (const QString &part : parts) {
        if (part.isEmpty() || part == "."_L1 || part == ".."_L1)
            return false;
    }
    return true;
}

} // namespace

struct FileDownload::Private
{
    enum class Phase
    {
        Idle,
        Scanning,
        Requesting,
        Waiting,
        Done
    };

    Private(FileDownload *q, fhir::FhirClient *client, const FileTask &task, QString directory,
            DownloadOptions options)
        : q(q)
        , client(client)
        , directory(std::move(directory))
        , options(std::move(options))
        , checker(task.type, task.relativePath, this->options.maxLineBytes)
        , chunk(int(qBound<qint64>(64 * 1024, this->options.readBufferBytes, kMaxReadChunk)),
                Qt::Uninitialized)
    {
        retryTimer.setSingleShot(true);
    }

    const FileTask &task() const { return q->m_task; }
    QString label() const { return task().relativePath; }
    void log(const QString &message)
    {
        qCInfo(lcDownload).noquote() << message;
        emit q->logMessage(message);
    }

    void start();
    void scanStep(int generation);
    void beginAttempt();
    void onResponseStarted();
    bool drain();
    bool consume(QByteArrayView raw);
    bool writeOut(QByteArrayView bytes);
    void onFinished(const FhirError &error);
    void complete();
    void retry(const FhirError &error, const QString &why, qint64 retryAfter, bool immediately);
    bool cutBackToLastLine();
    bool restartFromZero();
    void dropStream();
    void emitProgress(bool force);
    void fail(const FhirError &error, const QString &message);
    void failLater(const QString &message);
    void finishWith(FileResult result);
    FileResult baseResult() const;

    FileDownload *q;
    QPointer<fhir::FhirClient> client;
    QString directory;
    DownloadOptions options;
    NdjsonLineChecker checker;
    GzipInflater inflater;
    BinaryResourceDecoder binary;
    QFile file;
    QPointer<fhir::FhirStream> stream;
    QTimer retryTimer;
    QElapsedTimer progressClock;
    QByteArray chunk;   // read buffer, reused
    QByteArray decoded; // Binary data decoded from one piece, reused

    Phase phase = Phase::Idle;
    int generation = 0; // invalidates queued work of an aborted or restarted run
    bool responseSeen = false;
    bool bodyAccepted = false; // a 2xx answer whose body goes to the file
    bool gzipBody = false;
    bool binaryBody = false;
    bool noRange = false; // Binary answers: a Range would address JSON, not NDJSON bytes
    bool noGzip = false;  // after a corrupt gzip body, ask for identity
    qint64 rangeStart = 0;
    int attempts = 0;
    bool resumed = false;
    qint64 received = 0;
    qint64 total = -1;
};

FileDownload::FileDownload(fhir::FhirClient *client, FileTask task, QString directory,
                           DownloadOptions options, QObject *parent)
    : QObject(parent)
    , m_task(std::move(task))
{
    d = std::make_unique<Private>(this, client, m_task, std::move(directory), std::move(options));
    connect(&d->retryTimer, &QTimer::timeout, this, [this] { d->beginAttempt(); });
}

FileDownload::~FileDownload()
{
    d->dropStream();
}

QString FileDownload::finalPath() const
{
    return QDir(d->directory).filePath(m_task.relativePath);
}

QString FileDownload::partPath() const
{
    return finalPath() + u".part"_s;
}

void FileDownload::start()
{
    d->start();
}

qint64 FileDownload::bytesReceived() const
{
    return d->received;
}

qint64 FileDownload::bytesTotal() const
{
    return d->total;
}

void FileDownload::abort()
{
    if (d->phase == Private::Phase::Idle || d->phase == Private::Phase::Done)
        return;
    ++d->generation;
    d->retryTimer.stop();
    d->dropStream();
    if (d->file.isOpen()) {
        d->file.flush();
        d->file.close();
    }
    FhirError error;
    error.kind = FhirError::Kind::Cancelled;
    error.url = m_task.url.adjusted(QUrl::RemoveQuery);
    FileResult result = d->baseResult();
    result.error = error;
    result.message = tr("The download of %1 was cancelled.").arg(m_task.relativePath);
    d->finishWith(result);
}

void FileDownload::Private::start()
{
    if (phase == Phase::Scanning || phase == Phase::Requesting || phase == Phase::Waiting)
        return;
    ++generation;
    attempts = 0;
    resumed = false;
    noRange = false;
    noGzip = false;
    received = 0;
    total = -1;
    rangeStart = 0;
    checker.reset();
    phase = Phase::Waiting; // until the first request goes out

    if (!isSafeRelativePath(task().relativePath))
        return failLater(FileDownload::tr("The file name %1 is not a safe relative path.")
                             .arg(task().relativePath));
    if (!client)
        return failLater(
            FileDownload::tr("There is no connection to download %1 with.").arg(label()));
    const QString part = q->partPath();
    if (!QDir().mkpath(QFileInfo(part).absolutePath()))
        return failLater(FileDownload::tr("Could not create the folder %1.")
                             .arg(QDir::toNativeSeparators(QFileInfo(part).absolutePath())));
    file.setFileName(part);
    if (!file.open(QIODevice::ReadWrite))
        return failLater(FileDownload::tr("Could not open %1: %2")
                             .arg(QDir::toNativeSeparators(part), file.errorString()));
    if (file.size() > 0) {
        // A .part from an earlier run: re-check what it holds, then continue after its last
        // complete line. Read in steps on the event loop so a large file does not freeze it.
        phase = Phase::Scanning;
        log(FileDownload::tr("%1: checking the %2 bytes already downloaded.")
                .arg(label())
                .arg(file.size()));
        const int gen = generation;
        QMetaObject::invokeMethod(
            q, [this, gen] { scanStep(gen); }, Qt::QueuedConnection);
        return;
    }
    beginAttempt();
}

void FileDownload::Private::scanStep(int gen)
{
    if (gen != generation || phase != Phase::Scanning)
        return;
    for (int i = 0; i < kScanBlocksPerTurn; ++i) {
        if (chunk.size() < kScanBlockBytes)
            chunk.resize(kScanBlockBytes);
        const qint64 n = file.read(chunk.data(), kScanBlockBytes);
        if (n < 0)
            return fail({},
                        FileDownload::tr("Could not read %1: %2")
                            .arg(QDir::toNativeSeparators(file.fileName()), file.errorString()));
        if (n == 0) {
            const qint64 kept = checker.completeBytes();
            const qint64 dropped = file.size() - kept;
            if (!cutBackToLastLine())
                return;
            log(FileDownload::tr("%1: keeping %2 complete lines (%3 bytes); %4 bytes of a "
                                 "partial line dropped.")
                    .arg(label())
                    .arg(checker.lines())
                    .arg(kept)
                    .arg(dropped));
            beginAttempt();
            return;
        }
        checker.feed(QByteArrayView(chunk.constData(), n));
    }
    const int g = generation;
    QMetaObject::invokeMethod(
        q, [this, g] { scanStep(g); }, Qt::QueuedConnection);
}

// The file ends after its last '\n' afterwards, and the checker knows exactly those lines.
bool FileDownload::Private::cutBackToLastLine()
{
    checker.discardPartialLine();
    const qint64 keep = checker.completeBytes();
    if (!file.resize(keep) || !file.seek(keep)) {
        fail({}, FileDownload::tr("Could not shorten %1: %2")
                     .arg(QDir::toNativeSeparators(file.fileName()), file.errorString()));
        return false;
    }
    return true;
}

bool FileDownload::Private::restartFromZero()
{
    checker.reset();
    received = 0;
    rangeStart = 0;
    if (!file.resize(0) || !file.seek(0)) {
        fail({}, FileDownload::tr("Could not empty %1: %2")
                     .arg(QDir::toNativeSeparators(file.fileName()), file.errorString()));
        return false;
    }
    return true;
}

void FileDownload::Private::beginAttempt()
{
    if (!client)
        return fail({},
                    FileDownload::tr("There is no connection to download %1 with.").arg(label()));
    if (file.size() > 0 && noRange && !restartFromZero())
        return;
    ++attempts;
    phase = Phase::Requesting;
    responseSeen = false;
    bodyAccepted = false;
    gzipBody = false;
    binaryBody = false;
    inflater.reset();
    binary.reset();
    rangeStart = file.size();
    received = rangeStart;
    total = -1;

    fhir::RequestOptions request;
    request.accept = "application/fhir+ndjson";
    request.auth = options.auth;
    request.timeoutMs = options.timeoutMs;
    if (rangeStart > 0) {
        // Ranges address the stored (identity) bytes, so a continuation is never compressed.
        request.headers.append(
            qMakePair(QByteArray("Range"), "bytes=" + QByteArray::number(rangeStart) + '-'));
        request.headers.append(qMakePair(QByteArray("Accept-Encoding"), QByteArray("identity")));
    } else {
        // Always set it: left to Qt, it would inflate and count bytes behind our back.
        request.headers.append(
            qMakePair(QByteArray("Accept-Encoding"),
                      QByteArray(options.gzip && !noGzip ? "gzip" : "identity")));
    }
    stream = client->stream(task().url, request);
    connect(stream, &fhir::FhirStream::responseStarted, q, [this] { onResponseStarted(); });
    connect(stream, &fhir::FhirStream::readyRead, q, [this] {
        if (drain())
            emitProgress(false);
    });
    connect(stream, &fhir::FhirStream::finished, q,
            [this](const FhirError &error) { onFinished(error); });
}

void FileDownload::Private::onResponseStarted()
{
    if (responseSeen || !stream)
        return;
    responseSeen = true;
    const int status = stream->status();
    if (status < 200 || status > 299)
        return; // finished() brings the error; the body is not ours to store

    const QByteArray contentType = stream->header("Content-Type").toLower();
    binaryBody = contentType.contains("json") && !contentType.contains("ndjson");
    const QByteArray encoding = stream->header("Content-Encoding").trimmed().toLower();
    if (encoding == "gzip" || encoding == "x-gzip" || encoding == "deflate") {
        gzipBody = true;
    } else if (!encoding.isEmpty() && encoding != "identity") {
        FhirError error;
        error.kind = FhirError::Kind::InvalidResponse;
        error.detail =
            FileDownload::tr("Unsupported Content-Encoding %1.").arg(QString::fromLatin1(encoding));
        dropStream();
        return fail(error, FileDownload::tr("The server sent %1 with an encoding we did not ask "
                                            "for (%2).")
                               .arg(label(), QString::fromLatin1(encoding)));
    }

    if (rangeStart > 0) {
        const ContentRange range = parseContentRange(stream->header("Content-Range"));
        if (status == 206 && range.first == rangeStart && !binaryBody && !gzipBody) {
            resumed = true;
            log(FileDownload::tr("%1: continuing after byte %2.").arg(label()).arg(rangeStart));
        } else if (status == 206) {
            // A range we did not ask for: start over without Range rather than guess.
            noRange = true;
            FhirError error;
            error.kind = FhirError::Kind::InvalidResponse;
            error.detail = FileDownload::tr("The server answered a different range (%1).")
                               .arg(QString::fromLatin1(stream->header("Content-Range")));
            dropStream();
            return retry(error, error.detail, -1, true);
        } else {
            log(FileDownload::tr("%1: the server ignored the range request; downloading the "
                                 "whole file again.")
                    .arg(label()));
            if (!restartFromZero()) {
                dropStream();
                return;
            }
        }
    }
    if (binaryBody)
        noRange = true;

    bool ok = false;
    const qint64 length = stream->header("Content-Length").trimmed().toLongLong(&ok);
    total = ok && length >= 0 ? rangeStart + length : -1;
    received = rangeStart;
    bodyAccepted = true;
    emitProgress(true);
}

// Reads everything available. False when the download was ended by a local failure.
bool FileDownload::Private::drain()
{
    if (!responseSeen)
        onResponseStarted();
    if (!bodyAccepted || !stream)
        return phase == Phase::Requesting;
    for (;;) {
        const qint64 n = stream->read(chunk.data(), chunk.size());
        if (n <= 0)
            break;
        received += n;
        if (!consume(QByteArrayView(chunk.constData(), n)))
            return false;
    }
    return true;
}

bool FileDownload::Private::consume(QByteArrayView raw)
{
    if (!gzipBody) {
        if (!binaryBody)
            return writeOut(raw);
        decoded.clear();
        if (!binary.feed(raw, &decoded)) {
            FhirError error;
            error.kind = FhirError::Kind::InvalidResponse;
            error.detail = binary.errorString();
            dropStream();
            fail(error, FileDownload::tr("%1: %2").arg(label(), binary.errorString()));
            return false;
        }
        return writeOut(decoded);
    }
    const bool ok = inflater.inflate(raw, [this](QByteArrayView out) {
        if (!binaryBody)
            return writeOut(out);
        decoded.clear();
        if (!binary.feed(out, &decoded))
            return false;
        return writeOut(decoded);
    });
    if (ok)
        return true;
    if (phase != Phase::Requesting)
        return false; // writeOut failed and already ended the download
    FhirError error;
    error.kind = FhirError::Kind::InvalidResponse;
    dropStream();
    if (inflater.hasError()) {
        // Possibly a broken compressor on the server: try again without compression.
        noGzip = true;
        noRange = true;
        error.detail = inflater.errorString();
        retry(error, inflater.errorString(), -1, true);
    } else {
        error.detail = binary.errorString();
        fail(error, FileDownload::tr("%1: %2").arg(label(), binary.errorString()));
    }
    return false;
}

bool FileDownload::Private::writeOut(QByteArrayView bytes)
{
    if (bytes.isEmpty())
        return true;
    qint64 written = file.write(bytes.data(), bytes.size());
    if (written >= 0 && written < bytes.size()) {
        // A short write sets no error ("Unknown error"); writing the rest says why, e.g. "No
        // space left on device" (seen in tst_CrashSafety's full disk).
        const qint64 more = file.write(bytes.data() + written, bytes.size() - written);
        written = more < 0 ? -1 : written + more;
    }
    if (written != bytes.size()) {
        dropStream();
        fail({}, FileDownload::tr("Could not write %1: %2")
                     .arg(QDir::toNativeSeparators(file.fileName()), file.errorString()));
        return false;
    }
    crashPoint("part-write");
    checker.feed(bytes);
    return true;
}

void FileDownload::Private::onFinished(const FhirError &error)
{
    if (!stream || phase != Phase::Requesting)
        return;
    // Keep what arrived before a cut too: the cut-back keeps every complete line of it.
    if (error.kind != FhirError::Kind::Cancelled && !drain())
        return;
    const QByteArray retryAfter = stream->header("Retry-After");
    const QByteArray contentRange = stream->header("Content-Range");
    dropStream();

    if (!error.isError()) {
        if (!bodyAccepted) {
            FhirError e;
            e.kind = FhirError::Kind::InvalidResponse;
            e.detail = FileDownload::tr("The server ended the answer without a body.");
            return retry(e, e.detail, -1, false);
        }
        if (gzipBody && !inflater.isComplete()) {
            // The body arrived whole (its length checked) but its gzip stream did not end:
            // a server-side fault as likely as a cut, so the next attempt goes uncompressed.
            noGzip = true;
            FhirError e;
            e.kind = FhirError::Kind::Network;
            e.detail = FileDownload::tr("The compressed body ended early.");
            return retry(e, e.detail, -1, false);
        }
        if (binaryBody && !binary.finish()) {
            FhirError e;
            e.kind = FhirError::Kind::InvalidResponse;
            e.detail = binary.errorString();
            if (!binary.reachedEnd())
                return retry(e, e.detail, -1, false);
            return fail(e, FileDownload::tr("%1: %2").arg(label(), binary.errorString()));
        }
        return complete();
    }

    if (error.kind == FhirError::Kind::Http) {
        const int status = error.httpStatus;
        if (status == 416 && rangeStart > 0) {
            // The kept part may already be the whole file (a crash before the rename).
            if (parseContentRange(contentRange).total == rangeStart) {
                received = total = rangeStart;
                return complete();
            }
            noRange = true;
            return retry(error, error.message(), -1, true);
        }
        if (status == 404 || status == 410) {
            return fail(error, status == 410
                                   ? FileDownload::tr("The server no longer has this file (410 "
                                                      "Gone): the export may have expired.")
                                   : FileDownload::tr("The server no longer has this file (404 "
                                                      "Not Found): the export may have expired "
                                                      "or been deleted."));
        }
    }
    if (isRetryable(error))
        return retry(error, error.message(), retryAfterMs(retryAfter), false);
    fail(error, error.message());
}

void FileDownload::Private::retry(const FhirError &error, const QString &why, qint64 retryAfter,
                                  bool immediately)
{
    phase = Phase::Waiting;
    if (attempts >= options.maxAttempts) {
        return fail(error,
                    attempts == 1
                        ? FileDownload::tr("%1 could not be downloaded: %2").arg(label(), why)
                        : FileDownload::tr("%1 could not be downloaded after %2 attempts: %3")
                              .arg(label())
                              .arg(attempts)
                              .arg(why));
    }
    if (!cutBackToLastLine())
        return;
    qint64 delay = 0;
    if (!immediately) {
        const int shift = qBound(0, attempts - 1, 20);
        delay = qMin<qint64>(qint64(qMax(0, options.retryBaseDelayMs)) << shift, kMaxBackoffMs);
        if (retryAfter >= 0)
            delay = retryAfter; // the server knows best (already capped at 120 s)
    }
    log(FileDownload::tr("%1: %2 Trying again in %3 s (attempt %4 of %5).")
            .arg(label(), why)
            .arg(double(delay) / 1000.0, 0, 'f', 1)
            .arg(attempts + 1)
            .arg(options.maxAttempts));
    received = file.size();
    total = -1;
    emitProgress(true);
    retryTimer.start(int(delay));
}

void FileDownload::Private::complete()
{
    checker.finish();
    checker.checkCount(task().expectedCount);
    const QString part = file.fileName();
    const QString target = q->finalPath();
    const bool synced = syncToDisk(file);
    const qint64 size = file.size();
    file.close();
    if (!synced)
        return fail({}, FileDownload::tr("Could not save %1 to disk: %2")
                            .arg(QDir::toNativeSeparators(part), file.errorString()));
    // QFile::rename does not replace. The names are ours inside the export folder, so a file
    // already there is this task's from an earlier run; anything else in the way is not.
    const QFileInfo existing(target);
    if (existing.exists() || existing.isSymLink()) {
        if (existing.isDir() && !existing.isSymLink())
            return fail({}, FileDownload::tr("Could not save %1: a folder of that name is in "
                                             "the way.")
                                .arg(QDir::toNativeSeparators(target)));
        if (!QFile::remove(target))
            return fail(
                {},
                FileDownload::tr("Could not replace %1.").arg(QDir::toNativeSeparators(target)));
    }
    crashPoint("before-rename"); // complete and synced, still .part
    if (!renameWithRetry(part, target))
        return fail({}, FileDownload::tr("Could not rename %1 to %2.")
                            .arg(QDir::toNativeSeparators(part), QDir::toNativeSeparators(target)));
    crashPoint("after-rename"); // in place, export.json does not know yet
    if (total < 0)
        total = received;
    emitProgress(true);
    FileResult result = baseResult();
    result.ok = true;
    result.bytes = size;
    if (checker.problemCount() == 1) {
        log(checker.problems().first().message);
    } else if (checker.problemCount() > 1) {
        QString first = checker.problems().first().message;
        first.remove(0, label().size() + 2); // its "<file>: " prefix
        log(FileDownload::tr("%1: %2 validation problems; the first: %3")
                .arg(label())
                .arg(checker.problemCount())
                .arg(first));
    }
    finishWith(result);
}

FileResult FileDownload::Private::baseResult() const
{
    FileResult result;
    result.bytes = file.isOpen() ? file.size() : QFileInfo(file.fileName()).size();
    result.lines = checker.lines();
    result.problems = checker.problems();
    result.problemCount = checker.problemCount();
    result.attempts = attempts;
    result.resumed = resumed;
    return result;
}

void FileDownload::Private::fail(const FhirError &error, const QString &message)
{
    retryTimer.stop();
    dropStream();
    if (file.isOpen()) {
        file.flush();
        file.close(); // the .part stays: a later start() resumes it
    }
    FileResult result = baseResult();
    result.error = error;
    result.message = message;
    log(message.startsWith(label()) ? message : FileDownload::tr("%1: %2").arg(label(), message));
    finishWith(result);
}

void FileDownload::Private::failLater(const QString &message)
{
    // Not from inside start(): the caller expects finished() after start() returns.
    const int gen = generation;
    QMetaObject::invokeMethod(
        q,
        [this, gen, message] {
            if (gen == generation && phase == Phase::Waiting)
                fail({}, message);
        },
        Qt::QueuedConnection);
}

void FileDownload::Private::finishWith(FileResult result)
{
    phase = Phase::Done;
    ++generation;
    emit q->finished(result);
}

void FileDownload::Private::dropStream()
{
    if (!stream)
        return;
    fhir::FhirStream *s = stream;
    stream = nullptr;
    s->disconnect(q);
    s->abort(); // it deletes itself
}

void FileDownload::Private::emitProgress(bool force)
{
    if (!force && progressClock.isValid() && progressClock.elapsed() < kProgressIntervalMs)
        return;
    progressClock.start();
    emit q->progress(received, total);
}

} // namespace cohort::bulk
