#include "CapabilityStatement.h"

#include <QJsonArray>

#include <algorithm>

namespace cohort::fhir {

using namespace Qt::StringLiterals;

namespace {

const auto kOAuthUris = "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris"_L1;

QStringList strings(const QJsonArray &array, QLatin1StringView key = {})
{
    QStringList out;
    for (const QJsonValue &value : array) {
        const QString text =
            key.isEmpty() ? value.toString() : value.toObject().value(key).toString();
        if (!text.isEmpty())
            out.append(text);
    }
    return out;
}

// "export", "$export" and a definition ending in ".../OperationDefinition/export" all count.
// Returns the kind of export an operation declares: "export", "patient-export", "group-export".
QString exportKind(const QJsonObject &operation)
{
    QString name = operation.value("name"_L1).toString();
    if (name.startsWith(u'$'))
        name.remove(0, 1);
    const QString definition = operation.value("definition"_L1).toString();
    const QString last = definition.section(u'/', -1).section(u'|', 0, 0);
    for (const QString &kind : {u"patient-export"_s, u"group-export"_s}) {
        if (last == kind || name == kind)
            return kind;
    }
    if (name == "export"_L1 || name == "bulk-data-export"_L1 || last == "export"_L1)
        return u"export"_s;
    return {};
}

} // namespace

QStringList CapabilityStatement::resourceTypes() const
{
    QStringList types;
    for (const ResourceCapability &r : resources)
        types.append(r.type);
    types.sort();
    types.removeDuplicates();
    return types;
}

const ResourceCapability *CapabilityStatement::resource(const QString &type) const
{
    for (const ResourceCapability &r : resources) {
        if (r.type == type)
            return &r;
    }
    return nullptr;
}

std::optional<CapabilityStatement> CapabilityStatement::fromJson(const QJsonObject &json,
                                                                 QString *error)
{
    const QString resourceType = json.value("resourceType"_L1).toString();
    if (resourceType != "CapabilityStatement"_L1) {
        if (error) {
            *error = resourceType.isEmpty()
                         ? u"The answer is not a FHIR resource (no resourceType)."_s
                         : u"Expected a CapabilityStatement, got a %1."_s.arg(resourceType);
        }
        return std::nullopt;
    }
    CapabilityStatement cs;
    cs.fhirVersion = json.value("fhirVersion"_L1).toString();
    const QJsonObject software = json.value("software"_L1).toObject();
    cs.softwareName = software.value("name"_L1).toString();
    cs.softwareVersion = software.value("version"_L1).toString();
    cs.implementationDescription =
        json.value("implementation"_L1).toObject().value("description"_L1).toString();

    // The server part of rest[] (a CapabilityStatement may also describe a client).
    const QJsonArray rests = json.value("rest"_L1).toArray();
    QJsonObject rest;
    for (const QJsonValue &value : rests) {
        const QJsonObject candidate = value.toObject();
        if (candidate.value("mode"_L1).toString() == "server"_L1) {
            rest = candidate;
            break;
        }
    }
    if (rest.isEmpty() && !rests.isEmpty())
        rest = rests.first().toObject();

    for (const QJsonValue &value : rest.value("operation"_L1).toArray()) {
        const QString kind = exportKind(value.toObject());
        cs.systemExport = cs.systemExport || kind == "export"_L1;
        cs.patientExport = cs.patientExport || kind == "patient-export"_L1;
        cs.groupExport = cs.groupExport || kind == "group-export"_L1;
    }

    for (const QJsonValue &value : rest.value("resource"_L1).toArray()) {
        const QJsonObject o = value.toObject();
        ResourceCapability r;
        r.type = o.value("type"_L1).toString();
        if (r.type.isEmpty())
            continue;
        r.interactions = strings(o.value("interaction"_L1).toArray(), "code"_L1);
        r.searchParams = strings(o.value("searchParam"_L1).toArray(), "name"_L1);
        r.supportedProfiles = strings(o.value("supportedProfile"_L1).toArray());
        for (const QJsonValue &op : o.value("operation"_L1).toArray()) {
            QString name = op.toObject().value("name"_L1).toString();
            if (name.startsWith(u'$'))
                name.remove(0, 1);
            if (!name.isEmpty())
                r.operations.append(name);
            const QString kind = exportKind(op.toObject());
            if (!kind.isEmpty()) {
                cs.patientExport = cs.patientExport || kind == "patient-export"_L1 ||
                                   (kind == "export"_L1 && r.type == "Patient"_L1);
                cs.groupExport = cs.groupExport || kind == "group-export"_L1 ||
                                 (kind == "export"_L1 && r.type == "Group"_L1);
            }
        }
        cs.resources.append(r);
    }

    for (const QJsonValue &value :
         rest.value("security"_L1).toObject().value("extension"_L1).toArray()) {
        const QJsonObject extension = value.toObject();
        if (extension.value("url"_L1).toString() != kOAuthUris)
            continue;
        for (const QJsonValue &sub : extension.value("extension"_L1).toArray()) {
            const QJsonObject uri = sub.toObject();
            const QUrl url(uri.value("valueUri"_L1).toString());
            if (uri.value("url"_L1).toString() == "token"_L1)
                cs.tokenEndpoint = url;
            else if (uri.value("url"_L1).toString() == "authorize"_L1)
                cs.authorizeEndpoint = url;
        }
    }
    return cs;
}

} // namespace cohort::fhir
