#include "Strand.h"

#include <QObject>
#include <QThreadPool>

#include <deque>
#include <mutex>

namespace cohort {

struct Strand::State : std::enable_shared_from_this<State>
{
    QThreadPool *pool = nullptr;
    std::mutex mutex;
    std::deque<std::function<void()>> jobs;
    bool running = false; // a pool thread is draining the queue

    void drain()
    {
        for (;;) {
            std::function<void()> job;
            {
                std::lock_guard lock(mutex);
                if (jobs.empty()) {
                    running = false;
                    return;
                }
                job = std::move(jobs.front());
                jobs.pop_front();
            }
            job();
        }
    }
};

Strand::Strand(QThreadPool *pool)
    : d(std::make_shared<State>())
{
    d->pool = pool;
}

void Strand::post(std::function<void()> job)
{
    {
        std::lock_guard lock(d->mutex);
        d->jobs.push_back(std::move(job));
        if (d->running)
            return;
        d->running = true;
    }
    d->pool->start([state = d] { state->drain(); });
}

struct Mailbox::State
{
    std::mutex mutex;
    QObject *receiver = nullptr;
};

Mailbox::Mailbox(QObject *receiver)
    : d(std::make_shared<State>())
{
    d->receiver = receiver;
}

void Mailbox::post(std::function<void()> call) const
{
    std::lock_guard lock(d->mutex);
    // Under the mutex: close() cannot complete, so the receiver lives until the event is queued;
    // a queued event dies with its receiver.
    if (d->receiver)
        QMetaObject::invokeMethod(d->receiver, std::move(call), Qt::QueuedConnection);
}

void Mailbox::close()
{
    std::lock_guard lock(d->mutex);
    d->receiver = nullptr;
}

} // namespace cohort
