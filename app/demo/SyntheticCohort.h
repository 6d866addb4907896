#pragma once

#include <QByteArray>
#include <QDate>
#include <QDateTime>
#include <QLatin1StringView>
#include <QList>
#include <QString>
#include <QStringList>
#include <QStringView>

namespace cohort::demo {

struct PatientProfile
{
    int index = 0; // 0..patientCount-1
    QString id;    // "pat-" + zero-padded 5-digit index, e.g. "pat-00042"
    QString given, family;
    QString gender;  // "male" | "female" | rarely "other"
    QDate birthDate; // 1935..2022
    bool deceased = false;
    bool diabetes = false, hypertension = false, asthma = false, heartFailure = false, ckd = false;
    bool fluVaccine2024 = false;
};

struct GeneratedResource
{
    QLatin1StringView type; // static storage
    QString id;
    // One compact JSON object without newline, starting with {"resourceType":"<type>".
    QByteArray json;
    QDateTime lastUpdated; // UTC, equals meta.lastUpdated in json
    // "system|code" and bare "code" for each coding of the main code element.
    QStringList codes;
    // Same for category codings; AllergyIntolerance categories are plain strings, kept as-is.
    QStringList categories;
};

struct GroupDefinition
{
    QString id, name;
    bool active = true;
    QString identifierSystem, identifierValue;
    QList<int> members; // patient indexes, ascending
};

// Deterministic synthetic FHIR R4 cohort for the built-in demo Bulk Data server.
// Every patient's data depends only on (seed, index), never on patientCount or on the order in
// which patients are generated, so resources can be produced lazily and in parallel: all const
// members are safe to call from several threads at once.
class SyntheticCohort
{
public:
    explicit SyntheticCohort(int patientCount = 500, quint64 seed = 1);

    int patientCount() const { return int(m_patients.size()); }
    quint64 seed() const { return m_seed; }

    const PatientProfile &patient(int index) const;
    int indexOfPatientId(QStringView id) const; // -1 when unknown

    // Patient-compartment types in generation order; Group is served separately.
    static const QList<QLatin1StringView> &resourceTypes();

    // All resources of one patient, Patient first, then in resourceTypes() order.
    QList<GeneratedResource> resourcesForPatient(int index) const;

    const QList<GroupDefinition> &groups() const { return m_groups; }
    QByteArray groupJson(const GroupDefinition &g, bool withMembers = true) const;
    const GroupDefinition *group(QStringView id) const;

private:
    void buildGroups();

    quint64 m_seed;
    QList<PatientProfile> m_patients;
    QList<qint64> m_deathSecs; // seconds since epoch (UTC), 0 when alive
    QList<GroupDefinition> m_groups;
};

} // namespace cohort::demo
