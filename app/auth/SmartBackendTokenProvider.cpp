#include "SmartBackendTokenProvider.h"

#include "Jwt.h"
#include "SmartDiscovery.h"
#include "fhir/FhirClient.h"

#include <QLoggingCategory>
#include <QRegularExpression>

Q_LOGGING_CATEGORY(lcSmartBackend, "cohort.auth.smart", QtInfoMsg)

namespace cohort::auth {

using namespace Qt::StringLiterals;

SmartBackendTokenProvider::SmartBackendTokenProvider(Config config, fhir::FhirClient *client,
                                                     QObject *parent)
    : CachingTokenProvider(client, config.scopes, config.tokenUrl, parent)
    , m_config(std::move(config))
{
}

const SmartBackendTokenProvider::Config &SmartBackendTokenProvider::config() const
{
    return m_config;
}

QString SmartBackendTokenProvider::checkConfig(const Config &config)
{
    if (config.clientId.trimmed().isEmpty())
        return tr("No client id is set.");
    if (config.privateKey.isNull())
        return tr("No private key is set.");
    if (!config.privateKey.isPrivate())
        return tr("The key is a public key; the client signs with its private key (the server "
                  "holds the public one).");
    if (!config.privateKey.algorithm())
        return tr("The key is neither RSA nor EC P-384, so it cannot sign RS384 or ES384.");
    if (config.privateKey.keyId().isEmpty())
        return tr("The key has no key id (kid): set the one under which its public key is "
                  "registered with the server.");
    return {};
}

QString SmartBackendTokenProvider::authenticate(const QUrl &tokenUrl, FormFields &form,
                                                fhir::RequestOptions &options)
{
    Q_UNUSED(options)
    if (const QString problem = checkConfig(m_config); !problem.isEmpty())
        return problem;
    QString error;
    // A fresh assertion for every request: servers refuse a jti they have seen.
    const QByteArray assertion =
        makeClientAssertion(m_config.privateKey, m_config.clientId, tokenUrl.toString(),
                            m_config.assertionLifetimeSeconds, nowSecs(), &error);
    if (assertion.isEmpty())
        return tr("The client assertion could not be signed: %1").arg(error);
    form.append(
        {u"client_assertion_type"_s, u"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"_s});
    form.append({u"client_assertion"_s, QString::fromLatin1(assertion)});
    return {};
}

QString SmartBackendTokenProvider::invalidClientAdvice(const QString &description) const
{
    QString advice = tr("Check the client id, the key id (kid) and that the public key is "
                        "registered with the server.");
    // The assertion's iat/exp come from this computer's clock.
    static const QRegularExpression aboutTime(u"expired|\\bexp\\b|\\biat\\b|\\bnbf\\b|clock"_s,
                                              QRegularExpression::CaseInsensitiveOption);
    if (aboutTime.match(description).hasMatch())
        advice += u' ' + tr("The assertion is dated by this computer's clock: check that it is "
                            "right.");
    return advice;
}

void SmartBackendTokenProvider::checkConfiguration(const SmartConfiguration &configuration)
{
    if (!configuration.authMethods.isEmpty() &&
        !configuration.authMethods.contains("private_key_jwt"_L1)) {
        qCWarning(lcSmartBackend).noquote()
            << tr("The server does not list private_key_jwt among its token endpoint "
                  "authentication methods (%1); asking for a token anyway.")
                   .arg(configuration.authMethods.join(u", "_s));
    }
    const auto algorithm = m_config.privateKey.algorithm();
    if (algorithm && !configuration.signingAlgorithms.isEmpty() &&
        !configuration.signingAlgorithms.contains(algorithmName(*algorithm))) {
        qCWarning(lcSmartBackend).noquote()
            << tr("The server lists the signing algorithms %1, not %2 of this client's key; "
                  "asking for a token anyway.")
                   .arg(configuration.signingAlgorithms.join(u", "_s), algorithmName(*algorithm));
    }
}

} // namespace cohort::auth
