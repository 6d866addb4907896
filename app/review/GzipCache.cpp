#include "GzipCache.h"

#include "WorkerPool.h"

#include "export/GzipInflater.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QtConcurrent/QtConcurrentRun>

namespace cohort::review {

using namespace Qt::StringLiterals;

GzipCache::GzipCache(QString cacheFolder, QObject *parent)
    : QObject(parent)
    , m_folder(std::move(cacheFolder))
{
}

GzipCache::~GzipCache()
{
    cancel();
    m_future.waitForFinished();
}

bool GzipCache::isGzip(const QString &path)
{
    return path.endsWith(".gz"_L1, Qt::CaseInsensitive);
}

QString GzipCache::cachedPath(const QString &path) const
{
    const QFileInfo info(path);
    const QByteArray key = info.absoluteFilePath().toUtf8() + '\n' + QByteArray::number(info.size()) +
                           '\n' + QByteArray::number(info.lastModified().toMSecsSinceEpoch());
    const QString hash = QString::fromLatin1(QCryptographicHash::hash(key, QCryptographicHash::Sha256).toHex().left(16));
    QString name = info.fileName();
    name.chop(3); // ".gz"
    return QDir(m_folder).filePath(hash + u'-' + name);
}

QString GzipCache::decompress(const QString &gzPath, const QString &target,
                              const std::atomic_bool &cancel,
                              const std::function<void(qint64, qint64)> &progress, QString *error)
{
    QFile in(gzPath);
    if (!in.open(QIODevice::ReadOnly)) {
        *error = tr("%1 could not be read: %2").arg(gzPath, in.errorString());
        return {};
    }
    QDir().mkpath(QFileInfo(target).absolutePath());
    QSaveFile out(target); // never a half-written copy in the cache
    if (!out.open(QIODevice::WriteOnly)) {
        *error = tr("%1 could not be written: %2").arg(target, out.errorString());
        return {};
    }
    bulk::GzipInflater inflater;
    QByteArray block(1024 * 1024, Qt::Uninitialized);
    qint64 done = 0;
    bool writeFailed = false;
    while (!cancel.load()) {
        const qint64 n = in.read(block.data(), block.size());
        if (n < 0) {
            *error = tr("%1 could not be read: %2").arg(gzPath, in.errorString());
            return {};
        }
        if (n == 0)
            break;
        const bool ok = inflater.inflate(QByteArrayView(block.constData(), n), [&](QByteArrayView data) {
            writeFailed = out.write(data.data(), data.size()) != data.size();
            return !writeFailed;
        });
        if (writeFailed) {
            *error = tr("%1 could not be written: %2").arg(target, out.errorString());
            return {};
        }
        if (!ok) {
            *error = tr("%1 is not a valid gzip file: %2").arg(gzPath, inflater.errorString());
            return {};
        }
        done += n;
        if (progress)
            progress(done, in.size());
    }
    if (cancel.load()) {
        *error = tr("Cancelled.");
        return {};
    }
    if (!inflater.isComplete()) {
        *error = tr("%1 ends before its gzip stream does (a partial download?).").arg(gzPath);
        return {};
    }
    if (!out.commit()) {
        *error = tr("%1 could not be written: %2").arg(target, out.errorString());
        return {};
    }
    return target;
}

void GzipCache::start(const QStringList &paths)
{
    m_cancel.store(false);
    m_future = QtConcurrent::run(workerPool(), [this, paths] {
        qint64 total = 0, before = 0;
        for (const QString &p : paths)
            if (isGzip(p))
                total += QFileInfo(p).size();
        QStringList out;
        QString error;
        for (const QString &p : paths) {
            if (!isGzip(p)) {
                out << p;
                continue;
            }
            const QString target = cachedPath(p);
            if (!QFileInfo::exists(target)) {
                const QString made = decompress(p, target, m_cancel, [&](qint64 done, qint64) {
                    emit progress(before + done, total);
                }, &error);
                if (made.isEmpty())
                    break;
            }
            before += QFileInfo(p).size();
            out << target;
        }
        emit finished(error.isEmpty() ? out : QStringList(), error);
    });
}

} // namespace cohort::review
