#pragma once

#include "auth/Jwk.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QJsonObject>
#include <QString>
#include <QStringView>
#include <QUrl>

#include <optional>

namespace cohort::auth {

// One FHIR server the user exports from, with everything needed to connect except secrets.
// Secrets (bearer token, client secret, private key) live in the keychain under keys derived
// from the profile id (CredentialStore::keyFor), so a profile can be exported and shared.
struct ServerProfile
{
    Q_DECLARE_TR_FUNCTIONS(ServerProfile)

public:
    enum class AuthMethod
    {
        None,
        BearerToken,
        SmartBackend,
        ClientSecret
    };

    static constexpr int kMinParallel = 1;
    static constexpr int kMaxParallel = 32;

    // A fresh stable id: a UUID without braces.
    static QString createId();
    // The id of the built-in demo server profile.
    static QString demoId();

    QString id = createId();
    QString name;
    QUrl baseUrl;
    QString environment; // free label, e.g. "Production" or "Preview"
    AuthMethod auth = AuthMethod::None;
    QString clientId;
    QString scopes = QStringLiteral("system/*.read");
    QString keyId;
    JwtAlgorithm algorithm = JwtAlgorithm::ES384;
    QUrl tokenUrl; // empty: discovered from the server's .well-known/smart-configuration
    QByteArray caCertificatePem; // public material only
    int parallelDownloads = 4;
    QString outputFolder;
    bool builtIn = false; // the demo server profile; never serialized

    // Every field except builtIn; never any secret (there is no secret field to write).
    QJsonObject toJson() const;
    // Validates: id made of [A-Za-z0-9._-] (a missing id gets a fresh one), name non-empty, base
    // URL and token URL http(s), known auth and algorithm names, parallel downloads 1..32, CA
    // certificate PEM that parses. Unknown members (including any secret) are ignored. On
    // failure returns nullopt and sets *error to a sentence for people.
    static std::optional<ServerProfile> fromJson(const QJsonObject &json, QString *error = nullptr);

    bool operator==(const ServerProfile &other) const = default;
};

// "none", "bearer", "smart-backend", "client-secret".
QString authMethodName(ServerProfile::AuthMethod method);
std::optional<ServerProfile::AuthMethod> authMethodFromName(QStringView name);
// For people: "None", "Bearer token", "SMART Backend Services", "Client secret".
QString authMethodDisplayName(ServerProfile::AuthMethod method);

} // namespace cohort::auth
