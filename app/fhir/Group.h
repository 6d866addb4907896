#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>
#include <optional>

namespace cohort::fhir {

struct Identifier
{
    QString system, value;
};

struct Group
{
    QString id;
    QString name;
    QString type; // person, animal...
    std::optional<bool> actual;
    std::optional<bool> active;
    std::optional<int> quantity;
    QList<Identifier> identifiers;
    QStringList memberReferences; // as given: "Patient/x" or "urn:uuid:x"
    int memberCount() const { return int(memberReferences.size()); }
    // "Patient/x" → "x"; "urn:uuid:x" → "x"; absolute ".../Patient/x" → "x"; else empty.
    static QString patientIdFromReference(const QString &reference);

    static std::optional<Group> fromJson(const QJsonObject &json, QString *error = nullptr);
};

} // namespace cohort::fhir
