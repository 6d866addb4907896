#pragma once

#include <QFuture>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QObject>
#include <QString>

#include <atomic>
#include <functional>
#include <optional>

namespace cohort::review {

// One NDJSON file to check, with what the manifest promised about it.
struct ScanInput
{
    QString path;
    QString expectedType;      // empty: any type
    qint64 expectedCount = -1; // -1: not given
};

struct Problem
{
    enum class Class
    {
        InvalidJson,
        TypeMismatch,
        MissingId,
        DuplicateId,
        CountMismatch,
        UnresolvedReference,
        LineTooLong,
    };
    QString file;
    qint64 line = 0; // 1-based physical line; 0 for a whole-file problem (CountMismatch)
    Class kind = Class::InvalidJson;
    QString message;

    static QString className(Class kind); // stable identifiers, e.g. "invalid-json"
    static std::optional<Class> classFromName(QStringView name);
    QJsonObject toJson() const;
    static Problem fromJson(const QJsonObject &o);
};

struct ScanFileResult
{
    QString path;
    QString expectedType;
    qint64 expectedCount = -1;
    qint64 bytes = 0;
    qint64 resources = 0; // non-empty lines, what the manifest's count counts
    QMap<QString, qint64> countsByType;
};

struct ScanResult
{
    QList<ScanFileResult> files;
    QMap<QString, qint64> countsByType;
    QList<Problem> problems; // the first ScanOptions::maxProblems, in file then line order
    qint64 problemCount = 0; // all of them
    QString error;           // a file could not be read: the result is incomplete
    bool cancelled = false;
    bool fromCache = false; // not stored

    QJsonObject toJson() const;
    static std::optional<ScanResult> fromJson(const QJsonObject &o);
};

struct ScanOptions
{
    qint64 maxLineBytes = 64 * 1024 * 1024; // longer lines are LineTooLong, not parsed
    int maxProblems = 10000;
    // Parse a block's lines as one simdjson document stream where they line up (faster);
    // false parses each line alone. Both give the same result (tests and fuzzing compare them).
    bool streamParse = true;
    // Threads that read and parse at once (0: one per core). The result is the same whatever
    // the number: chunks are committed in file order.
    int threads = 0;
    // The piece of a file one thread reads and parses at a time (tests make it small, so that
    // chunks end anywhere in a line).
    qint64 chunkBytes = 2 * 1024 * 1024;
    // Tests only: the bits of each key's 64-bit hash that are kept; fewer make distinct keys
    // collide (0: all of them), which must not change the result.
    quint64 keyHashMask = ~quint64(0);
};

// Validates an export (a set of NDJSON files) with simdjson in one pass per file: JSON, types
// against the manifest, ids (missing, duplicate per type), counts, and references "Type/id" to
// a type present in the export whose target is missing (checked once all files are read).
//
// Memory: "Type/id" of every resource and every reference target as a 64-bit hash in an
// open-addressing table with a 32-bit handle of the key's text (about 15 bytes each), and the
// text itself (the id, plus 3 bytes), which confirms a hash match: colliding hashes never
// make a false duplicate nor hide a missing target. A target of an exported type that is still
// missing at the end makes a second pass over the files find each such reference's first place
// and count; a complete export needs no second pass.
//
// Results are cached in cacheFolder (one JSON file per set of inputs, keyed by absolute path,
// size and mtime of every file), so reopening an export is instant and a changed file rescans.
class ResourceScan : public QObject
{
    Q_OBJECT
public:
    explicit ResourceScan(QString cacheFolder, QObject *parent = nullptr); // "": no cache
    ~ResourceScan() override;                                              // cancels and waits

    void setOptions(const ScanOptions &options) { m_options = options; }
    // Answers from the cache or scans on workerPool(); then finished().
    void start(const QList<ScanInput> &inputs);
    void cancel() { m_cancel.store(true); }
    bool isFinished() const { return m_finished.load(); }
    ScanResult result() const; // valid after finished()

    // The scan itself, synchronous (tests, benchmarks); progress(bytesDone, bytesTotal), where
    // bytesTotal doubles, from the files' size, when a second pass finds unresolved references.
    static ScanResult scan(const QList<ScanInput> &inputs, const ScanOptions &options,
                           const std::atomic_bool &cancel,
                           const std::function<void(qint64, qint64)> &progress = {});
    static QString cacheKey(const QList<ScanInput> &inputs, const ScanOptions &options);

signals:
    void progress(qint64 bytesDone, qint64 bytesTotal);
    void finished();

private:
    QString cachePath(const QList<ScanInput> &inputs) const;

    QString m_cacheFolder;
    ScanOptions m_options;
    ScanResult m_result;
    std::atomic_bool m_cancel{false};
    std::atomic_bool m_finished{false};
    QFuture<void> m_future;
};

} // namespace cohort::review
