#include "Strand.h"

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

} // namespace cohort
