#include "Group.h"

#include <QJsonArray>

namespace cohort::fhir {

using namespace Qt::StringLiterals;

QString Group::patientIdFromReference(const QString &reference)
{
    const QString ref = reference.trimmed();
    if (ref.startsWith("urn:uuid:"_L1))
        return ref.mid(9);
    // "Patient/x", "Patient/x/_history/2" or an absolute ".../Patient/x[/_history/2]".
    QStringList parts = ref.section(u'?', 0, 0).section(u'#', 0, 0).split(u'/');
    if (parts.size() >= 4 && parts.at(parts.size() - 2) == "_history"_L1)
        parts.resize(parts.size() - 2);
    if (parts.size() >= 2 && parts.at(parts.size() - 2) == "Patient"_L1)
        return parts.last();
    return {};
}

std::optional<Group> Group::fromJson(const QJsonObject &json, QString *error)
{
    const QString resourceType = json.value("resourceType"_L1).toString();
    if (resourceType != "Group"_L1) {
        if (error) {
            *error = resourceType.isEmpty() ? u"Not a FHIR resource (no resourceType)."_s
                                            : u"Expected a Group, got a %1."_s.arg(resourceType);
        }
        return std::nullopt;
    }
    Group g;
    g.id = json.value("id"_L1).toString();
    g.name = json.value("name"_L1).toString();
    g.type = json.value("type"_L1).toString();
    if (json.value("actual"_L1).isBool())
        g.actual = json.value("actual"_L1).toBool();
    if (json.value("active"_L1).isBool())
        g.active = json.value("active"_L1).toBool();
    if (json.value("quantity"_L1).isDouble() && json.value("quantity"_L1).toDouble() >= 0)
        g.quantity = json.value("quantity"_L1).toInt();
    for (const QJsonValue &value : json.value("identifier"_L1).toArray()) {
        const QJsonObject o = value.toObject();
        g.identifiers.append({o.value("system"_L1).toString(), o.value("value"_L1).toString()});
    }
    for (const QJsonValue &value : json.value("member"_L1).toArray()) {
        const QString reference =
            value.toObject().value("entity"_L1).toObject().value("reference"_L1).toString();
        if (!reference.isEmpty())
            g.memberReferences.append(reference);
    }
    return g;
}

} // namespace cohort::fhir
