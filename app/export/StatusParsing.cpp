#include "StatusParsing.h"

#include "fhir/FhirDateTime.h"

#include <QRegularExpression>

namespace cohort::bulk {

std::optional<RetryAfter> parseRetryAfter(QByteArrayView header, const QDateTime &nowUtc)
{
    const QByteArray value = header.trimmed().toByteArray();
    if (value.isEmpty())
        return std::nullopt;
    qint64 seconds = 0;
    bool ok = false;
    static const QRegularExpression integer(QStringLiteral("^-?\\d+$"));
    if (integer.match(QString::fromLatin1(value)).hasMatch()) {
        seconds = value.toLongLong(&ok);
        if (!ok) // more digits than a qint64: as absurd as it gets
            seconds = std::numeric_limits<qint64>::max();
    } else if (const auto when = fhir::parseHttpDate(value)) {
        seconds = nowUtc.secsTo(*when);
    } else {
        return std::nullopt;
    }
    RetryAfter r;
    if (seconds < kMinRetryAfterSeconds) {
        r.seconds = kMinRetryAfterSeconds;
        r.clamped = seconds < 0;
        if (r.clamped)
            r.note = QStringLiteral("Retry-After '%1' is in the past; checking again in %2 s.")
                         .arg(QString::fromLatin1(value))
                         .arg(r.seconds);
    } else if (seconds > kMaxRetryAfterSeconds) {
        r.seconds = kMaxRetryAfterSeconds;
        r.clamped = true;
        r.note =
            QStringLiteral("Retry-After '%1' is implausibly far ahead; waiting at most %2 hours.")
                .arg(QString::fromLatin1(value))
                .arg(kMaxRetryAfterSeconds / 3600);
    } else {
        r.seconds = int(seconds);
    }
    return r;
}

ServerProgress parseXProgress(QByteArrayView header)
{
    ServerProgress p;
    p.text = QString::fromUtf8(header).trimmed().left(200);
    static const QRegularExpression percent(QStringLiteral("(\\d{1,3}(?:[.,]\\d+)?)\\s*%"));
    const auto m = percent.match(p.text);
    if (m.hasMatch()) {
        const double value = m.captured(1).replace(QLatin1Char(','), QLatin1Char('.')).toDouble();
        if (value >= 0 && value <= 100)
            p.percent = int(value);
    }
    return p;
}

int Backoff::next()
{
    const int shift = qMin(m_attempt, 20);
    ++m_attempt;
    return qMin<qint64>(qint64(1) << shift, m_cap);
}

} // namespace cohort::bulk
