#include "ClientFactory.h"

#include "auth/ClientSecretTokenProvider.h"
#include "auth/Jwk.h"
#include "auth/SmartBackendTokenProvider.h"
#include "fhir/FhirClient.h"
#include "fhir/TokenProvider.h"

namespace cohort::auth {

using namespace Qt::StringLiterals;
using Auth = ConnectionSettings::Auth;

namespace {

const auto kDefaultScopes = u"system/*.read"_s;

bool isHttpUrl(const QUrl &url)
{
    return url.isValid() && !url.host().isEmpty() &&
           (url.scheme() == "http"_L1 || url.scheme() == "https"_L1);
}

} // namespace

std::unique_ptr<fhir::FhirClient> createClient(QNetworkAccessManager *network,
                                               const ConnectionSettings &settings, QString *error)
{
    auto fail = [error](const QString &message) {
        *error = message;
        return nullptr;
    };
    if (!isHttpUrl(settings.server))
        return fail(u"'%1' is not an http:// or https:// URL."_s.arg(settings.server.toString()));
    auto client = std::make_unique<fhir::FhirClient>(network, settings.server);
    if (!settings.caCertificatePem.isEmpty()) {
        QString why;
        if (!client->addTrustedCaCertificates(settings.caCertificatePem, &why)) {
            const QString origin = settings.caCertificateOrigin.isEmpty()
                                       ? u"the CA certificate"_s
                                       : settings.caCertificateOrigin;
            return fail(u"%1: %2"_s.arg(origin, why));
        }
    }

    const QString scopes = settings.scopes.isEmpty() ? kDefaultScopes : settings.scopes;
    fhir::TokenProvider *provider = nullptr;
    switch (settings.auth) {
    case Auth::None:
        break;
    case Auth::BearerToken:
        if (settings.bearerToken.isEmpty())
            return fail(u"no bearer token was given."_s);
        provider = new fhir::StaticTokenProvider(settings.bearerToken, client.get());
        break;
    case Auth::SmartBackend: {
        const QString origin =
            settings.privateKeyOrigin.isEmpty() ? u"the private key"_s : settings.privateKeyOrigin;
        QString why;
        Key privateKey = Key::fromBytes(settings.privateKey, &why);
        if (privateKey.isNull())
            return fail(u"%1 holds no usable private key: %2"_s.arg(origin, why));
        if (!settings.keyId.isEmpty())
            privateKey.setKeyId(settings.keyId);
        SmartBackendTokenProvider::Config config;
        config.clientId = settings.clientId;
        config.scopes = scopes;
        config.privateKey = privateKey;
        config.tokenUrl = settings.tokenUrl;
        if (QString problem = SmartBackendTokenProvider::checkConfig(config);
            !problem.isEmpty()) {
            if (!config.clientId.isEmpty() && privateKey.isPrivate() && privateKey.algorithm() &&
                privateKey.keyId().isEmpty())
                problem += u" Give it with --key-id."_s;
            return fail(u"%1: %2"_s.arg(origin, problem));
        }
        provider = new SmartBackendTokenProvider(config, client.get(), client.get());
        break;
    }
    case Auth::ClientSecret: {
        if (settings.clientId.isEmpty())
            return fail(u"a client secret needs a client id (--client-id)."_s);
        if (settings.clientSecret.isEmpty())
            return fail(u"no client secret was given."_s);
        ClientSecretTokenProvider::Config config;
        config.clientId = settings.clientId;
        config.clientSecret = settings.clientSecret;
        config.scopes = scopes;
        config.tokenUrl = settings.tokenUrl;
        provider = new ClientSecretTokenProvider(config, client.get(), client.get());
        break;
    }
    }
    client->setTokenProvider(provider);
    return client;
}

} // namespace cohort::auth
