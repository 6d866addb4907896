#pragma once

#include <QDateTime>
#include <QFile>
#include <QFuture>
#include <QMutex>
#include <QObject>
#include <QReadWriteLock>
#include <QStringList>

#include <atomic>
#include <memory>
#include <vector>

namespace cohort::review {

// Line index of one NDJSON file, built on the thread pool so a view can browse millions of
// lines without reading them: only line starts and a resource type id per line are kept.
//
// Storage: lines live in chunks; a chunk holds a 64-bit base offset and, per line, a 32-bit
// delta from that base plus one type byte (5 bytes a line). A chunk is closed when it is full
// or when the next delta would not fit in 32 bits, so files > 4 GiB and lines > 4 GiB work.
// A line ends where the next one starts (minus "\n" and, when flagged, "\r"); the start of the
// line after the last one is kept apart (m_tail).
//
// Line numbers are physical (0-based here): empty lines are kept and typed EmptyLine, so they
// match an editor's numbering and ResourceScan's 1-based problem lines.
class NdjsonIndex : public QObject
{
    Q_OBJECT
public:
    struct LineRange
    {
        qint64 offset = -1; // -1: no such line (yet)
        qint64 length = 0;  // without "\n" or "\r\n"
    };
    enum TypeId : quint8
    {
        EmptyLine = 0,
        NotAResource = 1, // not JSON, or no string resourceType
        OtherType = 127,  // the type table is full
        FirstTableType = 2,
    };

    explicit NdjsonIndex(QString path, QObject *parent = nullptr);
    ~NdjsonIndex() override; // cancels and waits for the worker

    QString path() const { return m_path; }
    void start(); // once; indexing runs on workerPool()
    void cancel();
    bool isRunning() const;
    bool isFinished() const { return m_finished.load(); }
    bool wasCancelled() const { return m_cancel.load(); }
    void waitForFinished(); // for command-line tools and benchmarks, never the GUI thread

    // Thread-safe, usable while indexing continues.
    qint64 lineCount() const;
    qint64 bytesIndexed() const;
    LineRange lineRange(qint64 line) const;
    quint8 typeIdOf(qint64 line) const;
    QString typeOf(qint64 line) const; // empty for EmptyLine/NotAResource
    QStringList typeTable() const;     // index i is type id FirstTableType + i
    qint64 indexBytes() const;         // memory held by the index itself

    // The raw bytes of one line (positioned read, not the whole file); empty + error on failure.
    QByteArray readLine(qint64 line, QString *error = nullptr) const;

    // True when size or modification time differ from when indexing started.
    bool hasChanged() const;
    QString errorString() const;

signals:
    void progress(qint64 bytesDone, qint64 total);
    void linesAvailable(qint64 count);
    void fileChanged(); // the file changed while indexed; the index may be wrong
    void finished();    // also after cancel() or an error (see errorString())

private:
    struct Chunk
    {
        quint64 base = 0;
        qint64 firstLine = 0;
        std::vector<quint32> deltas;
        std::vector<quint8> types; // bit 7: the line ends with "\r\n"
    };
    struct Pending
    {
        qint64 offset;
        quint8 type;
    };
    static constexpr quint8 kCrFlag = 0x80;
    static constexpr size_t kChunkLines = 64 * 1024;

    void run();
    void publish(std::vector<Pending> &pending, qint64 tail, qint64 bytesDone,
                 bool lastHasLf = true);
    quint8 classify(const char *data, qsizetype length, qint64 offset);
    quint8 typeIdFor(QByteArrayView name);
    const Chunk *chunkFor(qint64 line, qsizetype *index) const; // call with the lock held
    void setError(const QString &message);

    const QString m_path;
    qint64 m_size = 0;
    QDateTime m_mtime;

    mutable QReadWriteLock m_lock; // guards everything below up to m_error
    std::vector<std::unique_ptr<Chunk>> m_chunks;
    qint64 m_lines = 0;
    qint64 m_tail = 0;       // start of the line after the last indexed one
    bool m_lastHasLf = true; // false when the file's last line has no final newline
    qint64 m_bytesIndexed = 0;
    QStringList m_types;
    QString m_error;

    std::vector<QByteArray> m_typeNames; // the worker's copy of m_types, as bytes
    quint8 m_lastTypeId = 0;             // the worker's last answer (0: none)

    bool m_started = false;
    std::atomic_bool m_cancel{false};
    std::atomic_bool m_finished{false};
    QFuture<void> m_future;
    mutable QMutex m_readMutex; // readLine() from several threads shares one QFile
    mutable std::unique_ptr<QFile> m_reader;
};

} // namespace cohort::review
