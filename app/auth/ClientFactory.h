#pragma once

#include <QByteArray>
#include <QString>
#include <QUrl>

#include <memory>

class QNetworkAccessManager;

namespace cohort::fhir {
class FhirClient;
}

namespace cohort::auth {

// How to reach a server and prove who we are: filled from the command line (cli::ConnectionOptions)
// or from a saved profile and its secret (the desktop app); createClient() builds the client.
struct ConnectionSettings
{
    enum class Auth
    {
        None,
        BearerToken,  // a token obtained elsewhere (static, cannot be renewed)
        SmartBackend, // SMART Backend Services: a JWT signed with privateKey
        ClientSecret, // client credentials with client_secret_basic
    };

    QUrl server;                 // the FHIR base URL
    QByteArray caCertificatePem; // extra CA certificates to trust (public)
    QString caCertificateOrigin; // for messages: the file it came from

    Auth auth = Auth::None;
    QString clientId;
    QString scopes;           // empty: system/*.read
    QString keyId;            // overrides the kid in privateKey when set
    QUrl tokenUrl;            // empty: SMART discovery
    QString privateKeyOrigin; // for messages: the file it came from, or the profile

    // Secrets: from environment variables, key files or the keychain, never from arguments.
    QString bearerToken;
    QString clientSecret;
    QByteArray privateKey; // PEM (PKCS#8, traditional RSA/EC), a private JWK or a JWKS

    // A profile's preferences for exports (0 / empty: the command's defaults).
    int parallelDownloads = 0;
    QString outputFolder;
};

// The client for settings, its token provider (none, static bearer, SMART Backend Services or
// client secret) a child of it. nullptr + *error (a sentence) when the settings cannot work (a
// URL that is not http(s), a key that does not load...).
std::unique_ptr<fhir::FhirClient> createClient(QNetworkAccessManager *network,
                                               const ConnectionSettings &settings, QString *error);

} // namespace cohort::auth
