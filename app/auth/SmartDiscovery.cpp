#include "SmartDiscovery.h"

#include "fhir/CapabilityStatement.h"
#include "fhir/FhirClient.h"

#include <QJsonArray>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcSmartDiscovery, "cohort.auth.discovery", QtInfoMsg)

namespace cohort::auth {

using namespace Qt::StringLiterals;
using fhir::FhirError;
using fhir::FhirResponse;

namespace {

QStringList strings(const QJsonValue &value)
{
    QStringList out;
    for (const QJsonValue &item : value.toArray()) {
        if (item.isString() && !item.toString().isEmpty())
            out.append(item.toString());
    }
    return out;
}

QString withoutQuery(const QUrl &url)
{
    return url.toString(QUrl::RemoveQuery | QUrl::RemoveFragment | QUrl::RemoveUserInfo);
}

bool isHttpUrl(const QUrl &url)
{
    return url.isValid() && !url.host().isEmpty() &&
           (url.scheme() == "http"_L1 || url.scheme() == "https"_L1);
}

// Network, TLS and timeout problems would hit the fallback just the same: report them as they
// are instead of a misleading "no token endpoint".
bool unreachable(const FhirError &error)
{
    return error.isError() && error.kind != FhirError::Kind::Http &&
           error.kind != FhirError::Kind::InvalidResponse;
}

QString answerText(const FhirResponse &response)
{
    return response.error.isError()
               ? response.error.message()
               : SmartDiscovery::tr("The server answered %1.").arg(response.status);
}

} // namespace

std::optional<SmartConfiguration>
SmartConfiguration::fromWellKnown(const QJsonObject &json, const QUrl &documentUrl, QString *why)
{
    auto fail = [why](const QString &text) {
        if (why)
            *why = text;
        return std::nullopt;
    };
    if (json.isEmpty())
        return fail(SmartDiscovery::tr("%1 is not a JSON object.").arg(withoutQuery(documentUrl)));
    const QString endpoint = json.value("token_endpoint"_L1).toString().trimmed();
    if (endpoint.isEmpty())
        return fail(
            SmartDiscovery::tr("%1 names no token_endpoint.").arg(withoutQuery(documentUrl)));
    const QUrl url = documentUrl.resolved(QUrl(endpoint, QUrl::StrictMode));
    if (!isHttpUrl(url))
        return fail(SmartDiscovery::tr("The token_endpoint '%1' in %2 is not an http(s) URL.")
                        .arg(endpoint, withoutQuery(documentUrl)));
    SmartConfiguration configuration;
    configuration.tokenEndpoint = url;
    configuration.authMethods = strings(json.value("token_endpoint_auth_methods_supported"_L1));
    configuration.signingAlgorithms =
        strings(json.value("token_endpoint_auth_signing_alg_values_supported"_L1));
    configuration.source = Source::WellKnown;
    configuration.documentUrl = documentUrl;
    return configuration;
}

SmartDiscovery::SmartDiscovery(fhir::FhirClient *client, QObject *parent)
    : QObject(parent)
    , m_client(client)
{
}

SmartDiscovery::~SmartDiscovery()
{
    abort();
}

QUrl SmartDiscovery::wellKnownUrl(const QUrl &fhirBase)
{
    // Joined as text: QUrl::resolved() would drop the base's last path segment ("fhir"), the
    // mistake that sends other clients to https://host/.well-known/...
    QString base =
        fhirBase.adjusted(QUrl::RemoveQuery | QUrl::RemoveFragment).toString(QUrl::FullyEncoded);
    while (base.endsWith(u'/'))
        base.chop(1);
    return QUrl(base + "/.well-known/smart-configuration"_L1, QUrl::StrictMode);
}

void SmartDiscovery::start()
{
    if (m_call)
        return;
    m_wellKnownProblem.clear();
    if (!m_client) {
        FhirError error;
        error.kind = FhirError::Kind::Cancelled;
        error.detail = tr("The connection to the server was closed.");
        QMetaObject::invokeMethod(
            this, [this, error] { emit finished({}, error); }, Qt::QueuedConnection);
        return;
    }
    fhir::RequestOptions options;
    options.accept = "application/json";
    // Discovery happens before there is a token; it must never ask the provider for one.
    options.auth = fhir::AuthMode::Never;
    const QUrl url = wellKnownUrl(m_client->baseUrl());
    qCDebug(lcSmartDiscovery) << "discovering the token endpoint at" << withoutQuery(url);
    m_call = m_client->send(url, options);
    connect(m_call, &fhir::FhirCall::finished, this, &SmartDiscovery::onWellKnown);
}

void SmartDiscovery::abort()
{
    if (!m_call)
        return;
    fhir::FhirCall *call = m_call;
    m_call = nullptr;
    call->disconnect(this);
    call->abort();
}

bool SmartDiscovery::isRunning() const
{
    return m_call;
}

void SmartDiscovery::onWellKnown(const FhirResponse &response)
{
    m_call = nullptr;
    if (unreachable(response.error))
        return finish({}, response.error);
    const QUrl documentUrl =
        response.url.isEmpty() ? wellKnownUrl(m_client->baseUrl()) : response.url;
    if (!response.error.isError()) {
        QString why;
        if (auto configuration =
                SmartConfiguration::fromWellKnown(response.json(), documentUrl, &why))
            return finish(*configuration, {});
        m_wellKnownProblem = why;
    } else {
        m_wellKnownProblem =
            tr("%1 answered: %2").arg(withoutQuery(documentUrl), answerText(response));
    }
    qCInfo(lcSmartDiscovery).noquote()
        << fhir::redactSecrets(m_wellKnownProblem) << "Trying the CapabilityStatement.";
    if (!m_client) {
        FhirError error;
        error.kind = FhirError::Kind::Cancelled;
        error.detail = tr("The connection to the server was closed.");
        return finish({}, error);
    }
    fhir::RequestOptions options;
    options.auth = fhir::AuthMode::Never;
    m_call = m_client->get(u"metadata"_s, options);
    connect(m_call, &fhir::FhirCall::finished, this, &SmartDiscovery::onMetadata);
}

void SmartDiscovery::onMetadata(const FhirResponse &response)
{
    m_call = nullptr;
    if (unreachable(response.error))
        return finish({}, response.error);

    FhirError notFound;
    notFound.kind = FhirError::Kind::Auth;
    notFound.url = response.url.adjusted(QUrl::RemoveQuery | QUrl::RemoveFragment);
    const QString advice = tr("The server may not require authorization; if it does, enter its "
                              "token URL.");
    const QString metadataUrl = withoutQuery(response.url);
    if (response.error.isError()) {
        notFound.detail = tr("No token endpoint was found. %1 Its CapabilityStatement could not "
                             "be read either: %2 %3")
                              .arg(m_wellKnownProblem, response.error.message(), advice);
        return finish({}, notFound);
    }
    QString why;
    const auto statement = fhir::CapabilityStatement::fromJson(response.json(), &why);
    if (!statement) {
        notFound.detail = tr("No token endpoint was found. %1 %2 is not a CapabilityStatement: "
                             "%3 %4")
                              .arg(m_wellKnownProblem, metadataUrl, why, advice);
        return finish({}, notFound);
    }
    const QUrl endpoint = response.url.resolved(statement->tokenEndpoint);
    if (statement->tokenEndpoint.isEmpty() || !isHttpUrl(endpoint)) {
        notFound.detail = tr("No token endpoint was found. %1 The CapabilityStatement at %2 names "
                             "none (no SMART oauth-uris extension with a token URL). %3")
                              .arg(m_wellKnownProblem, metadataUrl, advice);
        return finish({}, notFound);
    }
    SmartConfiguration configuration;
    configuration.tokenEndpoint = endpoint;
    configuration.source = SmartConfiguration::Source::CapabilityStatement;
    configuration.documentUrl = response.url;
    configuration.wellKnownProblem = m_wellKnownProblem;
    finish(configuration, {});
}

void SmartDiscovery::finish(const SmartConfiguration &result, const FhirError &error)
{
    if (!error.isError()) {
        qCInfo(lcSmartDiscovery).noquote() << "token endpoint" << withoutQuery(result.tokenEndpoint)
                                           << "from" << withoutQuery(result.documentUrl);
    }
    emit finished(result, error);
}

} // namespace cohort::auth
