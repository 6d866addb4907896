#pragma once

// What an export left in a folder, for tests that compare folders.

#include <QByteArray>
#include <QMap>
#include <QString>
#include <QStringList>

namespace cohort::test {

// Every *.ndjson below folder, by path relative to it, with its bytes.
QMap<QString, QByteArray> ndjsonFilesIn(const QString &folder);
// Every *.part file below folder (absolute paths).
QStringList partFilesIn(const QString &folder);
// Whether this Windows test runs under Wine (packaging/windows/check-windows.sh), for the few
// tests that Wine cannot run, or that only Wine can run unattended.
bool runningUnderWine();

} // namespace cohort::test
