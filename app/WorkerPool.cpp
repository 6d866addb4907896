#include "WorkerPool.h"

#include <QThread>
#include <QThreadPool>

namespace cohort {

namespace {

struct Pool : QThreadPool
{
    Pool()
    {
        // More threads than cores: an index, a scan, a patient index and the user's filter run
        // at once, and the filter must not queue behind a scan of a large export.
        setMaxThreadCount(qMax(4, QThread::idealThreadCount()));
        setObjectName(QStringLiteral("cohort-workers"));
    }
};

struct IoPool : QThreadPool
{
    IoPool()
    {
        setMaxThreadCount(qMax(8, QThread::idealThreadCount()));
        setObjectName(QStringLiteral("cohort-io"));
    }
};

} // namespace

Q_GLOBAL_STATIC(Pool, pool)
Q_GLOBAL_STATIC(IoPool, io)

QThreadPool *workerPool()
{
    return pool();
}

QThreadPool *ioPool()
{
    return io();
}

} // namespace cohort
