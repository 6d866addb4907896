#include "FileDownload.h"

#include "BinaryResourceDecoder.h"
#include "CrashPoint.h"
#include "GzipInflater.h"
#include "NdjsonLineChecker.h"
#include "fhir/FhirDateTime.h"

#include "Strand.h"
#include "WorkerPool.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QThread>

#include <atomic>
#include <functional>
#include <mutex>

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
constexpr qint64 kMaxReadChunk = 1024 * 1024;
// Bytes handed to the file side and not yet written: above the high mark the owner stops
// reading the network (whose transport then pauses the transfer) until the low mark.
constexpr qint64 kSinkHighWaterBytes = 4 * 1024 * 1024;
constexpr qint64 kSinkLowWaterBytes = 1024 * 1024;
// Dirty pages handed to the kernel's write-back this often, so the fsync before the rename
// finds little left to write.
constexpr qint64 kWriteBackBytes = 8 * 1024 * 1024;
constexpr int kSpareBuffers = 8;

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

// Starts writing [from, to) out now, without waiting for it (Linux: sync_file_range). Elsewhere
// the final fsync does all of it.
void startWriteBack(QFile &file, qint64 from, qint64 to)
{
#if defined(Q_OS_LINUX)
    ::sync_file_range(file.handle(), from, to - from, SYNC_FILE_RANGE_WRITE);
#else
    Q_UNUSED(file);
    Q_UNUSED(from);
    Q_UNUSED(to);
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

// The file side of one download: everything that touches the .part file, run as jobs on a
// Strand over ioPool(). Its owner (FileDownload::Private, on the owner's thread) posts jobs and
// hears back through reports queued to the owner's thread.
struct FileSink : std::enable_shared_from_this<FileSink>
{
    struct Report
    {
        enum class Op
        {
            Opened,
            ChunkFailed,
            Wake,
            CutBack,
            Finished,
            Closed
        };
        enum class Status
        {
            Ok,
            Failed,         // a local failure (message says what); the download fails
            BadBody,        // the body cannot be decoded; the download fails
            CorruptGzip,    // retried without compression
            GzipIncomplete, // retried
            BinaryIncomplete
        };
        Op op = Op::Opened;
        Status status = Status::Ok;
        int generation = 0;
        QString message;
        qint64 size = 0; // bytes in the file (for Finished: the renamed file)
        qint64 lines = 0;
        QList<LineProblem> problems;
        qint64 problemCount = 0;
        qint64 existing = 0;   // Opened: bytes a .part from an earlier run held
        bool complete = false; // the file is whole and in place (a Closed after an abort, too)
    };

    FileSink(const FileTask &task, QString part, QString target, qint64 maxLineBytes)
        : partPath(std::move(part))
        , finalPath(std::move(target))
        , label(task.relativePath)
        , checker(task.type, task.relativePath, maxLineBytes)
    {
    }

    // Owner's thread.
    // Before the first job: reports go to handler on context's thread until detach().
    void attach(QObject *context, std::function<void(const Report &)> handler)
    {
        mailbox = Mailbox(context);
        onReport = std::move(handler);
    }
    void detach() { mailbox.close(); }
    template<typename Job> void post(Job &&job)
    {
        strand.post(
            [self = shared_from_this(), job = std::forward<Job>(job)]() mutable { job(*self); });
    }
    QByteArray takeBuffer(qsizetype size)
    {
        QByteArray buffer;
        {
            std::lock_guard lock(spareMutex);
            if (!spares.empty()) {
                buffer = std::move(spares.back());
                spares.pop_back();
            }
        }
        buffer.resize(size); // keeps a spare's allocation
        return buffer;
    }

    // Strand.
    void report(Report r);
    void open(int generation);
    void truncate(int generation);
    void beginBody(bool gzipBody, bool binary);
    void write(int generation, QByteArray chunk);
    void cutBack(int generation);
    void finish(int generation, qint64 expectedCount);
    void close(int generation);
    Report::Status consume(QByteArrayView raw, QString *message);
    bool writeOut(QByteArrayView bytes);
    Report snapshot(Report::Op op, int generation) const;

    Strand strand{ioPool()};
    const QString partPath;
    const QString finalPath;
    const QString label;

    // The strand's alone.
    NdjsonLineChecker checker;
    GzipInflater inflater;
    BinaryResourceDecoder binary;
    QFile file;
    QByteArray decoded;
    QString writeError;
    bool gzip = false;
    bool binaryBody = false;
    bool failed = false;  // a chunk failed and was reported; later ones are dropped
    bool renamed = false; // finish() put the file in place
    qint64 writeBackFrom = 0;

    // Shared.
    std::atomic<qint64> pending{0};     // handed over, not written yet
    std::atomic<qint64> written{0};     // the file's size
    std::atomic<qint64> bodyIn{0};      // the current body's bytes consumed (raw)
    std::atomic<qint64> bodyOut{0};     // ... and what they came to in the file
    std::atomic<bool> cancelled{false}; // drop queued writes: the download was aborted
    std::atomic<bool> wantsWake{false}; // the owner stopped reading and waits for a Wake
    std::mutex spareMutex;
    std::vector<QByteArray> spares;
    Mailbox mailbox{nullptr};
    std::function<void(const Report &)> onReport; // set before the first job, then read-only
};

struct FileDownload::Private
{
    using Report = FileSink::Report;
    enum class Phase
    {
        Idle,
        Opening,    // the sink opens (and checks) the .part
        Requesting, // a request is out, its body streams to the sink
        Finishing,  // the sink checks, syncs and renames
        Waiting,    // for a retry (the sink cuts back, then the timer runs)
        Closing,    // the sink closes the file before finished()
        Done
    };

    Private(FileDownload *q, fhir::FhirClient *client, QString directory, DownloadOptions options)
        : q(q)
        , client(client)
        , directory(std::move(directory))
        , options(std::move(options))
        , readBytes(qBound<qint64>(64 * 1024, this->options.readBufferBytes, kMaxReadChunk))
    {
        retryTimer.setSingleShot(true);
        stallTimer.setInterval(qBound(50, this->options.stallTimeoutMs / 4, 5000));
    }

    const FileTask &task() const { return q->m_task; }
    QString label() const { return task().relativePath; }
    void log(const QString &message)
    {
        qCInfo(lcDownload).noquote() << message;
        emit q->logMessage(message);
    }

    void start();
    void onReport(const Report &report);
    void onOpened(const Report &report);
    void beginAttempt();
    void onResponseStarted();
    bool drain(bool everything);
    void onChunkFailed(const Report &report);
    void onFinished(const FhirError &error);
    void complete();
    void onCompleted(const Report &report);
    void retry(const FhirError &error, const QString &why, qint64 retryAfter, bool immediately);
    void onCutBack(const Report &report);
    void checkStall();
    void restartFromZero();
    void dropStream();
    void emitProgress(bool force);
    void fail(const FhirError &error, const QString &message);
    void closeAndFinish(FileResult result);
    void failLater(const QString &message);
    void finishWith(FileResult result);
    FileResult baseResult() const;
    void keep(const Report &report);

    FileDownload *q;
    QPointer<fhir::FhirClient> client;
    QString directory;
    DownloadOptions options;
    qsizetype readBytes;
    std::shared_ptr<FileSink> sink;
    QPointer<fhir::FhirStream> stream;
    QTimer retryTimer;
    QTimer stallTimer;
    QElapsedTimer progressClock;
    QElapsedTimer stallClock; // since the last byte read or written
    qint64 stallMark = -1;

    Phase phase = Phase::Idle;
    int generation = 0; // invalidates reports and queued work of an earlier attempt or run
    bool responseSeen = false;
    bool bodyAccepted = false; // a 2xx answer whose body goes to the file
    bool gzipBody = false;
    bool binaryBody = false;
    bool noRange = false; // Binary answers: a Range would address JSON, not NDJSON bytes
    bool noGzip = false;  // after a corrupt gzip body, ask for identity
    qint64 rangeStart = 0;
    qint64 fileSize = 0;       // the .part's size when the sink last said
    qint64 contentLength = -1; // of the current body
    qint64 networkBytes = 0;   // read from the current stream
    int attempts = 0;
    bool resumed = false;
    qint64 total = -1;  // decoded bytes expected, -1: unknown
    Report kept;        // the checker's figures when the sink last said
    FileResult closing; // finished() once the sink has closed the file

    // Why the next attempt waits (set by retry(), used once the sink has cut back).
    struct PendingRetry
    {
        QString why;
        qint64 retryAfter = -1;
        bool immediately = false;
    } pendingRetry;
};

// ---- The file side (strand) ----

void FileSink::report(Report r)
{
    mailbox.post([handler = onReport, r = std::move(r)] { handler(r); });
}

FileSink::Report FileSink::snapshot(Report::Op op, int generation) const
{
    Report r;
    r.op = op;
    r.generation = generation;
    r.size = written.load();
    r.lines = checker.lines();
    r.problems = checker.problems();
    r.problemCount = checker.problemCount();
    r.complete = renamed;
    return r;
}

void FileSink::open(int generation)
{
    Report r = snapshot(Report::Op::Opened, generation);
    auto failWith = [&](const QString &message) {
        if (file.isOpen())
            file.close();
        r.status = Report::Status::Failed;
        r.message = message;
        report(std::move(r));
    };
    const QString folder = QFileInfo(partPath).absolutePath();
    if (!QDir().mkpath(folder))
        return failWith(FileDownload::tr("Could not create the folder %1.")
                            .arg(QDir::toNativeSeparators(folder)));
    file.setFileName(partPath);
    if (!file.open(QIODevice::ReadWrite | QIODevice::Unbuffered))
        return failWith(FileDownload::tr("Could not open %1: %2")
                            .arg(QDir::toNativeSeparators(partPath), file.errorString()));
    r.existing = file.size();
    if (r.existing > 0) {
        // A .part from an earlier run: re-check what it holds, then continue after its last
        // complete line.
        QByteArray block(kScanBlockBytes, Qt::Uninitialized);
        for (;;) {
            if (cancelled)
                return failWith(QString());
            const qint64 n = file.read(block.data(), block.size());
            if (n < 0)
                return failWith(FileDownload::tr("Could not read %1: %2")
                                    .arg(QDir::toNativeSeparators(partPath), file.errorString()));
            if (n == 0)
                break;
            checker.feed(QByteArrayView(block.constData(), n));
        }
        checker.discardPartialLine();
        const qint64 keep = checker.completeBytes();
        if (!file.resize(keep) || !file.seek(keep))
            return failWith(FileDownload::tr("Could not shorten %1: %2")
                                .arg(QDir::toNativeSeparators(partPath), file.errorString()));
    }
    written = file.size();
    writeBackFrom = written;
    Report done = snapshot(Report::Op::Opened, generation);
    done.existing = r.existing;
    report(std::move(done));
}

void FileSink::truncate(int generation)
{
    checker.reset();
    failed = false;
    if (!file.resize(0) || !file.seek(0)) {
        failed = true;
        Report r = snapshot(Report::Op::ChunkFailed, generation);
        r.status = Report::Status::Failed;
        r.message = FileDownload::tr("Could not empty %1: %2")
                        .arg(QDir::toNativeSeparators(partPath), file.errorString());
        report(std::move(r));
        return;
    }
    written = 0;
    writeBackFrom = 0;
}

void FileSink::beginBody(bool gzipBody, bool binary_)
{
    gzip = gzipBody;
    binaryBody = binary_;
    inflater.reset();
    binary.reset();
    bodyIn = 0;
    bodyOut = 0;
}

void FileSink::write(int generation, QByteArray chunk)
{
    const qint64 n = chunk.size();
    if (!cancelled && !failed) {
        const qint64 before = written.load();
        QString message;
        const Report::Status status = consume(chunk, &message);
        bodyIn += n;
        bodyOut += written.load() - before;
        if (status != Report::Status::Ok) {
            failed = true;
            Report r = snapshot(Report::Op::ChunkFailed, generation);
            r.status = status;
            r.message = message;
            report(std::move(r));
        }
    }
    {
        std::lock_guard lock(spareMutex);
        if (spares.size() < kSpareBuffers)
            spares.push_back(std::move(chunk));
    }
    if (pending.fetch_sub(n) - n <= kSinkLowWaterBytes && wantsWake.exchange(false))
        report(snapshot(Report::Op::Wake, generation));
}

FileSink::Report::Status FileSink::consume(QByteArrayView raw, QString *message)
{
    writeError.clear();
    auto writeFailed = [&] {
        *message = writeError;
        return Report::Status::Failed;
    };
    if (!gzip) {
        if (!binaryBody)
            return writeOut(raw) ? Report::Status::Ok : writeFailed();
        decoded.clear();
        if (!binary.feed(raw, &decoded)) {
            *message = FileDownload::tr("%1: %2").arg(label, binary.errorString());
            return Report::Status::BadBody;
        }
        return writeOut(decoded) ? Report::Status::Ok : writeFailed();
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
        return Report::Status::Ok;
    if (!writeError.isEmpty())
        return writeFailed();
    if (inflater.hasError()) {
        // Possibly a broken compressor on the server: the owner tries again without it.
        *message = inflater.errorString();
        return Report::Status::CorruptGzip;
    }
    *message = FileDownload::tr("%1: %2").arg(label, binary.errorString());
    return Report::Status::BadBody;
}

bool FileSink::writeOut(QByteArrayView bytes)
{
    if (bytes.isEmpty())
        return true;
    qint64 done = file.write(bytes.data(), bytes.size());
    if (done >= 0 && done < bytes.size()) {
        // A short write sets no error ("Unknown error"); writing the rest says why, e.g. "No
        // space left on device" (seen in tst_CrashSafety's full disk).
        const qint64 more = file.write(bytes.data() + done, bytes.size() - done);
        done = more < 0 ? -1 : done + more;
    }
    if (done != bytes.size()) {
        writeError = FileDownload::tr("Could not write %1: %2")
                         .arg(QDir::toNativeSeparators(partPath), file.errorString());
        return false;
    }
    crashPoint("part-write");
    checker.feed(bytes);
    const qint64 size = written += bytes.size();
    if (size - writeBackFrom >= kWriteBackBytes) {
        startWriteBack(file, writeBackFrom, size);
        writeBackFrom = size;
    }
    return true;
}

void FileSink::cutBack(int generation)
{
    failed = false;
    checker.discardPartialLine();
    const qint64 keep = checker.completeBytes();
    Report r;
    if (!file.resize(keep) || !file.seek(keep)) {
        r = snapshot(Report::Op::CutBack, generation);
        r.status = Report::Status::Failed;
        r.message = FileDownload::tr("Could not shorten %1: %2")
                        .arg(QDir::toNativeSeparators(partPath), file.errorString());
    } else {
        written = keep;
        writeBackFrom = qMin(writeBackFrom, keep);
        r = snapshot(Report::Op::CutBack, generation);
    }
    report(std::move(r));
}

void FileSink::finish(int generation, qint64 expectedCount)
{
    if (failed || cancelled)
        return; // a failure report is on its way, or the download was aborted
    Report r = snapshot(Report::Op::Finished, generation);
    auto answer = [&](Report::Status status, const QString &message) {
        r.status = status;
        r.message = message;
        report(std::move(r));
    };
    if (gzip && !inflater.isComplete()) {
        // The body arrived whole (its length checked) but its gzip stream did not end: a
        // server-side fault as likely as a cut, so the next attempt goes uncompressed.
        return answer(Report::Status::GzipIncomplete,
                      FileDownload::tr("The compressed body ended early."));
    }
    if (binaryBody && !binary.finish()) {
        return answer(binary.reachedEnd() ? Report::Status::BadBody
                                          : Report::Status::BinaryIncomplete,
                      binary.errorString());
    }
    checker.finish();
    checker.checkCount(expectedCount);
    const bool synced = syncToDisk(file);
    const QString syncError = file.errorString();
    file.close();
    r = snapshot(Report::Op::Finished, generation);
    if (!synced)
        return answer(Report::Status::Failed,
                      FileDownload::tr("Could not save %1 to disk: %2")
                          .arg(QDir::toNativeSeparators(partPath), syncError));
    // QFile::rename does not replace. The names are ours inside the export folder, so a file
    // already there is this task's from an earlier run; anything else in the way is not.
    const QFileInfo existing(finalPath);
    if (existing.exists() || existing.isSymLink()) {
        if (existing.isDir() && !existing.isSymLink())
            return answer(
                Report::Status::Failed,
                FileDownload::tr("Could not save %1: a folder of that name is in the way.")
                    .arg(QDir::toNativeSeparators(finalPath)));
        if (!QFile::remove(finalPath))
            return answer(
                Report::Status::Failed,
                FileDownload::tr("Could not replace %1.").arg(QDir::toNativeSeparators(finalPath)));
    }
    crashPoint("before-rename"); // complete and synced, still .part
    if (!renameWithRetry(partPath, finalPath))
        return answer(Report::Status::Failed, FileDownload::tr("Could not rename %1 to %2.")
                                                  .arg(QDir::toNativeSeparators(partPath),
                                                       QDir::toNativeSeparators(finalPath)));
    crashPoint("after-rename"); // in place, export.json does not know yet
    renamed = true;
    r.complete = true;
    answer(Report::Status::Ok, QString());
}

void FileSink::close(int generation)
{
    if (file.isOpen())
        file.close(); // the .part stays: a later start() resumes it
    report(snapshot(Report::Op::Closed, generation));
}

// ---- The owner's side ----

FileDownload::FileDownload(fhir::FhirClient *client, FileTask task, QString directory,
                           DownloadOptions options, QObject *parent)
    : QObject(parent)
    , m_task(std::move(task))
{
    d = std::make_unique<Private>(this, client, std::move(directory), std::move(options));
    connect(&d->retryTimer, &QTimer::timeout, this, [this] { d->beginAttempt(); });
    connect(&d->stallTimer, &QTimer::timeout, this, [this] { d->checkStall(); });
}

FileDownload::~FileDownload()
{
    d->dropStream();
    if (d->sink) {
        // Its queued writes are dropped; the file is closed on the pool, not here.
        d->sink->cancelled = true;
        d->sink->detach();
        d->sink->post([gen = d->generation](FileSink &s) { s.close(gen); });
    }
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
    return d->sink ? d->sink->written.load() : d->fileSize;
}

qint64 FileDownload::bytesTotal() const
{
    return d->total;
}

void FileDownload::abort()
{
    using Phase = Private::Phase;
    if (d->phase == Phase::Idle || d->phase == Phase::Done || d->phase == Phase::Closing)
        return;
    ++d->generation;
    d->retryTimer.stop();
    d->stallTimer.stop();
    d->dropStream();
    if (d->sink)
        d->sink->cancelled = true;
    FhirError error;
    error.kind = FhirError::Kind::Cancelled;
    error.url = m_task.url.adjusted(QUrl::RemoveQuery);
    FileResult result = d->baseResult();
    result.error = error;
    result.message = tr("The download of %1 was cancelled.").arg(m_task.relativePath);
    d->closeAndFinish(result);
}

void FileDownload::Private::start()
{
    if (phase != Phase::Idle && phase != Phase::Done)
        return;
    ++generation;
    attempts = 0;
    resumed = false;
    noRange = false;
    noGzip = false;
    fileSize = 0;
    total = -1;
    rangeStart = 0;
    kept = {};
    phase = Phase::Waiting; // until the sink has opened the file

    if (!isSafeRelativePath(task().relativePath))
        return failLater(FileDownload::tr("The file name %1 is not a safe relative path.")
                             .arg(task().relativePath));
    if (!client)
        return failLater(
            FileDownload::tr("There is no connection to download %1 with.").arg(label()));
    if (sink)
        sink->detach();
    sink = std::make_shared<FileSink>(task(), q->partPath(), q->finalPath(), options.maxLineBytes);
    sink->attach(q, [this](const Report &report) { onReport(report); });
    phase = Phase::Opening;
    const qint64 existing = QFileInfo(q->partPath()).size();
    if (existing > 0)
        log(FileDownload::tr("%1: checking the %2 bytes already downloaded.")
                .arg(label())
                .arg(existing));
    sink->post([gen = generation](FileSink &s) { s.open(gen); });
}

void FileDownload::Private::onReport(const Report &report)
{
    if (report.generation != generation)
        return; // about an attempt or run that is over
    switch (report.op) {
    case Report::Op::Opened:
        return onOpened(report);
    case Report::Op::ChunkFailed:
        return onChunkFailed(report);
    case Report::Op::Wake:
        if (phase == Phase::Requesting && drain(false))
            emitProgress(false);
        return;
    case Report::Op::CutBack:
        return onCutBack(report);
    case Report::Op::Finished:
        return onCompleted(report);
    case Report::Op::Closed:
        if (phase != Phase::Closing)
            return;
        keep(report);
        if (report.complete) {
            // Aborted while the sink was already renaming it: the file is whole, say so.
            closing.ok = true;
            closing.error = {};
            closing.message.clear();
        }
        closing.bytes = report.size;
        closing.lines = report.lines;
        closing.problems = report.problems;
        closing.problemCount = report.problemCount;
        sink.reset();
        return finishWith(closing);
    }
}

void FileDownload::Private::keep(const Report &report)
{
    kept = report;
    fileSize = report.size;
}

void FileDownload::Private::onOpened(const Report &report)
{
    if (phase != Phase::Opening)
        return;
    if (report.status != Report::Status::Ok)
        return fail({}, report.message);
    keep(report);
    if (report.existing > 0)
        log(FileDownload::tr("%1: keeping %2 complete lines (%3 bytes); %4 bytes of a "
                             "partial line dropped.")
                .arg(label())
                .arg(report.lines)
                .arg(report.size)
                .arg(report.existing - report.size));
    beginAttempt();
}

void FileDownload::Private::restartFromZero()
{
    sink->post([gen = generation](FileSink &s) { s.truncate(gen); });
    fileSize = 0;
    rangeStart = 0;
}

void FileDownload::Private::beginAttempt()
{
    if (!client)
        return fail({},
                    FileDownload::tr("There is no connection to download %1 with.").arg(label()));
    if (fileSize > 0 && noRange)
        restartFromZero();
    ++attempts;
    phase = Phase::Requesting;
    responseSeen = false;
    bodyAccepted = false;
    gzipBody = false;
    binaryBody = false;
    rangeStart = fileSize;
    contentLength = -1;
    networkBytes = 0;
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
        if (drain(false))
            emitProgress(false);
    });
    connect(stream, &fhir::FhirStream::finished, q,
            [this](const FhirError &error) { onFinished(error); });
    stallMark = -1;
    stallClock.start();
    if (options.stallTimeoutMs > 0)
        stallTimer.start();
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
            restartFromZero();
        }
    }
    if (binaryBody)
        noRange = true;

    bool ok = false;
    const qint64 length = stream->header("Content-Length").trimmed().toLongLong(&ok);
    contentLength = ok && length >= 0 ? length : -1;
    // Decoded bytes are what we count; a compressed or Binary body's are estimated as it goes.
    total = contentLength >= 0 && !gzipBody && !binaryBody ? rangeStart + contentLength : -1;
    sink->post([gz = gzipBody, bin = binaryBody](FileSink &s) { s.beginBody(gz, bin); });
    bodyAccepted = true;
    emitProgress(true);
}

// Hands what the stream has to the sink; unless `everything`, only while the sink is not too
// far behind (a Wake report resumes). False when the download has ended.
bool FileDownload::Private::drain(bool everything)
{
    if (!responseSeen)
        onResponseStarted();
    if (!bodyAccepted || !stream)
        return phase == Phase::Requesting;
    const int gen = generation;
    for (;;) {
        if (!everything && sink->pending.load() >= kSinkHighWaterBytes) {
            // Ask for a Wake, then look again: the sink may have caught up in between.
            sink->wantsWake = true;
            if (sink->pending.load() >= kSinkHighWaterBytes)
                break;
            sink->wantsWake = false;
        }
        QByteArray buffer = sink->takeBuffer(readBytes);
        const qint64 n = stream->read(buffer.data(), buffer.size());
        if (n <= 0)
            break;
        buffer.resize(n);
        networkBytes += n;
        sink->pending += n;
        sink->post(
            [gen, b = std::move(buffer)](FileSink &s) mutable { s.write(gen, std::move(b)); });
    }
    return true;
}

void FileDownload::Private::onChunkFailed(const Report &report)
{
    if (phase != Phase::Requesting && phase != Phase::Finishing)
        return;
    dropStream();
    FhirError error;
    switch (report.status) {
    case Report::Status::CorruptGzip:
        noGzip = true;
        noRange = true;
        error.kind = FhirError::Kind::InvalidResponse;
        error.detail = report.message;
        return retry(error, report.message, -1, true);
    case Report::Status::BadBody:
        error.kind = FhirError::Kind::InvalidResponse;
        error.detail = report.message;
        return fail(error, report.message);
    default:
        return fail({}, report.message);
    }
}

void FileDownload::Private::onFinished(const FhirError &error)
{
    if (!stream || phase != Phase::Requesting)
        return;
    // Keep what arrived before a cut too: the cut-back keeps every complete line of it.
    if (error.kind != FhirError::Kind::Cancelled && !drain(true))
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
        return complete();
    }

    if (error.kind == FhirError::Kind::Http) {
        const int status = error.httpStatus;
        if (status == 416 && rangeStart > 0) {
            // The kept part may already be the whole file (a crash before the rename).
            if (parseContentRange(contentRange).total == rangeStart) {
                total = rangeStart;
                sink->post([](FileSink &s) { s.beginBody(false, false); });
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

void FileDownload::Private::complete()
{
    phase = Phase::Finishing;
    stallTimer.stop();
    sink->post(
        [gen = generation, count = task().expectedCount](FileSink &s) { s.finish(gen, count); });
}

void FileDownload::Private::onCompleted(const Report &report)
{
    if (phase != Phase::Finishing)
        return;
    keep(report);
    FhirError e;
    switch (report.status) {
    case Report::Status::Ok:
        break;
    case Report::Status::GzipIncomplete:
        noGzip = true;
        e.kind = FhirError::Kind::Network;
        e.detail = report.message;
        return retry(e, e.detail, -1, false);
    case Report::Status::BinaryIncomplete:
        e.kind = FhirError::Kind::InvalidResponse;
        e.detail = report.message;
        return retry(e, e.detail, -1, false);
    case Report::Status::BadBody:
        e.kind = FhirError::Kind::InvalidResponse;
        e.detail = report.message;
        return fail(e, FileDownload::tr("%1: %2").arg(label(), report.message));
    default:
        return fail({}, report.message);
    }
    total = report.size;
    emitProgress(true);
    FileResult result = baseResult();
    result.ok = true;
    if (report.problemCount == 1) {
        log(report.problems.first().message);
    } else if (report.problemCount > 1) {
        QString first = report.problems.first().message;
        first.remove(0, label().size() + 2); // its "<file>: " prefix
        log(FileDownload::tr("%1: %2 validation problems; the first: %3")
                .arg(label())
                .arg(report.problemCount)
                .arg(first));
    }
    sink->detach();
    sink.reset();
    finishWith(result);
}

void FileDownload::Private::retry(const FhirError &error, const QString &why, qint64 retryAfter,
                                  bool immediately)
{
    phase = Phase::Waiting;
    stallTimer.stop();
    if (attempts >= options.maxAttempts) {
        return fail(error,
                    attempts == 1
                        ? FileDownload::tr("%1 could not be downloaded: %2").arg(label(), why)
                        : FileDownload::tr("%1 could not be downloaded after %2 attempts: %3")
                              .arg(label())
                              .arg(attempts)
                              .arg(why));
    }
    // The last attempt's writes still queued go first, then the cut back to the last line.
    ++generation;
    pendingRetry = {why, retryAfter, immediately};
    sink->post([gen = generation](FileSink &s) { s.cutBack(gen); });
}

void FileDownload::Private::onCutBack(const Report &report)
{
    if (phase != Phase::Waiting)
        return;
    if (report.status != Report::Status::Ok)
        return fail({}, report.message);
    keep(report);
    qint64 delay = 0;
    if (!pendingRetry.immediately) {
        const int shift = qBound(0, attempts - 1, 20);
        delay = qMin<qint64>(qint64(qMax(0, options.retryBaseDelayMs)) << shift, kMaxBackoffMs);
        if (pendingRetry.retryAfter >= 0)
            delay = pendingRetry.retryAfter; // the server knows best (already capped at 120 s)
    }
    log(FileDownload::tr("%1: %2 Trying again in %3 s (attempt %4 of %5).")
            .arg(label(), pendingRetry.why)
            .arg(double(delay) / 1000.0, 0, 'f', 1)
            .arg(attempts + 1)
            .arg(options.maxAttempts));
    total = -1;
    emitProgress(true);
    retryTimer.start(int(delay));
}

// No byte read from the network and none written for stallTimeoutMs: whatever holds it up (a
// server that stopped sending, a transfer paused and never resumed), this attempt is over.
void FileDownload::Private::checkStall()
{
    if (phase != Phase::Requesting || !sink) {
        stallTimer.stop();
        return;
    }
    const qint64 mark = networkBytes + sink->written.load();
    if (mark != stallMark) {
        stallMark = mark;
        stallClock.start();
        return;
    }
    if (stallClock.elapsed() < options.stallTimeoutMs)
        return;
    if (drain(false) && networkBytes + sink->written.load() != mark) {
        stallMark = -1; // a missed notification: reading again was enough
        return;
    }
    FhirError error;
    error.kind = FhirError::Kind::Timeout;
    error.networkError = QNetworkReply::TimeoutError;
    error.url = task().url.adjusted(QUrl::RemoveQuery);
    error.detail = FileDownload::tr("Nothing arrived or was written for %1 s.")
                       .arg(double(options.stallTimeoutMs) / 1000.0, 0, 'f', 1);
    dropStream();
    retry(error, error.detail, -1, false);
}

FileResult FileDownload::Private::baseResult() const
{
    FileResult result;
    result.bytes = kept.size;
    result.lines = kept.lines;
    result.problems = kept.problems;
    result.problemCount = kept.problemCount;
    result.attempts = attempts;
    result.resumed = resumed;
    return result;
}

void FileDownload::Private::fail(const FhirError &error, const QString &message)
{
    retryTimer.stop();
    stallTimer.stop();
    dropStream();
    FileResult result = baseResult();
    result.error = error;
    result.message = message;
    if (!message.isEmpty())
        log(message.startsWith(label()) ? message
                                        : FileDownload::tr("%1: %2").arg(label(), message));
    closeAndFinish(result);
}

// finished() waits for the sink to close the file, so whoever hears it may move or remove the
// .part at once (Windows cannot remove an open file).
void FileDownload::Private::closeAndFinish(FileResult result)
{
    ++generation;
    if (!sink)
        return finishWith(result);
    phase = Phase::Closing;
    closing = std::move(result);
    sink->post([gen = generation](FileSink &s) { s.close(gen); });
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
    const qint64 received = q->bytesReceived();
    qint64 expected = total;
    if (phase == Phase::Requesting && expected < 0 && contentLength > 0 && sink) {
        // A compressed or Binary body: its decoded size, extrapolated from what it came to so far.
        const qint64 in = sink->bodyIn.load();
        if (in > 0)
            expected = qMax(received,
                            rangeStart + qint64(double(sink->bodyOut.load()) * contentLength / in));
    }
    emit q->progress(received, expected);
}

} // namespace cohort::bulk
