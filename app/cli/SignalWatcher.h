#pragma once

#include <QObject>

class QSocketNotifier;
class QTimer;

namespace cohort::cli {

// Turns SIGINT/SIGTERM (Ctrl-C on Windows) into a Qt signal delivered on the event loop, so a
// headless command can finish cleanly (cancel an export, close the server) instead of dying.
class SignalWatcher : public QObject
{
    Q_OBJECT
public:
    explicit SignalWatcher(QObject *parent = nullptr);
    ~SignalWatcher() override;

signals:
    void interrupted(int signalNumber);

private:
    void drain();
    QSocketNotifier *m_notifier = nullptr;
    QTimer *m_poll = nullptr;
};

} // namespace cohort::cli
