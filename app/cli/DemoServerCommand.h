#pragma once

#include <QStringList>

namespace cohort::cli {

// `cohort-export demo-server [...]`: runs the demo Bulk Data server until interrupted.
// arguments[0] is the program name, arguments[1] "demo-server".
int runDemoServerCommand(const QStringList &arguments);

} // namespace cohort::cli
