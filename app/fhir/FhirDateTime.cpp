#include "FhirDateTime.h"

#include <QLocale>
#include <QRegularExpression>

namespace cohort::fhir {

namespace {

void setError(QString *error, const QString &message)
{
    if (error)
        *error = message;
}

} // namespace

std::optional<QDateTime> parseInstant(QStringView text, QString *error)
{
    static const QRegularExpression re(QStringLiteral(
        R"(^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})?$)"));
    const auto m = re.match(text.toString());
    if (!m.hasMatch()) {
        setError(error, QStringLiteral("'%1' is not a FHIR instant: expected a date and time with "
                                       "seconds and a time zone, e.g. 2024-01-15T10:30:00Z.")
                            .arg(text));
        return std::nullopt;
    }
    if (!m.hasCaptured(8)) {
        setError(error, QStringLiteral("'%1' has no time zone: add Z for UTC or an offset such as "
                                       "+01:00.")
                            .arg(text));
        return std::nullopt;
    }
    const QDate date(m.capturedView(1).toInt(), m.capturedView(2).toInt(),
                     m.capturedView(3).toInt());
    const int hour = m.capturedView(4).toInt();
    const int minute = m.capturedView(5).toInt();
    const int second = m.capturedView(6).toInt();
    int msec = 0;
    if (m.hasCaptured(7)) {
        const QString fraction = (m.captured(7) + QStringLiteral("00")).left(3);
        msec = fraction.toInt();
    }
    const QTime time(hour, minute, second, msec);
    if (!date.isValid() || !time.isValid()) {
        setError(error, QStringLiteral("'%1' is not a valid date and time.").arg(text));
        return std::nullopt;
    }
    int offsetSeconds = 0;
    const QStringView zone = m.capturedView(8);
    if (zone != u"Z") {
        const int hours = zone.mid(1, 2).toInt();
        const int minutes = zone.mid(4, 2).toInt();
        if (hours > 14 || minutes > 59) {
            setError(error, QStringLiteral("'%1' has an invalid time zone offset.").arg(text));
            return std::nullopt;
        }
        offsetSeconds = (hours * 3600 + minutes * 60) * (zone.front() == u'-' ? -1 : 1);
    }
    return QDateTime(date, time, Qt::OffsetFromUTC, offsetSeconds).toUTC();
}

QString formatInstant(const QDateTime &dateTime)
{
    return dateTime.toUTC().toString(Qt::ISODateWithMs);
}

QByteArray formatHttpDate(const QDateTime &dateTime)
{
    return QLocale::c()
        .toString(dateTime.toUTC(), QStringLiteral("ddd, dd MMM yyyy hh:mm:ss 'GMT'"))
        .toLatin1();
}

std::optional<QDateTime> parseHttpDate(QByteArrayView text)
{
    // The weekday is redundant (and Qt would check it against a two-digit year's century), so
    // drop it and parse the rest: IMF-fixdate, the obsolete RFC 850 form, and asctime.
    QString s = QString::fromLatin1(text).simplified();
    const qsizetype comma = s.indexOf(QLatin1Char(','));
    if (comma > 0)
        s = s.mid(comma + 1).trimmed();
    else if (const qsizetype space = s.indexOf(QLatin1Char(' ')); space > 0)
        s = s.mid(space + 1); // asctime: "Sun Nov 6 08:49:37 1994"
    struct Format
    {
        const char *pattern;
        bool twoDigitYear;
    };
    static const Format formats[] = {
        {"dd MMM yyyy hh:mm:ss 'GMT'", false},
        {"dd-MMM-yy hh:mm:ss 'GMT'", true},
        {"MMM d hh:mm:ss yyyy", false},
    };
    for (const Format &f : formats) {
        QDateTime dt = QLocale::c().toDateTime(s, QString::fromLatin1(f.pattern));
        if (!dt.isValid())
            continue;
        if (f.twoDigitYear) {
            // RFC 7231: a two-digit year more than 50 years ahead means the past century.
            const int yy = dt.date().year() % 100;
            dt.setDate(QDate(yy < 70 ? 2000 + yy : 1900 + yy, dt.date().month(), dt.date().day()));
        }
        dt.setTimeSpec(Qt::UTC);
        return dt;
    }
    return std::nullopt;
}

} // namespace cohort::fhir
