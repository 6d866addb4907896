#pragma once

// Shared by every libFuzzer target: a QCoreApplication (some code asks for one), Qt's own
// messages silenced (a fuzzer feeds garbage on purpose, warnings are expected), and
// FUZZ_CHECK for the invariants each target asserts beyond "does not crash".

#include <QByteArray>
#include <QCoreApplication>
#include <QString>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(condition)                                                                      \
    do {                                                                                           \
        if (!(condition)) {                                                                        \
            std::fprintf(stderr, "FUZZ_CHECK failed: %s (%s:%d)\n", #condition, __FILE__,          \
                         __LINE__);                                                                \
            std::abort();                                                                          \
        }                                                                                          \
    } while (false)

namespace cohort::fuzz {

inline void initQt()
{
    static bool done = false;
    if (done)
        return;
    done = true;
    qInstallMessageHandler([](QtMsgType type, const QMessageLogContext &, const QString &text) {
        if (type == QtFatalMsg) {
            std::fprintf(stderr, "qFatal: %s\n", qPrintable(text));
            std::abort();
        }
    });
    static int argc = 1;
    static char name[] = "cohort-fuzz";
    static char *argv[] = {name, nullptr};
    // Never destroyed: libFuzzer exits from inside its loop; a reachable pointer is no leak.
    static QCoreApplication *app = new QCoreApplication(argc, argv);
    Q_UNUSED(app)
}

inline QByteArray bytes(const uint8_t *data, size_t size)
{
    return QByteArray(reinterpret_cast<const char *>(data), qsizetype(size));
}

} // namespace cohort::fuzz

// A target that needs more set-up defines COHORT_FUZZ_OWN_INITIALIZE and its own
// LLVMFuzzerInitialize, calling initQt() first.
#ifndef COHORT_FUZZ_OWN_INITIALIZE
extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    cohort::fuzz::initQt();
    return 0;
}
#endif
