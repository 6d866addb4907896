#pragma once

#include <QStringList>

namespace cohort::cli {

// `cohort-export groups --server URL [--name TEXT] [--token-env VAR] [--ca-cert FILE]`: prints
// the server's Groups as a table, following the search's next links. arguments[0] is the
// program name, arguments[1] "groups". Returns the exit code (0 success, 1 failure).
int runGroupsCommand(const QStringList &arguments);

} // namespace cohort::cli
