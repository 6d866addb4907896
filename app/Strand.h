#pragma once

#include <functional>
#include <memory>

class QObject;
class QThreadPool;

namespace cohort {

// Runs the jobs posted to it one at a time, in the order posted, on a pool's threads: the
// serial queue of one object (a file being written) without a thread of its own. Copies share
// the queue. Jobs still queued when the last copy goes away still run.
class Strand
{
public:
    explicit Strand(QThreadPool *pool);
    void post(std::function<void()> job);

private:
    struct State;
    std::shared_ptr<State> d;
};

// Carries calls from pool threads to an object's own thread until close(), called on that thread
// before the object goes (its destructor): later calls are dropped, never delivered to a dead
// object. Copies share the state.
class Mailbox
{
public:
    explicit Mailbox(QObject *receiver);
    void post(std::function<void()> call) const; // any thread
    void close();                                // the receiver's thread

private:
    struct State;
    std::shared_ptr<State> d;
};

} // namespace cohort
