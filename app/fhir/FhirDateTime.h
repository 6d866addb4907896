#pragma once

#include <QDateTime>
#include <QString>
#include <optional>

namespace cohort::fhir {

// FHIR R4 `instant`: YYYY-MM-DDThh:mm:ss[.fraction](Z|(+|-)hh:mm). A time zone is required:
// a value without one is rejected, never guessed, because `_since` silently shifted by a
// time zone exports the wrong data.
std::optional<QDateTime> parseInstant(QStringView text, QString *error = nullptr);

// UTC with milliseconds, e.g. 2024-01-15T10:30:00.000Z.
QString formatInstant(const QDateTime &dateTime);

// RFC 7231 IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), as used by Retry-After and Expires.
QByteArray formatHttpDate(const QDateTime &dateTime);
std::optional<QDateTime> parseHttpDate(QByteArrayView text);

} // namespace cohort::fhir
