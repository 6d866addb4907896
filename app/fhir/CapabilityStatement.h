#pragma once

#include <QJsonObject>
#include <QStringList>
#include <QUrl>
#include <optional>

namespace cohort::fhir {

struct ResourceCapability
{
    QString type;
    QStringList interactions;  // read, search-type...
    QStringList searchParams;  // names
    QStringList operations;    // names, e.g. export
    QStringList supportedProfiles;
};

struct CapabilityStatement
{
    QString fhirVersion;
    QString softwareName, softwareVersion;
    QString implementationDescription;
    QList<ResourceCapability> resources;
    bool systemExport = false;  // rest.operation export
    bool patientExport = false; // Patient resource operation export
    bool groupExport = false;   // Group resource operation export
    QUrl tokenEndpoint;         // SMART oauth-uris extension "token", when present
    QUrl authorizeEndpoint;

    QStringList resourceTypes() const; // sorted
    const ResourceCapability *resource(const QString &type) const;

    // nullopt + error when the JSON is not a CapabilityStatement.
    static std::optional<CapabilityStatement> fromJson(const QJsonObject &json, QString *error = nullptr);
};

} // namespace cohort::fhir
