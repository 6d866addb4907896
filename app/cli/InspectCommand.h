#pragma once

#include <QStringList>

namespace cohort::cli {

// `cohort-export inspect PATH... [--json] [--no-cache]`: validates an export folder or NDJSON
// files offline and prints counts per type against the manifest and every problem found.
// arguments[0] is the program name, arguments[1] "inspect". Returns the exit code: 0 clean,
// 2 problems found, 1 error (an unreadable path, bad arguments).
int runInspectCommand(const QStringList &arguments);

} // namespace cohort::cli
