#pragma once

#include "CachingTokenProvider.h"
#include "Jwk.h"

namespace cohort::auth {

// SMART Backend Services (client-confidential-asymmetric): each token request carries a fresh
// JWT signed with the client's private key (RS384 or ES384), whose public key the server has.
class SmartBackendTokenProvider : public CachingTokenProvider
{
    Q_OBJECT
public:
    struct Config
    {
        QString clientId;
        QString scopes = QStringLiteral("system/*.read"); // space-separated
        Key privateKey;                                   // with the key id (kid) registered
        QUrl tokenUrl;                      // empty: discovered through the FhirClient
        int assertionLifetimeSeconds = 300; // the specification allows at most 5 minutes
    };

    // Token requests go through client (AuthMode::Never); client may be the very FhirClient
    // this provider serves.
    SmartBackendTokenProvider(Config config, fhir::FhirClient *client, QObject *parent = nullptr);

    const Config &config() const;
    // What is wrong with config before anything is sent (no client id, no private key, no
    // kid...), as one sentence; empty when it is usable.
    static QString checkConfig(const Config &config);

protected:
    QString authenticate(const QUrl &tokenUrl, FormFields &form,
                         fhir::RequestOptions &options) override;
    QString invalidClientAdvice(const QString &description) const override;
    void checkConfiguration(const SmartConfiguration &configuration) override;

private:
    Config m_config;
};

} // namespace cohort::auth
