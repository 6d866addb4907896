#include "ServerSession.h"

#include "auth/ClientFactory.h"
#include "auth/CredentialStore.h"
#include "auth/ProfileConnection.h"
#include "auth/ProfileStore.h"
#include "demo/DemoServer.h"
#include "fhir/FhirClient.h"

#include <QNetworkAccessManager>

namespace cohort::session {

using auth::CredentialStore;
using auth::ServerProfile;

ServerSession::ServerSession(auth::ProfileStore *profiles, auth::CredentialStore *credentials,
                             QObject *parent)
    : QObject(parent)
    , m_profiles(profiles)
    , m_credentials(credentials)
    , m_network(new QNetworkAccessManager(this))
{
}

ServerSession::~ServerSession()
{
    if (m_call)
        m_call->abort();
}

void ServerSession::setDemoOptions(const demo::DemoServerOptions &options)
{
    m_demoOptions = options;
}

void ServerSession::useDemoServer(demo::DemoServer *server)
{
    if (m_ownsDemo)
        delete m_demo;
    m_demo = server;
    m_ownsDemo = false;
    if (server && server->isRunning())
        m_profiles->setDemoBaseUrl(server->baseUrl());
}

demo::DemoServer *ServerSession::demoServer() const
{
    return m_demo;
}

bool ServerSession::ensureDemoServer(QString *error)
{
    if (m_demo && m_demo->isRunning()) {
        m_profiles->setDemoBaseUrl(m_demo->baseUrl());
        return true;
    }
    if (m_ownsDemo)
        delete m_demo;
    m_ownsDemo = true;
    m_demo = new demo::DemoServer(m_demoOptions, this);
    QString why;
    if (!m_demo->start(&why)) {
        delete m_demo.data();
        m_demo = nullptr;
        if (error)
            *error = tr("The built-in demo server could not start: %1").arg(why);
        return false;
    }
    m_profiles->setDemoBaseUrl(m_demo->baseUrl());
    return true;
}

void ServerSession::connectTo(const QString &profileId)
{
    ++m_generation;
    if (m_call)
        m_call->abort();
    m_client.reset();
    m_capabilities = {};
    m_errorMessage.clear();
    m_errorDetail.clear();
    const auto profile = m_profiles->profile(profileId);
    if (!profile) {
        m_profile = {};
        fail(tr("There is no such server profile."), {});
        return;
    }
    m_profile = *profile;
    setState(State::Connecting);
    const quint64 generation = m_generation;
    buildClient(m_profile, this,
                [this, generation](std::unique_ptr<fhir::FhirClient> client, const QString &error) {
                    if (generation != m_generation)
                        return;
                    if (!client) {
                        fail(error, {});
                        return;
                    }
                    m_client = std::move(client);
                    fetchMetadata();
                });
}

void ServerSession::reconnect()
{
    if (!m_profile.id.isEmpty())
        connectTo(m_profile.id);
}

void ServerSession::disconnectFromServer()
{
    ++m_generation;
    if (m_call)
        m_call->abort();
    m_client.reset();
    m_capabilities = {};
    setState(State::Disconnected);
}

void ServerSession::buildClient(const ServerProfile &given, QObject *context,
                                ClientCallback callback)
{
    ServerProfile profile = given;
    if (profile.builtIn) {
        QString error;
        if (!ensureDemoServer(&error)) {
            QMetaObject::invokeMethod(
                context, [callback, error] { callback(nullptr, error); }, Qt::QueuedConnection);
            return;
        }
        profile.baseUrl = m_demo->baseUrl();
    }
    auth::ConnectionSettings settings = auth::connectionFor(profile);
    const std::optional<CredentialStore::Secret> secret = auth::secretFor(profile.auth);
    QPointer<QNetworkAccessManager> network = m_network;
    auto finish = [network, callback](const auth::ConnectionSettings &s) {
        QString error;
        auto client = auth::createClient(network, s, &error);
        callback(std::move(client), error);
    };
    if (!secret) {
        QMetaObject::invokeMethod(
            context, [finish, settings] { finish(settings); }, Qt::QueuedConnection);
        return;
    }
    const QString name = profile.name;
    const CredentialStore::Secret which = *secret;
    m_credentials->read(
        CredentialStore::keyFor(profile.id, which), context,
        [finish, settings, which, name, callback](const QByteArray &value,
                                                  const auth::CredentialError &error) mutable {
            if (error.isError()) {
                callback(nullptr,
                         error.kind == auth::CredentialError::NotFound
                             ? tr("Profile “%1” has no secret in the keychain yet: open Manage "
                                  "profiles and enter it.")
                                   .arg(name)
                             : tr("The secret of profile “%1” could not be read from the "
                                  "keychain: %2")
                                   .arg(name, error.message));
                return;
            }
            auth::putSecret(&settings, which, value);
            finish(settings);
        });
}

void ServerSession::fetchMetadata()
{
    const quint64 generation = m_generation;
    m_call = m_client->get(QStringLiteral("metadata"));
    connect(m_call, &fhir::FhirCall::finished, this,
            [this, generation](const fhir::FhirResponse &response) {
                if (generation != m_generation)
                    return;
                if (response.error.isError()) {
                    if (response.error.kind == fhir::FhirError::Kind::Cancelled)
                        return;
                    fail(tr("Could not reach %1.").arg(m_profile.name), response.error.message());
                    return;
                }
                QString why;
                auto caps = fhir::CapabilityStatement::fromJson(response.json(), &why);
                if (!caps) {
                    fail(tr("%1 did not describe itself as a FHIR server.").arg(m_profile.name),
                         why);
                    return;
                }
                m_capabilities = *caps;
                setState(State::Connected);
            });
}

void ServerSession::setState(State state)
{
    if (m_state == state && state != State::Connecting)
        return;
    m_state = state;
    emit stateChanged(state);
}

void ServerSession::fail(const QString &message, const QString &detail)
{
    m_errorMessage = message;
    m_errorDetail = detail;
    m_client.reset();
    setState(State::Failed);
}

} // namespace cohort::session
