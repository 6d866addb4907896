#include "ResourceSummary.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace cohort::review {

using namespace Qt::StringLiterals;

namespace {

QString codeText(const QJsonObject &codeable)
{
    const QJsonArray codings = codeable.value("coding"_L1).toArray();
    for (const QJsonValue &v : codings) {
        const QJsonObject c = v.toObject();
        const QString display = c.value("display"_L1).toString();
        const QString code = c.value("code"_L1).toString();
        if (!display.isEmpty())
            return code.isEmpty() ? display : u"%1 (%2)"_s.arg(display, code);
        if (!code.isEmpty())
            return code;
    }
    return codeable.value("text"_L1).toString();
}

QString dateOf(const QJsonObject &r)
{
    for (const auto key : {"effectiveDateTime"_L1, "effectiveInstant"_L1, "onsetDateTime"_L1,
                           "authoredOn"_L1, "performedDateTime"_L1, "recordedDate"_L1,
                           "occurrenceDateTime"_L1, "issued"_L1, "date"_L1, "birthDate"_L1}) {
        const QString s = r.value(key).toString();
        if (!s.isEmpty())
            return s;
    }
    for (const auto key : {"effectivePeriod"_L1, "period"_L1, "performedPeriod"_L1,
                           "onsetPeriod"_L1}) {
        const QString s = r.value(key).toObject().value("start"_L1).toString();
        if (!s.isEmpty())
            return s;
    }
    return {};
}

QString valueOf(const QJsonObject &r)
{
    const QJsonObject q = r.value("valueQuantity"_L1).toObject();
    if (!q.isEmpty()) {
        const QJsonValue v = q.value("value"_L1);
        const QString number = v.isDouble() ? QString::number(v.toDouble(), 'g', 12) : v.toString();
        const QString unit = q.value("unit"_L1).toString(q.value("code"_L1).toString());
        return unit.isEmpty() ? number : u"%1 %2"_s.arg(number, unit);
    }
    if (r.contains("valueCodeableConcept"_L1))
        return codeText(r.value("valueCodeableConcept"_L1).toObject());
    for (const auto key : {"valueString"_L1, "valueDateTime"_L1}) {
        const QString s = r.value(key).toString();
        if (!s.isEmpty())
            return s;
    }
    if (r.contains("valueBoolean"_L1))
        return r.value("valueBoolean"_L1).toBool() ? u"true"_s : u"false"_s;
    if (r.value("valueInteger"_L1).isDouble())
        return QString::number(r.value("valueInteger"_L1).toInteger());
    return {};
}

} // namespace

ResourceSummary ResourceSummary::of(QByteArrayView line)
{
    ResourceSummary s;
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(line.toByteArray(), &error);
    if (!doc.isObject())
        return s;
    const QJsonObject r = doc.object();
    s.valid = true;
    s.resourceType = r.value("resourceType"_L1).toString();
    s.id = r.value("id"_L1).toString();
    s.lastUpdated = r.value("meta"_L1).toObject().value("lastUpdated"_L1).toString();
    for (const auto key : {"subject"_L1, "patient"_L1, "beneficiary"_L1}) {
        const QString ref = r.value(key).toObject().value("reference"_L1).toString();
        if (!ref.isEmpty()) {
            s.subject = ref;
            break;
        }
    }
    if (s.resourceType == "Patient"_L1 && !s.id.isEmpty())
        s.subject = u"Patient/"_s + s.id;
    for (const auto key : {"code"_L1, "vaccineCode"_L1, "medicationCodeableConcept"_L1, "type"_L1}) {
        const QJsonValue v = r.value(key);
        const QJsonObject codeable = v.isArray() ? v.toArray().first().toObject() : v.toObject();
        if (!codeable.isEmpty()) {
            s.code = codeText(codeable);
            if (!s.code.isEmpty())
                break;
        }
    }
    const QJsonValue status = r.value("status"_L1);
    s.status = status.isString() ? status.toString()
                                 : codeText(r.value("clinicalStatus"_L1).toObject());
    s.date = dateOf(r);
    s.value = valueOf(r);
    return s;
}

} // namespace cohort::review
