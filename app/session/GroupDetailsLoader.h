#pragma once

#include "fhir/FhirError.h"
#include "fhir/Group.h"

#include <QList>
#include <QObject>
#include <QPointer>

namespace cohort::fhir {
class FhirCall;
class FhirClient;
} // namespace cohort::fhir

namespace cohort::session {

// The details pane of the Group browser: GET Group/{id} (with its members), then the names of
// the first members' Patients, one request at a time so a big Group never floods the server.
class GroupDetailsLoader : public QObject
{
    Q_OBJECT
public:
    explicit GroupDetailsLoader(QObject *parent = nullptr);
    ~GroupDetailsLoader() override;

    static constexpr int kNamedMembers = 10;

    void load(fhir::FhirClient *client, const QString &groupId); // cancels a running load
    void cancel();

    // "Jane Q. Doe" from a Patient's first usable name; empty when it has none.
    static QString patientDisplayName(const QJsonObject &patient);

signals:
    void groupLoaded(const cohort::fhir::Group &group);
    void memberNameResolved(int memberIndex, const QString &name);
    void failed(const cohort::fhir::FhirError &error);

private:
    void resolveNext();

    QPointer<fhir::FhirClient> m_client;
    QPointer<fhir::FhirCall> m_call;
    fhir::Group m_group;
    int m_nextMember = 0;
    quint64 m_generation = 0;
};

} // namespace cohort::session
