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
class LineFilter : public QObject
{
    Q_OBJECT
public:
    explicit LineFilter(QObject *parent = nullptr);
    ~LineFilter() override; // cancels and waits

    void start(const QString &path, const QString &query);
    void cancel();
    bool isFinished() const { return m_finished.load(); }

    // Matching 0-based line numbers found so far, ascending.
    std::vector<qint64> takeMatches();
    qint64 matchCount() const;

    // Exposed for tests: does this raw line match the parsed query?
    struct Query
    {
        enum class Kind { Text, Id, Patient } kind = Kind::Text;
        QByteArray needle;         // lower-cased for Text
        QByteArray alternative;    // Patient: "id":"X" within a Patient line
    };
    static Query parse(const QString &query);
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
