#pragma once

#include <QObject>

class QSocketNotifier;
class QTimer;

namespace cohort::cli {

// Turns SIGINT/SIGTERM into a Qt signal delivered on the event loop, so a headless command can
// finish cleanly (cancel an export, close the server) instead of dying. On Windows: the
// console's Ctrl-C/Ctrl-Break (SIGINT), its closing, and WM_CLOSE (QProcess::terminate(),
// taskkill) (SIGTERM).
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
    void *m_window = nullptr; // Windows: the hidden window that receives WM_CLOSE
};

} // namespace cohort::cli
