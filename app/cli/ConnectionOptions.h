#pragma once

#include <QByteArray>
#include <QCommandLineOption>
#include <QString>
#include <QUrl>

#include <memory>

class QCommandLineParser;
class QNetworkAccessManager;

namespace cohort::fhir {
class FhirClient;
}

namespace cohort::cli {

// How a command reaches a server and proves who it is. ConnectionOptions::read() fills it from
// the command line; ConnectionOptions::connect() builds the client from it.
//
// With --profile NAME, read() first fills it from the saved profile and the profile's secret
// in the keychain; options given on the command line then override the profile's.
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

// The options every network command shares, in one place: --profile, --server, --token-env, --ca-cert,
// --client-id, --key, --key-id, --scope, --token-url, --client-secret-env.
class ConnectionOptions
{
public:
    enum class ServerOption
    {
        Required,
        Omitted, // resume: the server comes from the export's journal
    };

    explicit ConnectionOptions(ServerOption server = ServerOption::Required);

    void addTo(QCommandLineParser &parser) const;
    // Applies the options given over *settings (empty for none, or a profile's). Reads the
    // environment variables and files named. false + *error (a sentence) when they do not add
    // up to one way to connect.
    bool read(const QCommandLineParser &parser, ConnectionSettings *settings, QString *error) const;

    // The client for settings, its token provider (none, static bearer, SMART Backend Services
    // or client secret) a child of it. nullptr + *error when the settings cannot work (a URL
    // that is not http(s), a key that does not load...).
    static std::unique_ptr<fhir::FhirClient>
    connect(QNetworkAccessManager *network, const ConnectionSettings &settings, QString *error);
    // read() then connect(), for commands that need nothing in between.
    std::unique_ptr<fhir::FhirClient> open(const QCommandLineParser &parser,
                                           QNetworkAccessManager *network,
                                           ConnectionSettings *settings, QString *error) const;

    const QCommandLineOption profile;
    const QCommandLineOption server;
    const QCommandLineOption tokenEnv;
    const QCommandLineOption caCert;
    const QCommandLineOption clientId;
    const QCommandLineOption key;
    const QCommandLineOption keyId;
    const QCommandLineOption scope;
    const QCommandLineOption tokenUrl;
    const QCommandLineOption clientSecretEnv;

private:
    // --profile NAME: the saved profile's server and auth, its secret from the keychain.
    bool readProfile(const QString &name, ConnectionSettings *settings, QString *error) const;
    ServerOption m_serverOption;
};

} // namespace cohort::cli
