#pragma once

#include "CachingTokenProvider.h"

namespace cohort::auth {

// OAuth client credentials with client_secret_basic: the client id and secret in an
// Authorization: Basic header of the token request (RFC 6749 §2.3.1), for servers that do not
// use SMART's signed assertions.
class ClientSecretTokenProvider : public CachingTokenProvider
{
    Q_OBJECT
public:
    struct Config
    {
        QString clientId;
        QString clientSecret;
        QString scopes = QStringLiteral("system/*.read"); // space-separated; empty: none sent
        QUrl tokenUrl; // empty: discovered through the FhirClient
    };

    ClientSecretTokenProvider(Config config, fhir::FhirClient *client, QObject *parent = nullptr);

    const Config &config() const;
    // "Basic " + base64(urlencode(id) ":" urlencode(secret)), as RFC 6749 §2.3.1 asks.
    static QByteArray basicAuthorization(const QString &clientId, const QString &clientSecret);

protected:
    QString authenticate(const QUrl &tokenUrl, FormFields &form,
                         fhir::RequestOptions &options) override;
    QString invalidClientAdvice(const QString &description) const override;
    void checkConfiguration(const SmartConfiguration &configuration) override;

private:
    Config m_config;
};

} // namespace cohort::auth
