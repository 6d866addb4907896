#include "ExportRequest.h"

#include "fhir/FhirDateTime.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QUrlQuery>

namespace cohort::bulk {

namespace {

const QRegularExpression &typeName()
{
    static const QRegularExpression re(QStringLiteral("^[A-Z][A-Za-z]{0,63}\\z"));
    return re;
}

QJsonArray toArray(const QStringList &list)
{
    return QJsonArray::fromStringList(list);
}

QStringList fromArray(const QJsonValue &value)
{
    QStringList out;
    for (const QJsonValue &v : value.toArray())
        out.append(v.toString());
    return out;
}

} // namespace

QString ExportRequest::levelName(Level level)
{
    switch (level) {
    case Level::System:
        return QStringLiteral("system");
    case Level::Patient:
        return QStringLiteral("patient");
    case Level::Group:
        return QStringLiteral("group");
    }
    return {};
}

QList<ExportRequest::Problem> ExportRequest::validate() const
{
    using Field = Problem::Field;
    const auto tr = [](const char *text) {
        return QCoreApplication::translate("cohort::bulk::ExportRequest", text);
    };
    QList<Problem> problems;
    if (level == Level::Group) {
        static const QRegularExpression id(QStringLiteral("^[A-Za-z0-9\\-.]{1,64}\\z"));
        if (groupId.isEmpty())
            problems.append({Field::Group, tr("Choose a Group to export.")});
        else if (!id.match(groupId).hasMatch())
            problems.append({Field::Group, tr("“%1” is not a valid FHIR id for a Group (letters, "
                                              "digits, “-” and “.”, at most 64).")
                                               .arg(groupId)});
    }
    for (const QString &t : types) {
        if (!typeName().match(t).hasMatch())
            problems.append({Field::Types, tr("“%1” is not a FHIR resource type name.").arg(t)});
    }
    std::optional<QDateTime> sinceTime, untilTime;
    QString why;
    if (!since.isEmpty() && !(sinceTime = fhir::parseInstant(since, &why)))
        problems.append({Field::Since, tr("Since: %1").arg(why)});
    if (!until.isEmpty() && !(untilTime = fhir::parseInstant(until, &why)))
        problems.append({Field::Until, tr("Until: %1").arg(why)});
    if (sinceTime && untilTime && *untilTime <= *sinceTime)
        problems.append({Field::Until, tr("Until must be later than since.")});
    for (const QString &f : typeFilters) {
        const qsizetype q = f.indexOf(QLatin1Char('?'));
        if (q <= 0 || q == f.size() - 1 || !typeName().match(f.left(q)).hasMatch())
            problems.append(
                {Field::TypeFilters, tr("“%1” is not a type filter: write Type?search, e.g. "
                                        "Observation?category=laboratory.")
                                         .arg(f)});
    }
    for (const QString &p : patients) {
        if (!p.startsWith(QLatin1String("Patient/")) || p.size() <= 8)
            problems.append(
                {Field::Patients, tr("Patient “%1” must be a reference like Patient/123.").arg(p)});
    }
    if (!patients.isEmpty() && level == Level::System)
        problems.append(
            {Field::Patients, tr("A patient subset needs a Patient or Group level export.")});
    return problems;
}

QString ExportRequest::describe(const QList<Problem> &problems)
{
    QStringList sentences;
    for (const Problem &p : problems)
        sentences.append(p.message);
    return sentences.join(QLatin1Char(' '));
}

QString ExportRequest::operationPath() const
{
    switch (level) {
    case Level::System:
        return QStringLiteral("$export");
    case Level::Patient:
        return QStringLiteral("Patient/$export");
    case Level::Group:
        return QStringLiteral("Group/%1/$export")
            .arg(QString::fromLatin1(QUrl::toPercentEncoding(groupId)));
    }
    return {};
}

QString ExportRequest::query() const
{
    QUrlQuery q;
    auto add = [&q](const QString &name, const QString &value) {
        // Encode fully: '+' in a time zone offset must not become a space.
        q.addQueryItem(name, QString::fromLatin1(QUrl::toPercentEncoding(value, "/:,")));
    };
    if (!outputFormat.isEmpty())
        add(QStringLiteral("_outputFormat"), outputFormat);
    if (!since.isEmpty())
        add(QStringLiteral("_since"), since);
    if (!until.isEmpty())
        add(QStringLiteral("_until"), until);
    if (!types.isEmpty())
        add(QStringLiteral("_type"), types.join(QLatin1Char(',')));
    if (!elements.isEmpty())
        add(QStringLiteral("_elements"), elements.join(QLatin1Char(',')));
    for (const QString &f : typeFilters)
        add(QStringLiteral("_typeFilter"), f);
    if (!includeAssociatedData.isEmpty())
        add(QStringLiteral("includeAssociatedData"), includeAssociatedData.join(QLatin1Char(',')));
    return q.toString(QUrl::FullyEncoded);
}

QByteArray ExportRequest::parametersJson() const
{
    QJsonArray parameters;
    auto add = [&parameters](const QString &name, const QString &valueKey,
                             const QJsonValue &value) {
        parameters.append(QJsonObject{{QStringLiteral("name"), name}, {valueKey, value}});
    };
    if (!outputFormat.isEmpty())
        add(QStringLiteral("_outputFormat"), QStringLiteral("valueString"), outputFormat);
    if (!since.isEmpty())
        add(QStringLiteral("_since"), QStringLiteral("valueInstant"), since);
    if (!until.isEmpty())
        add(QStringLiteral("_until"), QStringLiteral("valueInstant"), until);
    for (const QString &t : types)
        add(QStringLiteral("_type"), QStringLiteral("valueString"), t);
    for (const QString &e : elements)
        add(QStringLiteral("_elements"), QStringLiteral("valueString"), e);
    for (const QString &f : typeFilters)
        add(QStringLiteral("_typeFilter"), QStringLiteral("valueString"), f);
    for (const QString &i : includeAssociatedData)
        add(QStringLiteral("includeAssociatedData"), QStringLiteral("valueCode"), i);
    for (const QString &p : patients)
        add(QStringLiteral("patient"), QStringLiteral("valueReference"),
            QJsonObject{{QStringLiteral("reference"), p}});
    return QJsonDocument(QJsonObject{{QStringLiteral("resourceType"), QStringLiteral("Parameters")},
                                     {QStringLiteral("parameter"), parameters}})
        .toJson(QJsonDocument::Compact);
}

QString ExportRequest::preferHeader() const
{
    return lenient ? QStringLiteral("respond-async, handling=lenient")
                   : QStringLiteral("respond-async");
}

QJsonObject ExportRequest::toJson() const
{
    return QJsonObject{
        {QStringLiteral("level"), levelName(level)},
        {QStringLiteral("groupId"), groupId},
        {QStringLiteral("types"), toArray(types)},
        {QStringLiteral("since"), since},
        {QStringLiteral("until"), until},
        {QStringLiteral("outputFormat"), outputFormat},
        {QStringLiteral("elements"), toArray(elements)},
        {QStringLiteral("typeFilters"), toArray(typeFilters)},
        {QStringLiteral("patients"), toArray(patients)},
        {QStringLiteral("includeAssociatedData"), toArray(includeAssociatedData)},
        {QStringLiteral("lenient"), lenient},
        {QStringLiteral("post"), post},
    };
}

ExportRequest ExportRequest::fromJson(const QJsonObject &json)
{
    ExportRequest r;
    const QString level = json.value(QLatin1String("level")).toString();
    r.level = level == QLatin1String("system")    ? Level::System
              : level == QLatin1String("patient") ? Level::Patient
                                                  : Level::Group;
    r.groupId = json.value(QLatin1String("groupId")).toString();
    r.types = fromArray(json.value(QLatin1String("types")));
    r.since = json.value(QLatin1String("since")).toString();
    r.until = json.value(QLatin1String("until")).toString();
    r.outputFormat = json.value(QLatin1String("outputFormat")).toString();
    r.elements = fromArray(json.value(QLatin1String("elements")));
    r.typeFilters = fromArray(json.value(QLatin1String("typeFilters")));
    r.patients = fromArray(json.value(QLatin1String("patients")));
    r.includeAssociatedData = fromArray(json.value(QLatin1String("includeAssociatedData")));
    r.lenient = json.value(QLatin1String("lenient")).toBool();
    r.post = json.value(QLatin1String("post")).toBool();
    return r;
}

} // namespace cohort::bulk
