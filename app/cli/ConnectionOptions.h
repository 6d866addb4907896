#pragma once

#include <QByteArray>
#include <QCommandLineOption>
#include <QString>
#include <QUrl>

#include <memory>

#include "auth/ClientFactory.h"

class QCommandLineParser;
class QNetworkAccessManager;

namespace cohort::fhir {
class FhirClient;
}

namespace cohort::cli {

using ConnectionSettings = auth::ConnectionSettings;

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
