#include "ConnectionTest.h"

#include "ServerSession.h"
#include "auth/ClientFactory.h"
#include "auth/ProfileConnection.h"
#include "auth/SmartDiscovery.h"
#include "fhir/CapabilityStatement.h"
#include "fhir/FhirClient.h"
#include "fhir/TokenProvider.h"

#include "demo/DemoServer.h"

namespace cohort::session {

using auth::ServerProfile;

ConnectionTest::ConnectionTest(ServerSession *session, QObject *parent)
    : QObject(parent)
    , m_session(session)
{
}

ConnectionTest::~ConnectionTest()
{
    cancel();
}

void ConnectionTest::cancel()
{
    ++m_generation;
    if (m_call)
        m_call->abort();
    delete m_discovery;
    m_discovery = nullptr;
    m_running = false;
}

void ConnectionTest::start(const ServerProfile &given, const QByteArray &secret)
{
    cancel();
    m_profile = given;
    m_running = true;
    if (m_profile.builtIn) {
        QString error;
        if (!m_session->ensureDemoServer(&error))
            return done(false, error);
        m_profile.baseUrl = m_session->demoServer()->baseUrl();
    }
    auth::ConnectionSettings s = auth::connectionFor(m_profile);
    if (const auto which = auth::secretFor(m_profile.auth))
        auth::putSecret(&s, *which, secret);
    QString error;
    m_client = auth::createClient(m_session->network(), s, &error);
    if (!m_client)
        return done(false, error);
    readMetadata();
}

void ConnectionTest::readMetadata()
{
    const quint64 generation = m_generation;
    m_call = m_client->get(QStringLiteral("metadata"));
    connect(m_call, &fhir::FhirCall::finished, this,
            [this, generation](const fhir::FhirResponse &response) {
                if (generation != m_generation)
                    return;
                if (response.error.isError())
                    return done(false, tr("Reading %1/metadata failed: %2")
                                           .arg(m_client->baseUrl().toString(), response.error.message()));
                QString why;
                auto caps = fhir::CapabilityStatement::fromJson(response.json(), &why);
                if (!caps)
                    return done(false, tr("The server's /metadata is not a CapabilityStatement: %1").arg(why));
                QString software = caps->softwareName;
                if (!caps->softwareVersion.isEmpty())
                    software += QLatin1Char(' ') + caps->softwareVersion;
                emit step(tr("Server found: %1, FHIR %2, %n resource type(s).", nullptr,
                             int(caps->resources.size()))
                              .arg(software.isEmpty() ? tr("(unnamed)") : software, caps->fhirVersion),
                          true);
                if (!caps->groupExport && !caps->systemExport && !caps->patientExport)
                    emit step(tr("The server does not declare the $export operation."), false);
                const bool requestsTokens = m_profile.auth == ServerProfile::AuthMethod::SmartBackend ||
                                            m_profile.auth == ServerProfile::AuthMethod::ClientSecret;
                if (requestsTokens && m_profile.tokenUrl.isEmpty())
                    discover();
                else
                    fetchToken();
            });
}

void ConnectionTest::discover()
{
    const quint64 generation = m_generation;
    m_discovery = new auth::SmartDiscovery(m_client.get(), this);
    connect(m_discovery, &auth::SmartDiscovery::finished, this,
            [this, generation](const auth::SmartConfiguration &result, const fhir::FhirError &error) {
                if (generation != m_generation)
                    return;
                m_discovery->deleteLater();
                m_discovery = nullptr;
                if (error.isError())
                    return done(false, tr("No token endpoint found: %1").arg(error.message()));
                emit step(tr("Token endpoint: %1").arg(result.tokenEndpoint.toString()), true);
                fetchToken();
            });
    m_discovery->start();
}

void ConnectionTest::fetchToken()
{
    fhir::TokenProvider *provider = m_client->tokenProvider();
    if (!provider || m_profile.auth == ServerProfile::AuthMethod::None)
        return done(true, tr("The server is open: no access token needed."));
    if (m_profile.auth == ServerProfile::AuthMethod::BearerToken)
        return done(true, tr("The pasted token will be sent with every request."));
    const quint64 generation = m_generation;
    provider->token(this, [this, generation](const QString &token, const fhir::FhirError &error) {
        if (generation != m_generation)
            return;
        if (error.isError())
            return done(false, tr("No access token: %1").arg(error.message()));
        done(!token.isEmpty(), token.isEmpty() ? tr("The token endpoint returned no token.")
                                               : tr("Access token received."));
    });
}

void ConnectionTest::done(bool ok, const QString &text)
{
    m_running = false;
    emit step(text, ok);
    emit finished(ok);
}

} // namespace cohort::session
