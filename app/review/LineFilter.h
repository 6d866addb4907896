#pragma once

#include <QFuture>
#include <QMutex>
#include <QObject>
#include <atomic>
#include <vector>

namespace cohort::review {

// The review table's filter box, run over a whole NDJSON file on the thread pool: progressive
// (matches arrive in batches while the file is read), cancellable. The query is
//   "id:X"       resources whose id is X,
//   "patient:X"  resources that reference Patient/X (or are Patient X),
//   anything else: lines containing the text, case-insensitively.
// resourceQuery(type, id) finds the resource itself, for following a reference.
class LineFilter : public QObject
{
    Q_OBJECT
public:
    explicit LineFilter(QObject *parent = nullptr);
    ~LineFilter() override; // cancels and waits

    void start(const QString &path, const QString &query);
    struct Query;
    void start(const QString &path, const Query &query);
    void cancel();
    bool isFinished() const { return m_finished.load(); }

    // Matching 0-based line numbers found so far, ascending.
    std::vector<qint64> takeMatches();
    qint64 matchCount() const;

    // Exposed for tests: does this raw line match the parsed query?
    struct Query
    {
        enum class Kind { Text, Id, Patient, Resource } kind = Kind::Text;
        QByteArray needle;         // lower-cased for Text; Resource: the id
        QByteArray alternative;    // Patient: "id":"X" within a Patient line; Resource: the type
    };
    static Query parse(const QString &query);
    // Lines that are the resource Type/id: a cheap look at the bytes first, then the line is
    // parsed to be sure that resourceType and id are the top-level ones (not a contained
    // resource's, not an identifier's), so every match is the resource.
    static Query resourceQuery(const QString &type, const QString &id);
    static bool matches(const Query &query, QByteArrayView line);

signals:
    void progress(qint64 bytesDone, qint64 total);
    void matchesAvailable();
    void finished();

private:
    void run(QString path, Query query);

    QFuture<void> m_future;
    std::atomic_bool m_cancel{false};
    std::atomic_bool m_finished{true};
    mutable QMutex m_mutex;
    std::vector<qint64> m_pending;
    qint64 m_count = 0;
};

} // namespace cohort::review
