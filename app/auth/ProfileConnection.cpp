#include "ProfileConnection.h"

#include <QCoreApplication>

namespace cohort::auth {

using namespace Qt::StringLiterals;

std::optional<CredentialStore::Secret> secretFor(ServerProfile::AuthMethod method)
{
    switch (method) {
    case ServerProfile::AuthMethod::BearerToken:
        return CredentialStore::Secret::BearerToken;
    case ServerProfile::AuthMethod::SmartBackend:
        return CredentialStore::Secret::PrivateKey;
    case ServerProfile::AuthMethod::ClientSecret:
        return CredentialStore::Secret::ClientSecret;
    case ServerProfile::AuthMethod::None:
        break;
    }
    return std::nullopt;
}

ConnectionSettings connectionFor(const ServerProfile &profile)
{
    using Auth = ConnectionSettings::Auth;
    ConnectionSettings settings;
    settings.server = profile.baseUrl;
    settings.caCertificatePem = profile.caCertificatePem;
    // For messages; a profile being written in the dialog may have no name yet.
    const auto origin = [&](const char *named, const char *unnamed) {
        return profile.name.isEmpty()
                   ? QCoreApplication::translate("cohort::auth::ProfileConnection", unnamed)
                   : QCoreApplication::translate("cohort::auth::ProfileConnection", named)
                         .arg(profile.name);
    };
    settings.caCertificateOrigin = origin(
        QT_TRANSLATE_NOOP("cohort::auth::ProfileConnection", "The CA certificate of profile “%1”"),
        QT_TRANSLATE_NOOP("cohort::auth::ProfileConnection", "The CA certificate"));
    settings.clientId = profile.clientId;
    settings.scopes = profile.scopes;
    settings.keyId = profile.keyId;
    settings.tokenUrl = profile.tokenUrl;
    settings.privateKeyOrigin = origin(
        QT_TRANSLATE_NOOP("cohort::auth::ProfileConnection", "The private key of profile “%1”"),
        QT_TRANSLATE_NOOP("cohort::auth::ProfileConnection", "The private key"));
    settings.parallelDownloads = profile.parallelDownloads;
    settings.outputFolder = profile.outputFolder;
    switch (profile.auth) {
    case ServerProfile::AuthMethod::None:
        settings.auth = Auth::None;
        break;
    case ServerProfile::AuthMethod::BearerToken:
        settings.auth = Auth::BearerToken;
        break;
    case ServerProfile::AuthMethod::SmartBackend:
        settings.auth = Auth::SmartBackend;
        break;
    case ServerProfile::AuthMethod::ClientSecret:
        settings.auth = Auth::ClientSecret;
        break;
    }
    return settings;
}

QString normalizedBearerToken(QString token)
{
    token = token.trimmed();
    if (token.startsWith("Bearer "_L1, Qt::CaseInsensitive))
        token = token.mid(7).trimmed();
    return token;
}

void putSecret(ConnectionSettings *settings, CredentialStore::Secret which, const QByteArray &value)
{
    switch (which) {
    case CredentialStore::Secret::PrivateKey:
        settings->privateKey = value;
        break;
    case CredentialStore::Secret::ClientSecret:
        settings->clientSecret = QString::fromUtf8(value);
        break;
    case CredentialStore::Secret::BearerToken:
        settings->bearerToken = normalizedBearerToken(QString::fromUtf8(value));
        break;
    }
}

} // namespace cohort::auth
