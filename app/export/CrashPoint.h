#pragma once

namespace cohort::bulk {

// A hook for the crash-safety test (tests/integration/tst_CrashSafety.cpp): with the environment
// variable COHORT_CRASH_AT=NAME:N, the N-th time this process passes crashPoint("NAME") it kills
// itself with SIGKILL, as a power cut or the OOM killer would, at a moment a timer could hardly
// hit (between a write and its rename, while export.json is saved). Without the variable it costs
// one check of a flag read once.
//
// Points: kickoff-accepted, poll-answered, part-write, before-rename, after-rename, journal-save.
// Built only with the CMake option COHORT_CRASH_POINTS (on in test builds, off in packages):
// elsewhere a crash point is nothing at all.
#ifdef COHORT_CRASH_POINTS
void crashPoint(const char *name);
#else
inline void crashPoint(const char *) {}
#endif

} // namespace cohort::bulk
