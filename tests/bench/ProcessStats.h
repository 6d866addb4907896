// Peak memory and CPU time of this process, for the benchmarks' figures, on every OS.
#pragma once

#include <QtGlobal>

#if defined(Q_OS_WIN)
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <windows.h>

#include <psapi.h> // after windows.h, which it needs
#else
#include <sys/resource.h>
#endif

namespace cohort::bench {

// The largest resident set so far, in KiB (ru_maxrss is KiB on Linux, bytes on macOS).
inline qint64 peakRssKiB()
{
#if defined(Q_OS_WIN)
    PROCESS_MEMORY_COUNTERS counters{};
    if (!GetProcessMemoryInfo(GetCurrentProcess(), &counters, sizeof counters))
        return -1;
    return qint64(counters.PeakWorkingSetSize / 1024);
#else
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
#if defined(Q_OS_DARWIN)
    return qint64(usage.ru_maxrss) / 1024;
#else
    return qint64(usage.ru_maxrss);
#endif
#endif
}

// User + system CPU time of all threads, in nanoseconds.
inline qint64 cpuNs()
{
#if defined(Q_OS_WIN)
    FILETIME created, exited, kernel, user;
    if (!GetProcessTimes(GetCurrentProcess(), &created, &exited, &kernel, &user))
        return -1;
    auto ticks = [](const FILETIME &t) {
        return (qint64(t.dwHighDateTime) << 32) | qint64(t.dwLowDateTime); // 100 ns units
    };
    return (ticks(kernel) + ticks(user)) * 100;
#else
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    auto ns = [](const timeval &tv) {
        return qint64(tv.tv_sec) * 1000000000 + tv.tv_usec * 1000;
    };
    return ns(usage.ru_utime) + ns(usage.ru_stime);
#endif
}

} // namespace cohort::bench
