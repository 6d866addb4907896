#include "SignalWatcher.h"

#include <QSocketNotifier>
#include <QTimer>

#include <atomic>
#include <csignal>

#ifdef Q_OS_UNIX
#include <sys/socket.h>
#include <unistd.h>
#endif
#ifdef Q_OS_WIN
#include <windows.h>
#endif

namespace cohort::cli {

namespace {

std::atomic<int> g_lastSignal{0};
#ifdef Q_OS_UNIX
int g_pipe[2] = {-1, -1};
#endif

extern "C" void onSignal(int signalNumber)
{
    g_lastSignal.store(signalNumber);
#ifdef Q_OS_UNIX
    // Only async-signal-safe calls here: wake the event loop through the socket pair.
    const char byte = char(signalNumber);
    [[maybe_unused]] const auto n = ::write(g_pipe[1], &byte, 1);
#endif
}

#ifdef Q_OS_WIN
// WM_CLOSE to the process's top-level windows is how Windows asks a program to stop politely
// (QProcess::terminate(), taskkill without /F): a hidden window of ours takes it as SIGTERM.
LRESULT CALLBACK onWindowMessage(HWND window, UINT message, WPARAM wParam, LPARAM lParam)
{
    if (message == WM_CLOSE) {
        g_lastSignal.store(SIGTERM);
        return 0;
    }
    return DefWindowProcW(window, message, wParam, lParam);
}

HWND createCloseWindow()
{
    static const wchar_t className[] = L"CohortExportSignalWatcher";
    WNDCLASSW windowClass{};
    windowClass.lpfnWndProc = onWindowMessage;
    windowClass.hInstance = GetModuleHandleW(nullptr);
    windowClass.lpszClassName = className;
    RegisterClassW(&windowClass); // fails harmlessly when a second watcher registers it again
    // Top-level (not message-only, which EnumWindows skips) and never shown.
    return CreateWindowExW(0, className, L"cohort-export", WS_OVERLAPPED, 0, 0, 0, 0, nullptr,
                           nullptr, windowClass.hInstance, nullptr);
}

// The console's Ctrl-C and Ctrl-Break, and its window being closed (or the user logging off):
// the same interruption as SIGINT/SIGTERM on Unix. Runs on a thread of its own.
BOOL WINAPI onConsoleEvent(DWORD event)
{
    switch (event) {
    case CTRL_C_EVENT:
    case CTRL_BREAK_EVENT:
        g_lastSignal.store(SIGINT);
        return TRUE;
    case CTRL_CLOSE_EVENT:
    case CTRL_LOGOFF_EVENT:
    case CTRL_SHUTDOWN_EVENT:
        // Windows ends the process when this returns (or after about 5 s): give the event loop
        // that time to cancel the export on the server and save the journal.
        g_lastSignal.store(SIGTERM);
        Sleep(4500);
        return TRUE;
    default:
        return FALSE;
    }
}
#endif

} // namespace

SignalWatcher::SignalWatcher(QObject *parent)
    : QObject(parent)
{
#ifdef Q_OS_UNIX
    if (g_pipe[0] < 0 && ::socketpair(AF_UNIX, SOCK_STREAM, 0, g_pipe) != 0)
        g_pipe[0] = g_pipe[1] = -1;
    if (g_pipe[0] >= 0) {
        m_notifier = new QSocketNotifier(g_pipe[0], QSocketNotifier::Read, this);
        connect(m_notifier, &QSocketNotifier::activated, this, [this] {
            char byte = 0;
            [[maybe_unused]] const auto n = ::read(g_pipe[0], &byte, 1);
            drain();
        });
    }
#endif
    if (!m_notifier) {
        // No self-pipe on this platform: look at the flag a few times a second.
        m_poll = new QTimer(this);
        m_poll->setInterval(200);
        connect(m_poll, &QTimer::timeout, this, &SignalWatcher::drain);
        m_poll->start();
    }
#ifdef Q_OS_WIN
    SetConsoleCtrlHandler(onConsoleEvent, TRUE);
    m_window = createCloseWindow();
#else
    std::signal(SIGINT, onSignal);
#endif
    std::signal(SIGTERM, onSignal);
}

SignalWatcher::~SignalWatcher()
{
#ifdef Q_OS_WIN
    SetConsoleCtrlHandler(onConsoleEvent, FALSE);
    if (m_window)
        DestroyWindow(static_cast<HWND>(m_window));
#else
    std::signal(SIGINT, SIG_DFL);
#endif
    std::signal(SIGTERM, SIG_DFL);
}

void SignalWatcher::drain()
{
    const int signalNumber = g_lastSignal.exchange(0);
    if (signalNumber != 0)
        emit interrupted(signalNumber);
}

} // namespace cohort::cli
