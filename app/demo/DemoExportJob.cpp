#include "DemoExportJob.h"

#include "HttpUtil.h"
#include "JsonWriter.h"
#include "SyntheticCohort.h"
#include "fhir/FhirDateTime.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>

namespace cohort::demo {

namespace {

const QSet<QString> &acceptedOutputFormats()
{
    static const QSet<QString> formats = {QStringLiteral("application/fhir+ndjson"),
                                          QStringLiteral("application/ndjson"),
                                          QStringLiteral("ndjson")};
    return formats;
}

// Splits a _typeFilter value that may hold several comma-separated queries ("A?x=1,B?y=2")
// without splitting the comma-separated values inside one query ("Observation?code=a,b").
QStringList splitTypeFilters(const QString &value)
{
    static const QRegularExpression startOfQuery(QStringLiteral("^[A-Z][A-Za-z]+\\?"));
    QStringList result;
    const QStringList parts = value.split(QLatin1Char(','));
    for (const QString &part : parts) {
        if (result.isEmpty() || startOfQuery.match(part).hasMatch())
            result.append(part);
        else
            result.last() += QLatin1Char(',') + part;
    }
    return result;
}

struct RawParameters
{
    QList<QPair<QString, QString>> values; // name, value (possibly comma lists)
    QStringList patientReferences;
};

bool collectFromParametersResource(const QByteArray &body, RawParameters *out, QString *error)
{
    QJsonParseError parseError{};
    const QJsonDocument doc = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject()) {
        *error = QStringLiteral("The request body is not JSON: %1.").arg(parseError.errorString());
        return false;
    }
    const QJsonObject root = doc.object();
    if (root.value(QLatin1String("resourceType")).toString() != QLatin1String("Parameters")) {
        *error = QStringLiteral("A POST kick-off body must be a FHIR Parameters resource.");
        return false;
    }
    const QJsonArray parameters = root.value(QLatin1String("parameter")).toArray();
    for (const QJsonValue &v : parameters) {
        const QJsonObject p = v.toObject();
        const QString name = p.value(QLatin1String("name")).toString();
        if (name == QLatin1String("patient")) {
            const QString ref = p.value(QLatin1String("valueReference"))
                                    .toObject()
                                    .value(QLatin1String("reference"))
                                    .toString();
            if (ref.isEmpty()) {
                *error = QStringLiteral(
                    "A 'patient' parameter needs a valueReference with a reference.");
                return false;
            }
            out->patientReferences.append(ref);
            continue;
        }
        QString value;
        for (auto it = p.constBegin(); it != p.constEnd(); ++it) {
            if (it.key().startsWith(QLatin1String("value")) && it.value().isString())
                value = it.value().toString();
        }
        if (name.isEmpty() || value.isEmpty()) {
            *error = QStringLiteral("Every parameter needs a name and a value (parameter '%1').")
                         .arg(name);
            return false;
        }
        out->values.append({name, value});
    }
    return true;
}

bool isLenient(const HttpRequest &request)
{
    const QList<QByteArray> prefs = request.header("prefer").split(',');
    for (const QByteArray &p : prefs) {
        if (p.trimmed() == "handling=lenient")
            return true;
    }
    return false;
}

bool parseTypeFilter(const QString &query, const QSet<QString> &types, bool lenient,
                     ExportParameters::TypeFilter *out, QStringList *warnings, QString *error)
{
    const qsizetype q = query.indexOf(QLatin1Char('?'));
    if (q <= 0) {
        *error = QStringLiteral("_typeFilter '%1' is not of the form Type?search.").arg(query);
        return false;
    }
    out->type = query.left(q);
    if (!types.contains(out->type)) {
        *error = QStringLiteral("_typeFilter names the unknown resource type '%1'.").arg(out->type);
        return false;
    }
    const QUrlQuery search(query.mid(q + 1));
    for (const auto &[name, value] : search.queryItems(QUrl::FullyDecoded)) {
        if (name != QLatin1String("code") && name != QLatin1String("category")) {
            const QString message =
                QStringLiteral("_typeFilter search parameter '%1' is not supported "
                               "by this server (code and category are).")
                    .arg(name);
            if (!lenient) {
                *error = message;
                return false;
            }
            warnings->append(message);
            continue;
        }
        out->criteria.append({name, value.split(QLatin1Char(','), Qt::SkipEmptyParts)});
    }
    return true;
}

} // namespace

std::optional<ExportParameters>
parseExportRequest(const HttpRequest &request, const SyntheticCohort &cohort,
                   ExportParameters::Level level, const QString &groupId, const QString &requestUrl,
                   QString *error, bool *notFound)
{
    *notFound = false;
    ExportParameters params;
    params.level = level;
    params.groupId = groupId;
    params.requestUrl = requestUrl;
    const bool lenient = isLenient(request);

    const GroupDefinition *group = nullptr;
    if (level == ExportParameters::Level::Group) {
        group = cohort.group(groupId);
        if (!group) {
            *notFound = true;
            *error = QStringLiteral("Group '%1' does not exist on this server.").arg(groupId);
            return std::nullopt;
        }
    }

    RawParameters raw;
    if (request.method == "POST") {
        if (!collectFromParametersResource(request.body, &raw, error))
            return std::nullopt;
    } else {
        for (const auto &[name, value] : request.query.queryItems(QUrl::FullyDecoded)) {
            if (name == QLatin1String("patient")) {
                *error = QStringLiteral("The 'patient' parameter is only accepted with POST.");
                return std::nullopt;
            }
            raw.values.append({name, value});
        }
    }

    QSet<QString> knownTypes;
    for (QLatin1StringView t : SyntheticCohort::resourceTypes())
        knownTypes.insert(QString(t));

    for (const auto &[name, value] : raw.values) {
        if (name == QLatin1String("_outputFormat")) {
            if (!acceptedOutputFormats().contains(value)) {
                *error = QStringLiteral("_outputFormat '%1' is not supported: use "
                                        "application/fhir+ndjson.")
                             .arg(value);
                return std::nullopt;
            }
        } else if (name == QLatin1String("_type")) {
            for (const QString &t : value.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
                const QString type = t.trimmed();
                if (!knownTypes.contains(type)) {
                    const QString message = QStringLiteral("_type names the resource type '%1', "
                                                           "which this server does not export.")
                                                .arg(type);
                    if (!lenient) {
                        *error = message;
                        return std::nullopt;
                    }
                    params.warnings.append(message);
                    continue;
                }
                if (!params.types.contains(type))
                    params.types.append(type);
            }
        } else if (name == QLatin1String("_since") || name == QLatin1String("_until")) {
            QString why;
            const auto instant = fhir::parseInstant(value, &why);
            if (!instant) {
                *error = QStringLiteral("%1 could not be parsed: %2").arg(name, why);
                return std::nullopt;
            }
            (name == QLatin1String("_since") ? params.since : params.until) = instant;
        } else if (name == QLatin1String("_elements")) {
            for (const QString &e : value.split(QLatin1Char(','), Qt::SkipEmptyParts))
                params.elements.append(e.trimmed());
        } else if (name == QLatin1String("_typeFilter")) {
            for (const QString &query : splitTypeFilters(value)) {
                ExportParameters::TypeFilter filter;
                if (!parseTypeFilter(query, knownTypes, lenient, &filter, &params.warnings, error))
                    return std::nullopt;
                params.typeFilters.append(filter);
            }
        } else {
            const QString message =
                QStringLiteral("The parameter '%1' is not supported by this server.").arg(name);
            if (!lenient) {
                *error = message;
                return std::nullopt;
            }
            params.warnings.append(message);
        }
    }
    if (params.since && params.until && *params.until < *params.since) {
        *error = QStringLiteral("_until is earlier than _since.");
        return std::nullopt;
    }
    if (params.types.isEmpty() && !raw.values.isEmpty()) {
        // Every named type was unknown and ignored: an empty _type must not widen the export.
        for (const auto &[name, value] : raw.values) {
            if (name == QLatin1String("_type")) {
                *error = QStringLiteral(
                    "None of the requested resource types is exported by this server.");
                return std::nullopt;
            }
        }
    }

    QList<int> scope;
    if (group)
        scope = group->members;
    else
        for (int i = 0; i < cohort.patientCount(); ++i)
            scope.append(i);

    if (!raw.patientReferences.isEmpty()) {
        const QSet<int> allowed(scope.cbegin(), scope.cend());
        QList<int> chosen;
        for (const QString &ref : raw.patientReferences) {
            const QString id = ref.startsWith(QLatin1String("Patient/")) ? ref.mid(8) : QString();
            const int index = id.isEmpty() ? -1 : cohort.indexOfPatientId(id);
            if (index < 0) {
                *error = QStringLiteral(
                             "The patient reference '%1' does not name a Patient on this server.")
                             .arg(ref);
                return std::nullopt;
            }
            if (!allowed.contains(index)) {
                *error = QStringLiteral("%1 is not a member of Group '%2'.").arg(ref, groupId);
                return std::nullopt;
            }
            if (!chosen.contains(index))
                chosen.append(index);
        }
        std::sort(chosen.begin(), chosen.end());
        scope = chosen;
    }
    params.patients = scope;
    return params;
}

namespace {

bool matchesFilters(const GeneratedResource &r, const ExportParameters &params)
{
    bool typeHasFilter = false;
    for (const auto &filter : params.typeFilters) {
        if (filter.type != r.type)
            continue;
        typeHasFilter = true;
        bool all = true;
        for (const auto &[name, values] : filter.criteria) {
            const QStringList &have = name == QLatin1String("code") ? r.codes : r.categories;
            bool any = false;
            for (const QString &v : values)
                any = any || have.contains(v);
            all = all && any;
        }
        if (all)
            return true; // filters on one type are ORed
    }
    return !typeHasFilter;
}

QByteArray applyElements(const GeneratedResource &r, const QStringList &elements)
{
    QJsonObject object = QJsonDocument::fromJson(r.json).object();
    QJsonObject kept;
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        const QString &key = it.key();
        const bool mandatory = key == QLatin1String("id") || key == QLatin1String("meta");
        const bool asked =
            elements.contains(key) || elements.contains(QString(r.type) + QLatin1Char('.') + key);
        if (mandatory || asked)
            kept.insert(key, it.value());
    }
    QJsonObject meta = kept.value(QLatin1String("meta")).toObject();
    QJsonArray tags = meta.value(QLatin1String("tag")).toArray();
    tags.append(
        QJsonObject{{QStringLiteral("system"),
                     QStringLiteral("http://terminology.hl7.org/CodeSystem/v3-ObservationValue")},
                    {QStringLiteral("code"), QStringLiteral("SUBSETTED")}});
    meta.insert(QStringLiteral("tag"), tags);
    kept.insert(QStringLiteral("meta"), meta);
    // QJsonObject sorts its keys; keep resourceType first as the rest of the data has it.
    QByteArray body = QJsonDocument(kept).toJson(QJsonDocument::Compact);
    return "{\"resourceType\":\"" + QByteArray(r.type.data(), r.type.size()) + "\"," + body.mid(1);
}

} // namespace

QList<OutputFile> generateExportFiles(const SyntheticCohort &cohort, const ExportParameters &params,
                                      int resourcesPerFile, const QString &jobId)
{
    struct Bucket
    {
        QList<QByteArray> lines;
    };
    QHash<QString, Bucket> buckets;
    for (int index : params.patients) {
        for (const GeneratedResource &r : cohort.resourcesForPatient(index)) {
            const QString type(r.type);
            if (!params.types.isEmpty() && !params.types.contains(type))
                continue;
            if (params.since && !(r.lastUpdated > *params.since))
                continue;
            if (params.until && r.lastUpdated > *params.until)
                continue;
            if (!matchesFilters(r, params))
                continue;
            buckets[type].lines.append(
                params.elements.isEmpty() ? r.json : applyElements(r, params.elements));
        }
    }

    QList<OutputFile> files;
    int sequence = 0;
    const int perFile = qMax(1, resourcesPerFile);
    for (QLatin1StringView t : SyntheticCohort::resourceTypes()) {
        const QString type(t);
        const auto it = buckets.constFind(type);
        if (it == buckets.constEnd())
            continue;
        const QList<QByteArray> &lines = it->lines;
        for (qsizetype start = 0; start < lines.size(); start += perFile) {
            OutputFile file;
            file.id = QStringLiteral("%1-%2").arg(jobId).arg(sequence++);
            file.type = type;
            const qsizetype end = qMin(lines.size(), start + perFile);
            for (qsizetype i = start; i < end; ++i) {
                file.data += lines[i];
                file.data += '\n';
            }
            file.count = int(end - start);
            files.append(file);
        }
    }
    if (params.since) {
        // An incremental export also reports what was deleted since: one Observation per
        // patient, with ids no longer in the data (deterministic, like everything here).
        OutputFile deleted;
        deleted.id = QStringLiteral("%1-%2").arg(jobId).arg(sequence++);
        deleted.type = QStringLiteral("Bundle");
        deleted.isDeleted = true;
        for (int index : params.patients) {
            JsonWriter w;
            w.beginObject();
            w.key(QLatin1StringView("resourceType"));
            w.value(QStringLiteral("Bundle"));
            w.key(QLatin1StringView("type"));
            w.value(QStringLiteral("transaction"));
            w.key(QLatin1StringView("entry"));
            w.beginArray();
            w.beginObject();
            w.key(QLatin1StringView("request"));
            w.beginObject();
            w.key(QLatin1StringView("method"));
            w.value(QStringLiteral("DELETE"));
            w.key(QLatin1StringView("url"));
            w.value(QStringLiteral("Observation/obs-deleted-%1").arg(cohort.patient(index).id));
            w.endObject();
            w.endObject();
            w.endArray();
            w.endObject();
            deleted.data += w.take();
            deleted.data += '\n';
            ++deleted.count;
        }
        if (deleted.count > 0)
            files.append(deleted);
    }
    if (!params.warnings.isEmpty()) {
        OutputFile errors;
        errors.id = QStringLiteral("%1-%2").arg(jobId).arg(sequence++);
        errors.type = QStringLiteral("OperationOutcome");
        errors.isError = true;
        for (const QString &w : params.warnings) {
            errors.data +=
                operationOutcomeJson(QStringLiteral("warning"), QStringLiteral("not-supported"), w);
            errors.data += '\n';
        }
        errors.count = int(params.warnings.size());
        files.append(errors);
    }
    return files;
}

int DemoExportJob::percent() const
{
    if (durationSeconds <= 0)
        return future.isFinished() ? 100 : 50;
    const double fraction = double(clock.elapsed()) / (durationSeconds * 1000.0);
    return qBound(0, int(fraction * 100.0), 99);
}

} // namespace cohort::demo
