#pragma once

#include <QStringList>

namespace cohort::cli {

// `cohort-export capabilities --server URL [--token-env VAR] [--ca-cert FILE]`: prints what the
// server's CapabilityStatement (and SMART configuration) say: software, FHIR version, export
// levels, token endpoint, resource types. arguments[0] is the program name, arguments[1]
// "capabilities". Returns the exit code (0 success, 1 failure).
int runCapabilitiesCommand(const QStringList &arguments);

} // namespace cohort::cli
