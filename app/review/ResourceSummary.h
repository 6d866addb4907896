#pragma once

#include <QByteArrayView>
#include <QString>

namespace cohort::review {

// The columns the review table shows for one resource, read from one NDJSON line: whatever
// suits its type (subject or patient, a code with its display, a status, the clinically
// relevant date, a value with its unit).
struct ResourceSummary
{
    bool valid = false; // a JSON object
    QString resourceType;
    QString id;
    QString lastUpdated;
    QString subject; // "Patient/x" from subject, patient or beneficiary
    QString code;    // "display (system code)" or the text
    QString status;
    QString date;  // effective/onset/authored/performed/recorded/issued/period start/birthDate
    QString value; // valueQuantity "7.2 mmol/L", valueString, valueCodeableConcept...

    static ResourceSummary of(QByteArrayView line);
};

} // namespace cohort::review
