#include "GroupDetailsLoader.h"

#include "fhir/FhirClient.h"

#include <QJsonArray>
#include <QUrl>

namespace cohort::session {

using namespace Qt::StringLiterals;

GroupDetailsLoader::GroupDetailsLoader(QObject *parent)
    : QObject(parent)
{
}

GroupDetailsLoader::~GroupDetailsLoader()
{
    cancel();
}

void GroupDetailsLoader::cancel()
{
    ++m_generation;
    if (m_call)
        m_call->abort();
    m_call = nullptr;
}

void GroupDetailsLoader::load(fhir::FhirClient *client, const QString &groupId)
{
    cancel();
    m_client = client;
    m_group = {};
    m_nextMember = 0;
    if (!client)
        return;
    const quint64 generation = m_generation;
    m_call = client->get(u"Group/"_s + QString::fromUtf8(QUrl::toPercentEncoding(groupId)));
    connect(m_call, &fhir::FhirCall::finished, this,
            [this, generation](const fhir::FhirResponse &response) {
                if (generation != m_generation)
                    return;
                m_call = nullptr;
                if (response.error.isError()) {
                    if (response.error.kind != fhir::FhirError::Kind::Cancelled)
                        emit failed(response.error);
                    return;
                }
                QString why;
                auto group = fhir::Group::fromJson(response.json(), &why);
                if (!group) {
                    fhir::FhirError error;
                    error.kind = fhir::FhirError::Kind::InvalidResponse;
                    error.detail = why;
                    error.url = response.url;
                    emit failed(error);
                    return;
                }
                m_group = *group;
                emit groupLoaded(m_group);
                resolveNext();
            });
}

void GroupDetailsLoader::resolveNext()
{
    if (!m_client)
        return;
    const int limit = qMin(kNamedMembers, m_group.memberCount());
    while (m_nextMember < limit &&
           fhir::Group::patientIdFromReference(m_group.memberReferences[m_nextMember]).isEmpty())
        ++m_nextMember;
    if (m_nextMember >= limit)
        return;
    const int index = m_nextMember++;
    const QString id = fhir::Group::patientIdFromReference(m_group.memberReferences[index]);
    const quint64 generation = m_generation;
    m_call = m_client->get(u"Patient/"_s + QString::fromUtf8(QUrl::toPercentEncoding(id)));
    connect(m_call, &fhir::FhirCall::finished, this,
            [this, generation, index](const fhir::FhirResponse &response) {
                if (generation != m_generation)
                    return;
                m_call = nullptr;
                // A member that cannot be read keeps its reference; the others are still named.
                if (!response.error.isError()) {
                    const QString name = patientDisplayName(response.json());
                    if (!name.isEmpty())
                        emit memberNameResolved(index, name);
                }
                resolveNext();
            });
}

QString GroupDetailsLoader::patientDisplayName(const QJsonObject &patient)
{
    if (patient.value("resourceType"_L1).toString() != "Patient"_L1)
        return {};
    const QJsonArray names = patient.value("name"_L1).toArray();
    QJsonObject chosen;
    for (const QJsonValue &v : names) {
        const QJsonObject n = v.toObject();
        if (n.value("use"_L1).toString() == "official"_L1) {
            chosen = n;
            break;
        }
        if (chosen.isEmpty())
            chosen = n;
    }
    const QString text = chosen.value("text"_L1).toString().simplified();
    if (!text.isEmpty())
        return text;
    QStringList parts;
    for (const QJsonValue &g : chosen.value("given"_L1).toArray())
        parts.append(g.toString());
    parts.append(chosen.value("family"_L1).toString());
    return parts.join(QLatin1Char(' ')).simplified();
}

} // namespace cohort::session
