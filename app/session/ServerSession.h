#pragma once

#include "auth/ServerProfile.h"
#include "demo/DemoServerOptions.h"
#include "fhir/CapabilityStatement.h"
#include "fhir/FhirError.h"

#include <QObject>
#include <QPointer>
#include <functional>
#include <memory>

class QNetworkAccessManager;

namespace cohort::auth {
class CredentialStore;
class ProfileStore;
} // namespace cohort::auth
namespace cohort::demo {
class DemoServer;
}
namespace cohort::fhir {
class FhirCall;
class FhirClient;
} // namespace cohort::fhir

namespace cohort::session {

// The desktop app's connection to the server of the chosen profile: the client (its secret read
// from the keychain, asynchronously), the CapabilityStatement read from /metadata, and the
// built-in demo server, started in-process the first time the demo profile is used and kept
// running until the session ends (exports from it may still be running).
class ServerSession : public QObject
{
    Q_OBJECT
public:
    enum class State
    {
        Disconnected,
        Connecting,
        Connected,
        Failed
    };
    Q_ENUM(State)

    using ClientCallback =
        std::function<void(std::unique_ptr<fhir::FhirClient> client, const QString &error)>;

    ServerSession(auth::ProfileStore *profiles, auth::CredentialStore *credentials,
                  QObject *parent = nullptr);
    ~ServerSession() override;

    auth::ProfileStore *profiles() const { return m_profiles; }
    auth::CredentialStore *credentials() const { return m_credentials; }
    QNetworkAccessManager *network() const { return m_network; }

    // Options for the demo server (tests: faults, a small cohort); before it first starts.
    void setDemoOptions(const demo::DemoServerOptions &options);
    // A running demo server to use instead of starting one (not owned; tests keep theirs
    // across windows).
    void useDemoServer(demo::DemoServer *server);
    demo::DemoServer *demoServer() const; // nullptr until started
    bool ensureDemoServer(QString *error);

    void connectTo(const QString &profileId);
    void reconnect();
    void disconnectFromServer();

    State state() const { return m_state; }
    const auth::ServerProfile &profile() const { return m_profile; }
    fhir::FhirClient *client() const { return m_client.get(); } // while Connected
    const fhir::CapabilityStatement &capabilities() const { return m_capabilities; }
    QString errorMessage() const { return m_errorMessage; } // a sentence, when Failed
    QString errorDetail() const { return m_errorDetail; }   // the technical part

    // A new client of its own for profile (exports own theirs, so switching profiles never pulls
    // the rug from under one). The callback runs later, once, unless context is destroyed.
    void buildClient(const auth::ServerProfile &profile, QObject *context, ClientCallback callback);

signals:
    void stateChanged(cohort::session::ServerSession::State state);

private:
    void setState(State state);
    void fail(const QString &message, const QString &detail);
    void fetchMetadata();

    auth::ProfileStore *m_profiles;
    auth::CredentialStore *m_credentials;
    QNetworkAccessManager *m_network;
    demo::DemoServerOptions m_demoOptions;
    QPointer<demo::DemoServer> m_demo;
    bool m_ownsDemo = true;
    State m_state = State::Disconnected;
    auth::ServerProfile m_profile;
    std::unique_ptr<fhir::FhirClient> m_client;
    fhir::CapabilityStatement m_capabilities;
    QPointer<fhir::FhirCall> m_call;
    QString m_errorMessage, m_errorDetail;
    quint64 m_generation = 0; // drops answers for an earlier connectTo()
};

} // namespace cohort::session
