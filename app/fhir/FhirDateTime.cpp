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
        R"(^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})?\z)"));
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
    // The weekday is redundant, so it is dropped and the rest is read: IMF-fixdate, the obsolete
    // RFC 850 form, and asctime. By hand, not QLocale::toDateTime: that reads a local time, and
    // a GMT wall-clock time inside the local zone's daylight-saving gap came back invalid.
    QString s = QString::fromLatin1(text).simplified();
    const qsizetype comma = s.indexOf(QLatin1Char(','));
    if (comma > 0)
        s = s.mid(comma + 1).trimmed();
    else if (const qsizetype space = s.indexOf(QLatin1Char(' ')); space > 0)
        s = s.mid(space + 1); // asctime: "Sun Nov 6 08:49:37 1994"
    // Captures: day, month, year, hour, minute, second.
    static const QRegularExpression imf(
        QStringLiteral(R"(^(\d{1,2}) ([A-Za-z]{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT\z)"));
    static const QRegularExpression rfc850(
        QStringLiteral(R"(^(\d{2})-([A-Za-z]{3})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) GMT\z)"));
    static const QRegularExpression asctime(
        QStringLiteral(R"(^([A-Za-z]{3}) (\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\d{4})\z)"));
    static const QStringList months{
        QStringLiteral("jan"), QStringLiteral("feb"), QStringLiteral("mar"), QStringLiteral("apr"),
        QStringLiteral("may"), QStringLiteral("jun"), QStringLiteral("jul"), QStringLiteral("aug"),
        QStringLiteral("sep"), QStringLiteral("oct"), QStringLiteral("nov"), QStringLiteral("dec")};

    int day = 0, month = 0, year = 0, hour = 0, minute = 0, second = 0;
    auto monthOf = [](QStringView name) {
        return int(months.indexOf(name.toString().toLower())) + 1; // 0: no month
    };
    if (const auto m = imf.match(s); m.hasMatch()) {
        day = m.capturedView(1).toInt();
        month = monthOf(m.capturedView(2));
        year = m.capturedView(3).toInt();
        hour = m.capturedView(4).toInt();
        minute = m.capturedView(5).toInt();
        second = m.capturedView(6).toInt();
    } else if (const auto m = rfc850.match(s); m.hasMatch()) {
        day = m.capturedView(1).toInt();
        month = monthOf(m.capturedView(2));
        // RFC 7231: a two-digit year more than 50 years ahead means the past century.
        const int yy = m.capturedView(3).toInt();
        year = yy < 70 ? 2000 + yy : 1900 + yy;
        hour = m.capturedView(4).toInt();
        minute = m.capturedView(5).toInt();
        second = m.capturedView(6).toInt();
    } else if (const auto m = asctime.match(s); m.hasMatch()) {
        month = monthOf(m.capturedView(1));
        day = m.capturedView(2).toInt();
        hour = m.capturedView(3).toInt();
        minute = m.capturedView(4).toInt();
        second = m.capturedView(5).toInt();
        year = m.capturedView(6).toInt();
    } else {
        return std::nullopt;
    }
    const QDate date(year, month, day);
    const QTime time(hour, minute, second);
    if (month == 0 || !date.isValid() || !time.isValid())
        return std::nullopt;
    return QDateTime(date, time, Qt::UTC);
}

} // namespace cohort::fhir
