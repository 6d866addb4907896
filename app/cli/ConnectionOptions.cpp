#include "ConnectionOptions.h"

#include "Keychain.h"
#include "auth/ProfileConnection.h"
#include "auth/ProfileStore.h"

#include "fhir/FhirClient.h"

#include <QCommandLineParser>
#include <QFile>
#include <QSettings>

namespace cohort::cli {

using namespace Qt::StringLiterals;
using Auth = ConnectionSettings::Auth;

namespace {

bool isHttpUrl(const QUrl &url)
{
    return url.isValid() && !url.host().isEmpty() &&
           (url.scheme() == "http"_L1 || url.scheme() == "https"_L1);
}

// The value of an environment variable holding a secret; empty when unset.
QString secretFromEnvironment(const QString &variable)
{
    return qEnvironmentVariable(variable.toLocal8Bit().constData()).trimmed();
}

bool readFile(const QString &path, QByteArray *data, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = u"cannot read %1: %2"_s.arg(path, file.errorString());
        return false;
    }
    *data = file.readAll();
    return true;
}

} // namespace

ConnectionOptions::ConnectionOptions(ServerOption serverOption)
    : profile(u"profile"_s,
              u"Use a saved server profile (see `cohort-export profile list`); its secret comes "
              "from the keychain. Other options override the profile's settings."_s,
              u"NAME"_s)
    , server(u"server"_s, u"FHIR base URL of the server, e.g. https://example.org/fhir."_s,
             u"URL"_s)
    , tokenEnv(u"token-env"_s,
               u"Environment variable holding a bearer access token (never pass secrets as "
               "arguments)."_s,
               u"VAR"_s)
    , caCert(u"ca-cert"_s, u"PEM file with CA certificates to trust besides the system's."_s,
             u"FILE"_s)
    , clientId(u"client-id"_s,
               u"Client id registered with the server; with --key (SMART Backend Services) or "
               "--client-secret-env (client secret), access tokens are requested and renewed "
               "automatically."_s,
               u"ID"_s)
    , key(u"key"_s,
          u"The client's private key for SMART Backend Services: PEM (PKCS#8, or traditional "
          "RSA/EC) or a private JWK. RS384 for RSA keys, ES384 for EC P-384 keys."_s,
          u"FILE"_s)
    , keyId(u"key-id"_s,
            u"Key id (kid) under which the public key is registered; overrides the one in the "
            "key file."_s,
            u"KID"_s)
    , scope(u"scope"_s, u"Scopes to ask for, space-separated (default system/*.read)."_s, u"S"_s)
    , tokenUrl(u"token-url"_s,
               u"Token endpoint; by default it is discovered from the server's "
               ".well-known/smart-configuration or CapabilityStatement."_s,
               u"URL"_s)
    , clientSecretEnv(u"client-secret-env"_s,
                      u"Environment variable holding the client secret (client_secret_basic); "
                      "needs --client-id."_s,
                      u"VAR"_s)
    , m_serverOption(serverOption)
{
}

void ConnectionOptions::addTo(QCommandLineParser &parser) const
{
    parser.addOption(profile);
    if (m_serverOption == ServerOption::Required)
        parser.addOption(server);
    parser.addOptions({tokenEnv, caCert, clientId, key, keyId, scope, tokenUrl, clientSecretEnv});
}

bool ConnectionOptions::readProfile(const QString &name, ConnectionSettings *settings,
                                    QString *error) const
{
    QSettings appSettings;
    auth::ProfileStore store(&appSettings);
    const auto p = store.profileByName(name);
    if (!p) {
        *error = u"there is no profile named '%1' (see cohort-export profile list)."_s.arg(name);
        return false;
    }
    if (p->builtIn) {
        *error = u"the '%1' profile runs inside the desktop app; for the command line, start "
                 "`cohort-export demo-server` and pass its URL with --server."_s.arg(p->name);
        return false;
    }
    *settings = auth::connectionFor(*p);
    const std::optional<auth::CredentialStore::Secret> secret = auth::secretFor(p->auth);
    if (!secret)
        return true;
    auth::CredentialStore credentials(keychainService());
    QByteArray value;
    const auth::CredentialError e =
        readSecret(credentials, auth::CredentialStore::keyFor(p->id, *secret), &value);
    if (e.isError()) {
        *error = u"the secret of profile '%1' could not be read from the keychain: %2"_s.arg(
            p->name, e.message);
        return false;
    }
    auth::putSecret(settings, *secret, value);
    return true;
}

bool ConnectionOptions::read(const QCommandLineParser &parser, ConnectionSettings *settings,
                             QString *error) const
{
    auto fail = [error](const QString &message) {
        *error = message;
        return false;
    };

    if (parser.isSet(profile) && !readProfile(parser.value(profile), settings, error))
        return false;

    if (m_serverOption == ServerOption::Required) {
        if (parser.isSet(server)) {
            const QString text = parser.value(server);
            settings->server = QUrl(text, QUrl::StrictMode);
            if (!isHttpUrl(settings->server))
                return fail(u"'%1' is not an http:// or https:// URL."_s.arg(text));
        } else if (settings->server.isEmpty()) {
            return fail(u"--server is required (the FHIR base URL, e.g. "
                        "https://example.org/fhir)."_s);
        }
    }

    const bool bearer = parser.isSet(tokenEnv);
    const bool smart = parser.isSet(key);
    const bool secret = parser.isSet(clientSecretEnv);
    if (int(bearer) + int(smart) + int(secret) > 1)
        return fail(u"choose one way to authenticate: --token-env VAR (a bearer token), --key "
                    "FILE (SMART Backend Services) or --client-secret-env VAR (a client "
                    "secret)."_s);
    if (bearer && parser.isSet(clientId))
        return fail(u"--token-env does not go with --client-id: a bearer token is used as it "
                    "is. For tokens requested automatically, give --client-id with --key or "
                    "--client-secret-env."_s);
    if (parser.isSet(clientId) && !smart && !secret && settings->auth != Auth::SmartBackend &&
        settings->auth != Auth::ClientSecret)
        return fail(u"--client-id needs --key FILE (SMART Backend Services) or "
                    "--client-secret-env VAR (a client secret)."_s);
    if ((smart || secret) && !parser.isSet(clientId) && settings->clientId.isEmpty())
        return fail(
            u"%1 needs --client-id ID."_s.arg(smart ? u"--key"_s : u"--client-secret-env"_s));

    if (bearer) {
        const QString variable = parser.value(tokenEnv);
        const QString token = auth::normalizedBearerToken(secretFromEnvironment(variable));
        if (token.isEmpty())
            return fail(u"the environment variable %1 is not set or empty."_s.arg(variable));
        settings->auth = Auth::BearerToken;
        settings->bearerToken = token;
    }
    if (smart) {
        QByteArray data;
        if (!readFile(parser.value(key), &data, error))
            return false;
        settings->auth = Auth::SmartBackend;
        settings->privateKey = data;
        settings->privateKeyOrigin = parser.value(key);
    }
    if (secret) {
        const QString variable = parser.value(clientSecretEnv);
        // Not trimmed: a secret's spaces are its own.
        const QString value = qEnvironmentVariable(variable.toLocal8Bit().constData());
        if (value.isEmpty())
            return fail(u"the environment variable %1 is not set or empty."_s.arg(variable));
        settings->auth = Auth::ClientSecret;
        settings->clientSecret = value;
    }
    if (parser.isSet(clientId))
        settings->clientId = parser.value(clientId).trimmed();

    const bool requestsTokens =
        settings->auth == Auth::SmartBackend || settings->auth == Auth::ClientSecret;
    if (parser.isSet(keyId)) {
        if (settings->auth != Auth::SmartBackend)
            return fail(u"--key-id only makes sense with --key."_s);
        settings->keyId = parser.value(keyId).trimmed();
    }
    if (parser.isSet(scope)) {
        if (!requestsTokens)
            return fail(u"--scope only makes sense with --client-id."_s);
        settings->scopes = parser.value(scope).simplified();
        if (settings->scopes.isEmpty())
            return fail(u"--scope is empty."_s);
    }
    if (parser.isSet(tokenUrl)) {
        if (!requestsTokens)
            return fail(u"--token-url only makes sense with --client-id."_s);
        const QString text = parser.value(tokenUrl);
        settings->tokenUrl = QUrl(text, QUrl::StrictMode);
        if (!isHttpUrl(settings->tokenUrl))
            return fail(u"--token-url '%1' is not an http:// or https:// URL."_s.arg(text));
    }
    if (parser.isSet(caCert)) {
        if (!readFile(parser.value(caCert), &settings->caCertificatePem, error))
            return false;
        settings->caCertificateOrigin = parser.value(caCert);
    }
    return true;
}

std::unique_ptr<fhir::FhirClient> ConnectionOptions::connect(QNetworkAccessManager *network,
                                                             const ConnectionSettings &settings,
                                                             QString *error)
{
    return auth::createClient(network, settings, error);
}

std::unique_ptr<fhir::FhirClient> ConnectionOptions::open(const QCommandLineParser &parser,
                                                          QNetworkAccessManager *network,
                                                          ConnectionSettings *settings,
                                                          QString *error) const
{
    if (!read(parser, settings, error))
        return nullptr;
    return connect(network, *settings, error);
}

} // namespace cohort::cli
