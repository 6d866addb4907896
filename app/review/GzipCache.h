#pragma once

#include <QFuture>
#include <QObject>
#include <QStringList>
#include <atomic>
#include <functional>

namespace cohort::review {

// .ndjson.gz files for the review: decompressed once into the cache folder (keyed by path,
// size and modification time, so a changed file is decompressed again), on the thread pool
// with progress. Other paths pass through unchanged.
class GzipCache : public QObject
{
    Q_OBJECT
public:
    explicit GzipCache(QString cacheFolder, QObject *parent = nullptr);
    ~GzipCache() override; // cancels and waits

    static bool isGzip(const QString &path);
    // Where path's decompressed copy lives (whether or not it exists yet).
    QString cachedPath(const QString &path) const;

    void start(const QStringList &paths);
    void cancel() { m_cancel.store(true); }

    // Synchronous (command line, tests): the decompressed copy, or empty + error.
    static QString decompress(const QString &gzPath, const QString &target,
                              const std::atomic_bool &cancel,
                              const std::function<void(qint64, qint64)> &progress,
                              QString *error);

signals:
    void progress(qint64 bytesDone, qint64 bytesTotal); // compressed bytes
    // paths: the inputs with every .gz replaced by its decompressed copy; error: empty on success.
    void finished(const QStringList &paths, const QString &error);

private:
    QString m_folder;
    std::atomic_bool m_cancel{false};
    QFuture<void> m_future;
};

} // namespace cohort::review
