#pragma once

#include <QStringList>

namespace cohort::cli {

// `cohort-export export ...`: a whole Bulk Data export headless, progress on stderr, summary
// on stdout. Exit codes: 0 complete, 2 partially completed, 1 failed, 130 cancelled.
int runExportCommand(const QStringList &arguments);
// `cohort-export resume DIR`: continues the export whose journal is in DIR.
int runResumeCommand(const QStringList &arguments);

} // namespace cohort::cli
