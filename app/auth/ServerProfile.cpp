#include "ServerProfile.h"

#include <QJsonValue>
#include <QRegularExpression>
#include <QSslCertificate>
#include <QUuid>

#include <cmath>

namespace cohort::auth {

using namespace Qt::StringLiterals;

namespace {

bool isHttpUrl(const QUrl &url)
{
    return url.isValid() && !url.host().isEmpty() &&
           (url.scheme() == "http"_L1 || url.scheme() == "https"_L1);
}

// Ids become parts of settings keys and keychain keys ("profile/<id>/private-key"), so they must
// not contain separators.
bool isValidId(const QString &id)
{
    static const QRegularExpression pattern(u"^[A-Za-z0-9._-]{1,64}\\z"_s);
    return pattern.match(id).hasMatch();
}

} // namespace

QString ServerProfile::createId()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

QString ServerProfile::demoId()
{
    return u"demo"_s;
}

QJsonObject ServerProfile::toJson() const
{
    QJsonObject json{
        {"id"_L1, id},
        {"name"_L1, name},
        {"baseUrl"_L1, baseUrl.toString()},
        {"auth"_L1, authMethodName(auth)},
        {"scopes"_L1, scopes},
        {"algorithm"_L1, algorithmName(algorithm)},
        {"parallelDownloads"_L1, parallelDownloads},
    };
    // Optional members are left out when empty, which keeps exported files short.
    auto optional = [&json](QLatin1StringView key, const QString &value) {
        if (!value.isEmpty())
            json.insert(key, value);
    };
    optional("environment"_L1, environment);
    optional("clientId"_L1, clientId);
    optional("keyId"_L1, keyId);
    optional("tokenUrl"_L1, tokenUrl.toString());
    optional("caCertificatePem"_L1, QString::fromLatin1(caCertificatePem));
    optional("outputFolder"_L1, outputFolder);
    return json;
}

std::optional<ServerProfile> ServerProfile::fromJson(const QJsonObject &json, QString *error)
{
    auto fail = [error](const QString &message) -> std::optional<ServerProfile> {
        if (error)
            *error = message;
        return std::nullopt;
    };
    // Present members must have the right type: a number where text belongs is a broken file,
    // not something to guess about.
    QString badMember;
    auto string = [&](QLatin1StringView key, const QString &fallback = {}) {
        const QJsonValue value = json.value(key);
        if (value.isUndefined() || value.isNull())
            return fallback;
        if (!value.isString() && badMember.isEmpty())
            badMember = key;
        return value.toString();
    };

    ServerProfile p;
    const QString id = string("id"_L1);
    if (!id.isEmpty())
        p.id = id;
    p.name = string("name"_L1).trimmed();
    p.baseUrl = QUrl(string("baseUrl"_L1), QUrl::StrictMode);
    p.environment = string("environment"_L1).trimmed();
    const QString auth = string("auth"_L1, u"none"_s);
    p.clientId = string("clientId"_L1).trimmed();
    p.scopes = string("scopes"_L1, p.scopes).simplified();
    p.keyId = string("keyId"_L1).trimmed();
    const QString algorithm = string("algorithm"_L1, algorithmName(p.algorithm));
    const QString tokenUrl = string("tokenUrl"_L1);
    p.caCertificatePem = string("caCertificatePem"_L1).toLatin1();
    p.outputFolder = string("outputFolder"_L1);
    if (!badMember.isEmpty())
        return fail(tr("The profile member \"%1\" must be text.").arg(badMember));

    if (!isValidId(p.id))
        return fail(tr("The profile id \"%1\" may only contain letters, digits, '.', '_' and '-'.")
                        .arg(p.id));
    if (p.name.isEmpty())
        return fail(tr("The profile needs a name."));
    if (!isHttpUrl(p.baseUrl))
        return fail(
            tr("The server address of \"%1\" must be an http:// or https:// URL.").arg(p.name));
    if (const auto method = authMethodFromName(auth))
        p.auth = *method;
    else
        return fail(tr("The profile \"%1\" names an unknown authentication method \"%2\" "
                       "(expected none, bearer, smart-backend or client-secret).")
                        .arg(p.name, auth));
    if (const auto alg = algorithmFromName(algorithm))
        p.algorithm = *alg;
    else
        return fail(tr("The profile \"%1\" names an unsupported signing algorithm \"%2\" "
                       "(expected ES384 or RS384).")
                        .arg(p.name, algorithm));
    if (!tokenUrl.isEmpty()) {
        p.tokenUrl = QUrl(tokenUrl, QUrl::StrictMode);
        if (!isHttpUrl(p.tokenUrl))
            return fail(
                tr("The token URL of \"%1\" must be an http:// or https:// URL.").arg(p.name));
    }
    if (!p.caCertificatePem.isEmpty() &&
        QSslCertificate::fromData(p.caCertificatePem, QSsl::Pem).isEmpty())
        return fail(tr("The CA certificate of \"%1\" is not a PEM certificate.").arg(p.name));

    const QJsonValue parallel = json.value("parallelDownloads"_L1);
    if (!parallel.isUndefined()) {
        const double n = parallel.toDouble(-1);
        if (!parallel.isDouble() || n < kMinParallel || n > kMaxParallel || n != std::floor(n))
            return fail(tr("The parallel downloads of \"%1\" must be a whole number from %2 to %3.")
                            .arg(p.name)
                            .arg(kMinParallel)
                            .arg(kMaxParallel));
        p.parallelDownloads = int(n);
    }
    return p;
}

QString authMethodName(ServerProfile::AuthMethod method)
{
    switch (method) {
    case ServerProfile::AuthMethod::None:
        return u"none"_s;
    case ServerProfile::AuthMethod::BearerToken:
        return u"bearer"_s;
    case ServerProfile::AuthMethod::SmartBackend:
        return u"smart-backend"_s;
    case ServerProfile::AuthMethod::ClientSecret:
        return u"client-secret"_s;
    }
    return u"none"_s;
}

std::optional<ServerProfile::AuthMethod> authMethodFromName(QStringView name)
{
    for (const auto method :
         {ServerProfile::AuthMethod::None, ServerProfile::AuthMethod::BearerToken,
          ServerProfile::AuthMethod::SmartBackend, ServerProfile::AuthMethod::ClientSecret}) {
        if (name.compare(authMethodName(method), Qt::CaseInsensitive) == 0)
            return method;
    }
    return std::nullopt;
}

QString authMethodDisplayName(ServerProfile::AuthMethod method)
{
    switch (method) {
    case ServerProfile::AuthMethod::None:
        return ServerProfile::tr("None");
    case ServerProfile::AuthMethod::BearerToken:
        return ServerProfile::tr("Bearer token");
    case ServerProfile::AuthMethod::SmartBackend:
        return ServerProfile::tr("SMART Backend Services");
    case ServerProfile::AuthMethod::ClientSecret:
        return ServerProfile::tr("Client secret");
    }
    return ServerProfile::tr("None");
}

} // namespace cohort::auth
