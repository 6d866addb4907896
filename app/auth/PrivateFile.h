#pragma once

#include <QByteArray>
#include <QString>

namespace cohort::auth {

// Writes a new file (never an existing one) that only the current user can read or change:
// mode 0600 on Unix; on Windows a protected access list with the current user's account alone
// (nothing inherited from the folder), set when the file is created, so the key is never
// readable by others, not even for a moment.
bool writePrivateFile(const QString &path, const QByteArray &data, QString *error);

// Whether the file is readable by the current user alone, as the OS reports it (tests).
bool isPrivateToCurrentUser(const QString &path);

} // namespace cohort::auth
