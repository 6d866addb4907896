#include "Manifest.h"

#include "fhir/FhirDateTime.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

namespace cohort::bulk {

namespace {

bool readFiles(const QJsonObject &root, QLatin1StringView key, const QUrl &pageUrl,
               QList<ManifestFile> *out, QString *error)
{
    const QJsonValue value = root.value(key);
    if (value.isUndefined() || value.isNull())
        return true;
    if (!value.isArray()) {
        *error = QStringLiteral("'%1' is not an array.").arg(key);
        return false;
    }
    const QJsonArray entries = value.toArray();
    for (qsizetype i = 0; i < entries.size(); ++i) {
        const QJsonObject o = entries.at(i).toObject();
        ManifestFile f;
        f.type = o.value(QLatin1String("type")).toString();
        const QString url = o.value(QLatin1String("url")).toString();
        if (f.type.isEmpty() || url.isEmpty()) {
            *error = QStringLiteral("%1[%2] has no type or no url.").arg(key).arg(i);
            return false;
        }
        f.url = pageUrl.resolved(QUrl(url));
        const QString scheme = f.url.scheme();
        if (!f.url.isValid() ||
            (scheme != QLatin1String("https") && scheme != QLatin1String("http"))) {
            *error = QStringLiteral("%1[%2] has the unusable URL '%3'.").arg(key).arg(i).arg(url);
            return false;
        }
        // A count that is negative or beyond 2^53 (where doubles stop counting one by one, and
        // past 2^63 the conversion itself would be undefined) is no count: not given.
        const QJsonValue count = o.value(QLatin1String("count"));
        if (count.isDouble() && count.toDouble() >= 0 && count.toDouble() <= 0x1p53)
            f.count = qint64(count.toDouble());
        out->append(f);
    }
    return true;
}

} // namespace

std::optional<Manifest> Manifest::parse(const QByteArray &json, const QUrl &pageUrl, QString *error)
{
    QString dummy;
    QString &why = error ? *error : dummy;
    QJsonParseError parseError{};
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        why = QStringLiteral("The manifest is not valid JSON (%1 at offset %2).")
                  .arg(parseError.errorString())
                  .arg(parseError.offset);
        return std::nullopt;
    }
    if (!doc.isObject()) {
        why = QStringLiteral("The manifest is not a JSON object.");
        return std::nullopt;
    }
    const QJsonObject root = doc.object();
    Manifest m;
    const QString tt = root.value(QLatin1String("transactionTime")).toString();
    QString instantError;
    const auto instant = fhir::parseInstant(tt, &instantError);
    if (!instant) {
        why =
            tt.isEmpty()
                ? QStringLiteral("The manifest has no transactionTime.")
                : QStringLiteral("The manifest's transactionTime is invalid: %1").arg(instantError);
        return std::nullopt;
    }
    m.transactionTime = *instant;
    m.request = root.value(QLatin1String("request")).toString();
    m.requiresAccessToken = root.value(QLatin1String("requiresAccessToken")).toBool(false);
    if (!root.value(QLatin1String("output")).isArray()) {
        why = QStringLiteral("The manifest has no output array.");
        return std::nullopt;
    }
    if (!readFiles(root, QLatin1StringView("output"), pageUrl, &m.output, &why) ||
        !readFiles(root, QLatin1StringView("error"), pageUrl, &m.error, &why) ||
        !readFiles(root, QLatin1StringView("outcome"), pageUrl, &m.error, &why) ||
        !readFiles(root, QLatin1StringView("deleted"), pageUrl, &m.deleted, &why))
        return std::nullopt;
    for (const QJsonValue &l : root.value(QLatin1String("link")).toArray()) {
        const QJsonObject link = l.toObject();
        if (link.value(QLatin1String("relation")).toString() == QLatin1String("next"))
            m.next = pageUrl.resolved(QUrl(link.value(QLatin1String("url")).toString()));
    }
    m.outputOrganizedBy = root.value(QLatin1String("outputOrganizedBy")).toString();
    m.extension = root.value(QLatin1String("extension")).toObject();
    return m;
}

QString localFileName(const QString &manifestType, int sequence, const QString &subfolder)
{
    // \z, not $: $ also matches before a final "\n", and "Encounter\n" is no plain name.
    static const QRegularExpression plain(QStringLiteral("^[A-Za-z]{1,64}\\z"));
    const QString type =
        plain.match(manifestType).hasMatch() ? manifestType : QStringLiteral("Resource");
    return subfolder +
           QStringLiteral("%1.%2.ndjson").arg(type).arg(sequence, 3, 10, QLatin1Char('0'));
}

QString LocalFileNamer::next(const QString &manifestType, const QString &subfolder)
{
    const int n = ++m_counters[(subfolder + localFileName(manifestType, 0)).toLower()];
    return localFileName(manifestType, n, subfolder);
}

void Manifest::append(const Manifest &page)
{
    output += page.output;
    error += page.error;
    deleted += page.deleted;
    next = page.next;
}

} // namespace cohort::bulk
