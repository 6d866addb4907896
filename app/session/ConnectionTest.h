#pragma once

#include "auth/ServerProfile.h"

#include <QObject>
#include <QPointer>
#include <memory>

namespace cohort::auth {
class SmartDiscovery;
}
namespace cohort::fhir {
class FhirCall;
class FhirClient;
} // namespace cohort::fhir

namespace cohort::session {

class ServerSession;

// "Test connection" of the profile editor, with the values as typed (nothing saved): reads
// /metadata, discovers the SMART token endpoint when the profile needs one, and fetches a token.
class ConnectionTest : public QObject
{
    Q_OBJECT
public:
    explicit ConnectionTest(ServerSession *session, QObject *parent = nullptr);
    ~ConnectionTest() override;

    // secret: the bearer token, client secret or private key the form holds (may be empty).
    void start(const auth::ServerProfile &profile, const QByteArray &secret);
    void cancel();
    bool isRunning() const { return m_running; }

signals:
    void step(const QString &text, bool ok);
    void finished(bool ok);

private:
    void readMetadata();
    void discover();
    void fetchToken();
    void done(bool ok, const QString &text);

    ServerSession *m_session;
    auth::ServerProfile m_profile;
    std::unique_ptr<fhir::FhirClient> m_client;
    QPointer<fhir::FhirCall> m_call;
    auth::SmartDiscovery *m_discovery = nullptr;
    bool m_running = false;
    quint64 m_generation = 0;
};

} // namespace cohort::session
