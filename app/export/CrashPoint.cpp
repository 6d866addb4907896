#include "CrashPoint.h"

#include <QByteArray>
#include <QtGlobal>

#include <atomic>
#include <cstring>

#ifdef Q_OS_UNIX
#include <csignal>
#include <unistd.h>
#else
#include <cstdlib>
#endif

#ifdef COHORT_CRASH_POINTS

namespace cohort::bulk {

namespace {

struct Target
{
    QByteArray name;
    int hit = 0; // 0: no crash point set
};

const Target &target()
{
    static const Target t = [] {
        Target t;
        const QByteArray spec = qgetenv("COHORT_CRASH_AT");
        const qsizetype colon = spec.lastIndexOf(':');
        bool ok = false;
        const int n = colon > 0 ? spec.mid(colon + 1).toInt(&ok) : 0;
        if (ok && n > 0) {
            t.name = spec.left(colon);
            t.hit = n;
        }
        return t;
    }();
    return t;
}

} // namespace

void crashPoint(const char *name)
{
    const Target &t = target();
    if (t.hit == 0 || std::strcmp(t.name.constData(), name) != 0)
        return;
    static std::atomic_int passes{0};
    if (passes.fetch_add(1) + 1 != t.hit)
        return;
#ifdef Q_OS_UNIX
    ::kill(::getpid(), SIGKILL);
#endif
    std::abort(); // not reached on Unix
}

} // namespace cohort::bulk

#endif // COHORT_CRASH_POINTS
