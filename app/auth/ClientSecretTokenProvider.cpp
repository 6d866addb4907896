#include "ClientSecretTokenProvider.h"

#include "SmartDiscovery.h"
#include "fhir/FhirClient.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcClientSecret, "cohort.auth.secret", QtInfoMsg)

namespace cohort::auth {

using namespace Qt::StringLiterals;

namespace {

// application/x-www-form-urlencoded (RFC 6749 Appendix B): spaces become '+'.
QByteArray formUrlEncode(const QString &text)
{
    return QUrl::toPercentEncoding(text).replace("%20", "+");
}

} // namespace

ClientSecretTokenProvider::ClientSecretTokenProvider(Config config, fhir::FhirClient *client,
                                                     QObject *parent)
    : CachingTokenProvider(client, config.scopes, config.tokenUrl, parent)
    , m_config(std::move(config))
{
}

const ClientSecretTokenProvider::Config &ClientSecretTokenProvider::config() const
{
    return m_config;
}

QByteArray ClientSecretTokenProvider::basicAuthorization(const QString &clientId,
                                                         const QString &clientSecret)
{
    return "Basic " + (formUrlEncode(clientId) + ':' + formUrlEncode(clientSecret)).toBase64();
}

QString ClientSecretTokenProvider::authenticate(const QUrl &tokenUrl, FormFields &form,
                                                fhir::RequestOptions &options)
{
    Q_UNUSED(tokenUrl)
    Q_UNUSED(form)
    if (m_config.clientId.trimmed().isEmpty())
        return tr("No client id is set.");
    if (m_config.clientSecret.isEmpty())
        return tr("No client secret is set.");
    // FhirClient sends it to the token URL only, never across a redirect to another origin.
    options.headers.append(
        {"Authorization", basicAuthorization(m_config.clientId, m_config.clientSecret)});
    return {};
}

QString ClientSecretTokenProvider::invalidClientAdvice(const QString &description) const
{
    Q_UNUSED(description)
    return tr("Check the client id and the client secret.");
}

void ClientSecretTokenProvider::checkConfiguration(const SmartConfiguration &configuration)
{
    if (!configuration.authMethods.isEmpty() &&
        !configuration.authMethods.contains("client_secret_basic"_L1)) {
        qCWarning(lcClientSecret).noquote()
            << tr("The server does not list client_secret_basic among its token endpoint "
                  "authentication methods (%1); asking for a token anyway.")
                   .arg(configuration.authMethods.join(u", "_s));
    }
}

} // namespace cohort::auth
