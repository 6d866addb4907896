#include "CachingTokenProvider.h"

#include "SmartDiscovery.h"
#include "fhir/FhirClient.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcTokens, "cohort.auth", QtInfoMsg)

namespace cohort::auth {

using namespace Qt::StringLiterals;
using fhir::FhirError;
using fhir::FhirResponse;

namespace {

constexpr qint64 kDefaultLifetimeSeconds = 300; // when the answer has no expires_in
constexpr qint64 kMinimumMarginSeconds = 30;

QByteArray formEncode(const CachingTokenProvider::FormFields &fields)
{
    QByteArray body;
    for (const auto &[name, value] : fields) {
        if (!body.isEmpty())
            body += '&';
        body += QUrl::toPercentEncoding(name) + '=' + QUrl::toPercentEncoding(value);
    }
    return body;
}

// "text." → "text", so that a server's sentence can be followed by ours.
QString clause(QString text)
{
    text = text.simplified();
    while (text.endsWith(u'.'))
        text.chop(1);
    return text;
}

QString displayUrl(const QUrl &url)
{
    return url.toString(QUrl::RemoveQuery | QUrl::RemoveFragment | QUrl::RemoveUserInfo);
}

FhirError authError(const QString &detail, const QUrl &url)
{
    FhirError error;
    error.kind = FhirError::Kind::Auth;
    error.detail = fhir::redactSecrets(detail);
    error.url = url.adjusted(QUrl::RemoveQuery | QUrl::RemoveFragment | QUrl::RemoveUserInfo);
    return error;
}

} // namespace

CachingTokenProvider::CachingTokenProvider(fhir::FhirClient *client, QString scope, QUrl tokenUrl,
                                           QObject *parent)
    : fhir::TokenProvider(parent)
    , m_client(client)
    , m_scope(scope.simplified())
    , m_tokenUrl(std::move(tokenUrl))
{
}

CachingTokenProvider::~CachingTokenProvider()
{
    if (m_call) {
        m_call->disconnect(this);
        m_call->abort();
    }
}

void CachingTokenProvider::token(QObject *context, Callback done)
{
    if (!m_token.isEmpty() && nowSecs() < m_renewAt) {
        done(m_token, {});
        return;
    }
    m_waiting.append({QPointer<QObject>(context), context != nullptr, std::move(done)});
    if (!m_fetching)
        fetch();
}

void CachingTokenProvider::reject(const QString &token)
{
    // Only the token in hand: a 401 for an older one says nothing about the current one.
    if (!token.isEmpty() && token == m_token) {
        qCInfo(lcTokens) << "the server refused the access token; a new one will be requested";
        m_token.clear();
        m_expiresAt = m_renewAt = 0;
    }
}

QUrl CachingTokenProvider::tokenUrl() const
{
    return m_tokenUrl;
}

QString CachingTokenProvider::requestedScope() const
{
    return m_scope;
}

QString CachingTokenProvider::grantedScope() const
{
    return m_grantedScope;
}

int CachingTokenProvider::tokenRequests() const
{
    return m_requests;
}

qint64 CachingTokenProvider::renewalMargin(qint64 lifetimeSeconds)
{
    const qint64 margin = qMax(kMinimumMarginSeconds, lifetimeSeconds / 10);
    return qMin(margin, lifetimeSeconds / 2);
}

qint64 CachingTokenProvider::lifetimeOf(const QJsonValue &expiresIn)
{
    constexpr qint64 kMaxLifetimeSeconds = 366 * 24 * 3600;
    double seconds = 0; // a double first: 1e300 must not reach a qint64 conversion
    if (expiresIn.isDouble())
        seconds = expiresIn.toDouble();
    else if (expiresIn.isString()) // some servers send "3600"
        seconds = expiresIn.toString().trimmed().toDouble();
    if (!(seconds >= 1)) // also NaN
        return kDefaultLifetimeSeconds;
    return seconds >= double(kMaxLifetimeSeconds) ? kMaxLifetimeSeconds : qint64(seconds);
}

void CachingTokenProvider::checkConfiguration(const SmartConfiguration &configuration)
{
    Q_UNUSED(configuration)
}

fhir::FhirClient *CachingTokenProvider::client() const
{
    return m_client;
}

void CachingTokenProvider::fetch()
{
    m_fetching = true;
    if (!m_client)
        return deliver({}, authError(tr("The connection to the server was closed."), {}));
    if (!m_tokenUrl.isEmpty())
        return requestToken();
    if (!m_discovery) {
        m_discovery = new SmartDiscovery(m_client, this);
        connect(m_discovery, &SmartDiscovery::finished, this, &CachingTokenProvider::onDiscovered);
    }
    m_discovery->start();
}

void CachingTokenProvider::onDiscovered(const SmartConfiguration &configuration,
                                        const FhirError &error)
{
    if (error.isError())
        return deliver({}, error);
    m_tokenUrl = configuration.tokenEndpoint;
    checkConfiguration(configuration);
    requestToken();
}

void CachingTokenProvider::requestToken()
{
    if (!m_client)
        return deliver({}, authError(tr("The connection to the server was closed."), {}));
    if (m_tokenUrl.scheme() != "https"_L1 && m_client->baseUrl().scheme() == "https"_L1) {
        return deliver({}, authError(tr("The token endpoint %1 is not HTTPS although the server "
                                        "is: the client's credentials are not sent unencrypted.")
                                         .arg(displayUrl(m_tokenUrl)),
                                     m_tokenUrl));
    }
    FormFields form{{u"grant_type"_s, u"client_credentials"_s}};
    if (!m_scope.isEmpty())
        form.append({u"scope"_s, m_scope});
    fhir::RequestOptions options;
    options.method = "POST";
    options.contentType = "application/x-www-form-urlencoded";
    options.accept = "application/json";
    options.auth = fhir::AuthMode::Never;
    const QString problem = authenticate(m_tokenUrl, form, options);
    if (!problem.isEmpty())
        return deliver({}, authError(problem, m_tokenUrl));
    options.body = formEncode(form);

    m_requestedAt = nowSecs();
    ++m_requests;
    qCInfo(lcTokens).noquote() << "requesting an access token from" << displayUrl(m_tokenUrl)
                               << "for scope" << m_scope;
    m_call = m_client->send(m_tokenUrl, options);
    connect(m_call, &fhir::FhirCall::finished, this, &CachingTokenProvider::onResponse);
}

void CachingTokenProvider::onResponse(const FhirResponse &response)
{
    m_call = nullptr;
    if (response.error.isError())
        return deliver({}, errorFor(response));

    const QJsonObject json = response.json();
    const QString accessToken = json.value("access_token"_L1).toString();
    if (accessToken.isEmpty()) {
        return deliver({}, authError(tr("The token endpoint %1 answered without an access_token.")
                                         .arg(displayUrl(m_tokenUrl)),
                                     m_tokenUrl));
    }
    const QString type = json.value("token_type"_L1).toString();
    if (!type.isEmpty() && type.compare("bearer"_L1, Qt::CaseInsensitive) != 0) {
        return deliver({}, authError(tr("The server issued a token of type '%1'; only bearer "
                                        "tokens are supported.")
                                         .arg(type),
                                     m_tokenUrl));
    }
    const qint64 lifetime = lifetimeOf(json.value("expires_in"_L1));
    // The scope may be left out when it is the one asked for (RFC 6749 §5.1).
    const QString granted = json.value("scope"_L1).toString().simplified();
    m_grantedScope = granted.isEmpty() ? m_scope : granted;
    QStringList missing;
    const QStringList grantedList = m_grantedScope.split(u' ', Qt::SkipEmptyParts);
    for (const QString &asked : m_scope.split(u' ', Qt::SkipEmptyParts)) {
        if (!grantedList.contains(asked))
            missing.append(asked);
    }
    if (!missing.isEmpty()) {
        qCWarning(lcTokens).noquote()
            << tr("The server granted the scope \"%1\", narrower than the \"%2\" asked for; "
                  "some resources may be left out or refused.")
                   .arg(m_grantedScope, m_scope);
    }
    // Counted from when the request left, so the server's clock and the way back cannot make
    // the token look younger than it is.
    m_token = accessToken;
    m_expiresAt = m_requestedAt + lifetime;
    m_renewAt = m_expiresAt - renewalMargin(lifetime);
    qCInfo(lcTokens) << "access token received, valid for" << lifetime << "s";
    deliver(m_token, {});
}

FhirError CachingTokenProvider::errorFor(const FhirResponse &response) const
{
    const FhirError &error = response.error;
    if (error.kind != FhirError::Kind::Http) {
        // Network, TLS, timeout: worth trying again later, so their kind stays; the detail
        // says that it was the token endpoint that could not be reached.
        FhirError out = error;
        const QString where =
            tr("while requesting an access token from %1").arg(displayUrl(m_tokenUrl));
        out.detail = error.detail.trimmed().isEmpty()
                         ? where
                         : u"%1 (%2)"_s.arg(clause(error.detail), where);
        return out;
    }
    const QJsonObject json = QJsonDocument::fromJson(response.body).object();
    const QString code = json.value("error"_L1).toString();
    if (error.httpStatus == 429 || error.httpStatus >= 500 || code == "temporarily_unavailable"_L1)
        return error; // the server's trouble, not ours: retryable as any busy server
    if (code.isEmpty()) {
        return authError(tr("The token endpoint %1 refused the request. %2")
                             .arg(displayUrl(m_tokenUrl), error.message()),
                         m_tokenUrl);
    }
    const QString description = json.value("error_description"_L1).toString();
    const QString reason = description.trimmed().isEmpty() ? code : clause(description);
    QString detail;
    if (code == "invalid_client"_L1) {
        detail = tr("The server rejected the client's credentials: %1. %2")
                     .arg(reason, invalidClientAdvice(description));
    } else if (code == "invalid_scope"_L1) {
        detail = tr("The server refused the requested scope \"%1\": %2. Ask only for scopes the "
                    "client is registered for (for bulk export usually system/*.read).")
                     .arg(m_scope, reason);
    } else if (code == "invalid_grant"_L1) {
        detail = tr("The server refused the client's authorization grant: %1. %2")
                     .arg(reason, invalidClientAdvice(description));
    } else if (code == "unauthorized_client"_L1) {
        detail = tr("The client may not use the client_credentials grant: %1. Check that the "
                    "client is registered with the server for backend services.")
                     .arg(reason);
    } else if (code == "unsupported_grant_type"_L1) {
        detail = tr("The server does not offer the client_credentials grant: %1. It may need "
                    "another kind of authorization.")
                     .arg(reason);
    } else if (code == "invalid_request"_L1) {
        detail = tr("The server found the token request malformed: %1. The server may expect "
                    "another kind of client authentication.")
                     .arg(reason);
    } else if (code == "access_denied"_L1) {
        detail = tr("The server denied access: %1.").arg(reason);
    } else {
        detail = tr("The token endpoint refused the request (%1): %2.").arg(code, reason);
    }
    FhirError out = authError(detail, m_tokenUrl);
    out.httpStatus = error.httpStatus;
    return out;
}

void CachingTokenProvider::deliver(const QString &token, const FhirError &error)
{
    QString handed = token;
    FhirError problem = error;
    // A renewal that failed for a passing reason while the token in hand still works: use it.
    if (problem.isError() && problem.kind != FhirError::Kind::Auth && !m_token.isEmpty() &&
        nowSecs() < m_expiresAt) {
        qCWarning(lcTokens).noquote()
            << tr("Renewing the access token failed (%1); the current one is used until it "
                  "expires.")
                   .arg(problem.message());
        handed = m_token;
        problem = {};
    }
    if (problem.isError())
        qCInfo(lcTokens).noquote() << problem.message();
    m_fetching = false;
    // Taken first: a callback may ask again (and start the next request) or delete us.
    const QList<Waiting> waiting = std::exchange(m_waiting, {});
    const QPointer<CachingTokenProvider> self(this);
    for (const Waiting &w : waiting) {
        if (w.hadContext && !w.context)
            continue;
        w.done(handed, problem);
        if (!self)
            return;
    }
}

} // namespace cohort::auth
