#include "FhirClient.h"

#include "AppInfo.h"
#include "CurlStream.h"
#include "FhirClient_p.h"
#include "TokenProvider.h"

#include <QJsonDocument>
#include <QNetworkProxy>
#include <QNetworkRequest>
#include <QRegularExpression>
#include <QSslConfiguration>
#include <QSslError>

// Debug lines (one per HTTP request) are off unless asked for:
// QT_LOGGING_RULES=cohort.fhir.debug=true.
Q_LOGGING_CATEGORY(lcFhir, "cohort.fhir", QtInfoMsg)

namespace cohort::fhir {

using namespace Qt::StringLiterals;

namespace detail {

QUrl withoutQuery(const QUrl &url)
{
    return url.adjusted(QUrl::RemoveQuery | QUrl::RemoveFragment | QUrl::RemoveUserInfo);
}

bool isSuccess(int status)
{
    return status >= 200 && status < 300;
}

bool isRedirect(int status)
{
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

QString secondsText(int ms)
{
    if (ms % 1000 == 0)
        return ms == 1000 ? FhirClient::tr("1 second")
                          : FhirClient::tr("%1 seconds").arg(ms / 1000);
    return FhirClient::tr("%1 seconds").arg(QString::number(ms / 1000.0, 'g', 3));
}

StreamBase::StreamBase(RequestContext context, const QUrl &url, RequestOptions options,
                       QObject *parent)
    : FhirStream(parent)
    , m_context(std::move(context))
    , m_options(std::move(options))
    , m_originalUrl(url)
    , m_url(url)
    , m_method(m_options.method.isEmpty() ? QByteArrayLiteral("GET") : m_options.method)
    , m_body(m_options.body)
{
    const bool sameAsBase = FhirClient::sameOrigin(url, m_context.baseUrl);
    m_authAllowed = m_options.auth == AuthMode::Always ||
                    (m_options.auth == AuthMode::BaseOrigin && sameAsBase);
    // Queued, so the caller connects its slots before anything can be emitted.
    QMetaObject::invokeMethod(this, &StreamBase::begin, Qt::QueuedConnection);
}

QByteArray StreamBase::header(QByteArrayView name) const
{
    for (const auto &[n, v] : m_headers) {
        if (n.compare(name, Qt::CaseInsensitive) == 0)
            return v;
    }
    return {};
}

void StreamBase::abort()
{
    if (m_done || m_aborted)
        return;
    m_aborted = true;
    if (hopActive())
        logHop(-1);
    dropHop();
    // Asynchronous, so a caller inside one of our signals is not re-entered.
    QMetaObject::invokeMethod(
        this,
        [this] {
            FhirError error;
            error.kind = FhirError::Kind::Cancelled;
            error.url = withoutQuery(m_url);
            finish(error);
        },
        Qt::QueuedConnection);
}

void StreamBase::begin()
{
    if (m_aborted || m_done)
        return;
    acquireToken();
}

void StreamBase::acquireToken()
{
    m_token.clear();
    if (!m_authAllowed || !m_context.provider) {
        sendHop();
        return;
    }
    // A provider destroyed while fetching never answers: do not wait for it forever.
    m_providerGone = connect(m_context.provider, &QObject::destroyed, this, [this] {
        if (m_aborted || m_done)
            return;
        FhirError error;
        error.kind = FhirError::Kind::Auth;
        error.detail = FhirClient::tr("The access token source was closed.");
        error.url = withoutQuery(m_url);
        finish(error);
    });
    m_context.provider->token(this, [this](const QString &token, const FhirError &error) {
        disconnect(m_providerGone);
        if (m_aborted || m_done)
            return;
        if (error.isError()) {
            FhirError e = error;
            if (e.url.isEmpty())
                e.url = withoutQuery(m_url);
            finish(e);
            return;
        }
        m_token = token;
        sendHop();
    });
}

int StreamBase::timeoutMs() const
{
    return m_options.timeoutMs > 0 ? m_options.timeoutMs : m_context.timeoutMs;
}

HeaderList StreamBase::hopHeaders()
{
    HeaderList headers;
    auto set = [&headers](const QByteArray &name, const QByteArray &value) {
        for (auto &header : headers) {
            if (header.first.compare(name, Qt::CaseInsensitive) == 0) {
                header = {name, value};
                return;
            }
        }
        headers.append({name, value});
    };
    if (!m_options.accept.isEmpty())
        set("Accept", m_options.accept);
    set("User-Agent", userAgent().toUtf8());
    // Credentials only ever go to the origin the caller addressed.
    const bool originalOrigin = FhirClient::sameOrigin(m_url, m_originalUrl);
    m_hopCarriesToken = originalOrigin && !m_token.isEmpty();
    if (m_hopCarriesToken)
        set("Authorization", "Bearer " + m_token.toUtf8());
    if (!m_body.isEmpty()) {
        set("Content-Type", m_options.contentType.isEmpty()
                                ? QByteArrayLiteral("application/fhir+json")
                                : m_options.contentType);
    }
    for (const auto &[name, value] : std::as_const(m_options.headers)) {
        if (!originalOrigin && name.compare("Authorization", Qt::CaseInsensitive) == 0)
            continue;
        set(name, value);
    }
    m_hopTimer.start();
    return headers;
}

void StreamBase::handleResponseHead(int status,
                                    const QList<QNetworkReply::RawHeaderPair> &headers)
{
    QByteArray location;
    bool hasLocation = false;
    for (const auto &[name, value] : headers) {
        if (name.compare("Location", Qt::CaseInsensitive) == 0) {
            location = value;
            hasLocation = true;
            break;
        }
    }
    if (isRedirect(status) && hasLocation) {
        followRedirect(status, location);
        return;
    }
    if (status == 401 && m_hopCarriesToken && !m_retried401 && m_context.provider &&
        m_context.provider->canRenew()) {
        m_retried401 = true;
        logHop(status);
        releaseHop();
        m_context.provider->reject(m_token);
        // The original request again, from the start: its redirects may depend on the token.
        m_url = m_originalUrl;
        m_method = m_options.method.isEmpty() ? QByteArrayLiteral("GET") : m_options.method;
        m_body = m_options.body;
        m_redirects = 0;
        acquireToken();
        return;
    }

    m_final = true;
    m_status = status;
    m_headers = headers;
    emit responseStarted();
}

void StreamBase::followRedirect(int status, const QByteArray &location)
{
    const QUrl next = m_url.resolved(QUrl::fromEncoded(location.trimmed(), QUrl::TolerantMode));
    FhirError error;
    error.url = withoutQuery(m_url);
    error.kind = FhirError::Kind::Network;
    if (m_redirects >= m_options.maxRedirects) {
        error.networkError = QNetworkReply::TooManyRedirectsError;
        error.detail = FhirClient::tr("More than %1 redirects.").arg(m_options.maxRedirects);
    } else if (!next.isValid() || (next.scheme() != "http"_L1 && next.scheme() != "https"_L1)) {
        error.networkError = QNetworkReply::InsecureRedirectError;
        error.detail = FhirClient::tr("The redirect target is not an HTTP address.");
    } else if (m_url.scheme() == "https"_L1 && next.scheme() == "http"_L1) {
        error.networkError = QNetworkReply::InsecureRedirectError;
        error.detail = FhirClient::tr("The redirect leads from HTTPS to unencrypted HTTP.");
    } else {
        error.kind = FhirError::Kind::None;
    }
    logHop(status);
    releaseHop();
    if (error.isError()) {
        finish(error);
        return;
    }
    ++m_redirects;
    if (status == 303 || ((status == 301 || status == 302) && m_method == "POST")) {
        // As browsers do: the answer is fetched with GET and the body is not sent again.
        if (m_method != "HEAD")
            m_method = "GET";
        m_body.clear();
    }
    m_url = next;
    sendHop();
}

QString StreamBase::truncation(qint64 received) const
{
    if (!m_final || !isSuccess(m_status) || m_method == "HEAD")
        return {};
    bool ok = false;
    const qint64 expected = header("Content-Length").trimmed().toLongLong(&ok);
    if (!ok || expected < 0 || received >= expected)
        return {};
    return FhirClient::tr("The connection closed after %1 of %2 bytes.")
        .arg(received)
        .arg(expected);
}

void StreamBase::logHop(int status)
{
    const QString outcome = status > 0    ? QString::number(status)
                            : status == 0 ? u"error"_s
                                          : u"cancelled"_s;
    qCDebug(lcFhir).noquote() << redactSecrets(u"%1 %2 -> %3 (%4 ms)"_s.arg(
        QString::fromLatin1(m_method), withoutQuery(m_url).toString(), outcome,
        QString::number(m_hopTimer.elapsed())));
}

void StreamBase::finish(const FhirError &error)
{
    if (m_done)
        return;
    m_done = true;
    // A slot may delete our owner, and us with it (ServerSession replaces its client): only a
    // stream that still exists can schedule its own deletion.
    const QPointer<StreamBase> self(this);
    emit finished(error);
    if (self)
        deleteLater();
}

} // namespace detail

using namespace detail;

namespace {

constexpr qint64 kReadBufferBytes = 4 * 1024 * 1024;

// Qt's transport-level errors (below 200) as opposed to its names for HTTP statuses.
bool isTransportError(QNetworkReply::NetworkError error)
{
    return error != QNetworkReply::NoError && int(error) < 200;
}

bool isTlsError(QNetworkReply::NetworkError error)
{
    return error == QNetworkReply::SslHandshakeFailedError;
}

// FhirClient::stream() without a choice: COHORT_HTTP_TRANSPORT=qt or curl chooses; by default
// libcurl, except on macOS: an OpenSSL libcurl never sees the Keychain's trust settings (where
// the roots of a hospital's TLS inspection live), while Qt's Secure Transport backend does.
StreamTransport transportFromEnvironment()
{
#ifdef Q_OS_DARWIN
    constexpr StreamTransport fallback = StreamTransport::Qt;
#else
    constexpr StreamTransport fallback = StreamTransport::Curl;
#endif
    const QString chosen = qEnvironmentVariable("COHORT_HTTP_TRANSPORT").trimmed().toLower();
    if (chosen == "qt"_L1)
        return StreamTransport::Qt;
    if (chosen == "curl"_L1)
        return StreamTransport::Curl;
    if (!chosen.isEmpty())
        qCWarning(lcFhir) << "COHORT_HTTP_TRANSPORT" << chosen << "is neither curl nor qt";
    return fallback;
}

} // namespace

// The Qt transport: each hop a QNetworkReply. FhirCallImpl builds on it to buffer small
// bodies.
class FhirStreamImpl : public StreamBase
{
public:
    FhirStreamImpl(RequestContext context, const QUrl &url, RequestOptions options, QObject *parent)
        : StreamBase(std::move(context), url, std::move(options), parent)
    {
        for (const auto &[name, value] : std::as_const(m_options.headers)) {
            if (name.compare("Accept-Encoding", Qt::CaseInsensitive) == 0)
                m_callerSetEncoding = true;
        }
    }

    ~FhirStreamImpl() override { dropReply(); }

    qint64 bytesAvailable() const override
    {
        return m_reply && deliversBody() ? m_reply->bytesAvailable() : 0;
    }
    qint64 read(char *data, qint64 maxSize) override
    {
        if (!m_reply || !deliversBody())
            return 0;
        const qint64 n = m_reply->read(data, maxSize);
        if (n > 0)
            m_bytesRead += n;
        return qMax<qint64>(n, 0);
    }

    // For FhirCallImpl.
    QByteArray takeAll()
    {
        if (!m_reply || !deliversBody())
            return {};
        QByteArray data = m_reply->readAll();
        m_bytesRead += data.size();
        return data;
    }

protected:
    bool hopActive() const override { return m_reply; }
    void dropHop() override { dropReply(); }
    void releaseHop() override { releaseReply(); }

    void sendHop() override
    {
        if (!m_context.network) {
            FhirError error;
            error.kind = FhirError::Kind::Network;
            error.networkError = QNetworkReply::UnknownNetworkError;
            error.detail = FhirClient::tr("The network access was shut down.");
            error.url = withoutQuery(m_url);
            finish(error);
            return;
        }
        QNetworkRequest request(m_url);
        request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                             QNetworkRequest::ManualRedirectPolicy);
        request.setTransferTimeout(timeoutMs());
        for (const auto &[name, value] : hopHeaders())
            request.setRawHeader(name, value);
        if (m_url.scheme() == "https"_L1 && !m_context.caCertificates.isEmpty()) {
            QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
            tls.addCaCertificates(m_context.caCertificates);
            request.setSslConfiguration(tls);
        }

        // Qt's own verbs where it has them: it treats them as idempotent or not accordingly.
        QNetworkAccessManager *network = m_context.network;
        if (m_method == "GET" && m_body.isEmpty())
            m_reply = network->get(request);
        else if (m_method == "HEAD" && m_body.isEmpty())
            m_reply = network->head(request);
        else if (m_method == "DELETE" && m_body.isEmpty())
            m_reply = network->deleteResource(request);
        else if (m_method == "POST")
            m_reply = network->post(request, m_body);
        else if (m_method == "PUT")
            m_reply = network->put(request, m_body);
        else if (m_body.isEmpty())
            m_reply = network->sendCustomRequest(request, m_method);
        else
            m_reply = network->sendCustomRequest(request, m_method, m_body);
        m_reply->setReadBufferSize(kReadBufferBytes);
        m_headersSeen = false;
        m_sslErrors.clear();
        QNetworkReply *reply = m_reply;
        connect(reply, &QNetworkReply::metaDataChanged, this, &FhirStreamImpl::onHeaders);
        connect(reply, &QNetworkReply::readyRead, this, &FhirStreamImpl::onReadyRead);
        connect(reply, &QNetworkReply::finished, this, &FhirStreamImpl::onFinished);
        connect(reply, &QNetworkReply::sslErrors, this, [this](const QList<QSslError> &errors) {
            for (const QSslError &e : errors) {
                const QSslCertificate cert = e.certificate();
                QString text = e.errorString();
                if (!cert.isNull()) {
                    text += FhirClient::tr(" (certificate %1, issuer %2)")
                                .arg(cert.subjectDisplayName(), cert.issuerDisplayName());
                }
                if (!m_sslErrors.contains(text))
                    m_sslErrors.append(text);
            }
        });
        connect(reply, &QNetworkReply::downloadProgress, this,
                [this](qint64 received, qint64 total) {
                    if (m_final)
                        emit downloadProgress(received, total);
                });
        connect(reply, &QObject::destroyed, this, [this] {
            if (m_done || m_aborted)
                return;
            FhirError error;
            error.kind = FhirError::Kind::Network;
            error.networkError = QNetworkReply::OperationCanceledError;
            error.detail = FhirClient::tr("The network access was shut down.");
            error.url = withoutQuery(m_url);
            finish(error);
        });
    }

private:
    void dropReply()
    {
        if (!m_reply)
            return;
        QNetworkReply *reply = m_reply;
        m_reply = nullptr;
        reply->disconnect(this);
        reply->abort();
        reply->deleteLater();
    }

    // Let a response we will not use end by itself, its body dropped unread. Aborting it while
    // Qt still has its status to report makes Qt warn ("must only be called once"); the
    // transfer timeout still applies.
    void releaseReply()
    {
        QNetworkReply *reply = m_reply;
        m_reply = nullptr;
        reply->disconnect(this);
        if (reply->isFinished()) {
            reply->deleteLater();
            return;
        }
        connect(reply, &QNetworkReply::readyRead, reply,
                [reply] { reply->skip(reply->bytesAvailable()); });
        connect(reply, &QNetworkReply::finished, reply, &QObject::deleteLater);
    }

    void onHeaders()
    {
        if (!m_reply || m_headersSeen)
            return;
        const int status = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (status <= 0)
            return;
        m_headersSeen = true;
        handleResponseHead(status, m_reply->rawHeaderPairs());
    }

    void onReadyRead()
    {
        if (!m_headersSeen)
            onHeaders();
        if (!m_reply || !m_final)
            return;
        if (isSuccess(m_status)) {
            emit readyRead();
            return;
        }
        // An error page: keep enough of it to explain, never more.
        m_errorBody += m_reply->read(kErrorBodyBytes - m_errorBody.size());
        if (m_errorBody.size() >= kErrorBodyBytes) {
            logHop(m_status);
            releaseReply();
            finish(FhirError::fromHttpResponse(m_status, m_errorBody, m_url));
        }
    }

    void onFinished()
    {
        if (!m_headersSeen)
            onHeaders();
        QNetworkReply *reply = m_reply;
        if (!reply || m_done || !m_reply->isFinished())
            return; // a redirect or retry took over, or an earlier signal finished us
        const QNetworkReply::NetworkError networkError = reply->error();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        logHop(status);

        FhirError error;
        error.url = withoutQuery(m_url);
        if (m_final && !isSuccess(m_status)) {
            m_errorBody += reply->read(kErrorBodyBytes - m_errorBody.size());
            error = FhirError::fromHttpResponse(m_status, m_errorBody, m_url);
        } else if (networkError == QNetworkReply::OperationCanceledError) {
            // We drop replies before aborting them, so this is the transfer timeout.
            error.kind = FhirError::Kind::Timeout;
            error.networkError = networkError;
            error.detail = FhirClient::tr("No data arrived for %1.").arg(secondsText(timeoutMs()));
        } else if (!m_sslErrors.isEmpty() || isTlsError(networkError)) {
            error.kind = FhirError::Kind::Tls;
            error.networkError = networkError;
            error.detail =
                m_sslErrors.isEmpty() ? cleanErrorString(reply) : m_sslErrors.join("; "_L1);
        } else if (isTransportError(networkError) || !m_final) {
            error.kind = FhirError::Kind::Network;
            error.networkError = networkError == QNetworkReply::NoError
                                     ? QNetworkReply::ProtocolFailure
                                     : networkError;
            const QString truncated = qtTruncation();
            error.detail = !truncated.isEmpty() ? truncated : cleanErrorString(reply);
        } else if (const QString truncated = qtTruncation(); !truncated.isEmpty()) {
            // Qt 6.4 can report a connection closed mid-body as success.
            error.kind = FhirError::Kind::Network;
            error.networkError = QNetworkReply::RemoteHostClosedError;
            error.detail = truncated;
        }
        finish(error);
    }

    QString qtTruncation() const
    {
        if (!m_reply)
            return {};
        // Qt inflates transparently unless the caller asked for an encoding itself; then the
        // byte count no longer matches Content-Length.
        const QByteArray encoding = header("Content-Encoding").trimmed().toLower();
        if (!m_callerSetEncoding && !encoding.isEmpty() && encoding != "identity")
            return {};
        return truncation(m_bytesRead + m_reply->bytesAvailable());
    }

    // Qt's errorString can quote the URL, query (capability tokens) included.
    QString cleanErrorString(const QNetworkReply *reply) const
    {
        QString text = reply->errorString();
        text.replace(m_url.toString(), withoutQuery(m_url).toString());
        text.replace(m_url.toString(QUrl::FullyEncoded), withoutQuery(m_url).toString());
        return redactSecrets(text);
    }

    bool m_callerSetEncoding = false;
    QPointer<QNetworkReply> m_reply;
    bool m_headersSeen = false;
    QStringList m_sslErrors;
};

// A FhirStream whose body is collected whole: JSON answers of a few kilobytes to megabytes.
class FhirCallImpl : public FhirCall
{
public:
    FhirCallImpl(RequestContext context, const QUrl &url, RequestOptions options, QObject *parent)
        : FhirCall(parent)
        , m_stream(new FhirStreamImpl(std::move(context), url, std::move(options), this))
    {
        connect(m_stream, &FhirStream::readyRead, this, [this] { m_body += m_stream->takeAll(); });
        connect(m_stream, &FhirStream::finished, this, [this](const FhirError &error) {
            FhirResponse response;
            response.status = m_stream->status();
            response.headers = m_stream->headers();
            response.url = m_stream->url();
            response.error = error;
            m_body += m_stream->takeAll();
            response.body = isSuccess(response.status) ? m_body : m_stream->errorBody();
            m_stream = nullptr;
            const QPointer<FhirCallImpl> self(this);
            emit finished(response);
            if (self) // a slot may have deleted the client, and this call with it
                deleteLater();
        });
    }

    void abort() override
    {
        if (m_stream)
            m_stream->abort();
    }

private:
    QPointer<FhirStreamImpl> m_stream;
    QByteArray m_body;
};

struct FhirClient::Private
{
    QPointer<QNetworkAccessManager> network; // given; shared with clients of other profiles
    // Qt keeps a connection per scheme, host and port, whatever TLS configuration opened it, and
    // lends it to any request of the same manager: a client trusting its own CAs must not
    // share one with clients that do not. So it gets a manager of its own (a child of the
    // given one, which it cannot outlive).
    QPointer<QNetworkAccessManager> ownNetwork;
    QUrl baseUrl;
    QPointer<TokenProvider> provider;
    QList<QSslCertificate> caCertificates;
    int timeoutMs = kDefaultTimeoutMs;
    StreamTransport transport = transportFromEnvironment();
    // Started with the first curl stream; each stream holds it too, so it outlives the client
    // until the last of them is gone. Never shared: its kept connections (in its own multi
    // handle) serve this client's TLS settings only.
    std::shared_ptr<CurlWorker> curl;

    RequestContext context() const
    {
        return {ownNetwork ? ownNetwork : network, baseUrl, provider, caCertificates, timeoutMs};
    }
};

QByteArray FhirResponse::header(QByteArrayView name) const
{
    for (const auto &[n, v] : headers) {
        if (n.compare(name, Qt::CaseInsensitive) == 0)
            return v;
    }
    return {};
}

QJsonObject FhirResponse::json() const
{
    return QJsonDocument::fromJson(body).object();
}

FhirClient::FhirClient(QNetworkAccessManager *network, const QUrl &baseUrl, QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Private>())
{
    d->network = network;
    d->baseUrl = baseUrl;
}

FhirClient::~FhirClient()
{
    // Later: this may run in a slot of one of its replies (a finished call deleting the client).
    if (d->ownNetwork)
        d->ownNetwork->deleteLater();
}

QUrl FhirClient::baseUrl() const
{
    return d->baseUrl;
}

QUrl FhirClient::resolve(const QString &relativeOrAbsolute) const
{
    const QUrl given(relativeOrAbsolute, QUrl::TolerantMode);
    if (!given.scheme().isEmpty() && given.isValid())
        return given;
    // Joined as text: QUrl::resolved() would drop the base's last path segment ("fhir").
    QString base = withoutQuery(d->baseUrl).toString(QUrl::FullyEncoded);
    while (base.endsWith(u'/'))
        base.chop(1);
    qsizetype start = 0;
    while (start < relativeOrAbsolute.size() && relativeOrAbsolute.at(start) == u'/')
        ++start;
    return QUrl(base + u'/' + QStringView(relativeOrAbsolute).mid(start).toString(),
                QUrl::TolerantMode);
}

void FhirClient::setTokenProvider(TokenProvider *provider)
{
    d->provider = provider;
}

TokenProvider *FhirClient::tokenProvider() const
{
    return d->provider;
}

bool FhirClient::addTrustedCaCertificates(const QByteArray &pem, QString *error)
{
    const QList<QSslCertificate> certificates = QSslCertificate::fromData(pem, QSsl::Pem);
    QList<QSslCertificate> valid;
    for (const QSslCertificate &certificate : certificates) {
        if (!certificate.isNull())
            valid.append(certificate);
    }
    if (valid.isEmpty()) {
        if (error)
            *error = tr("The file holds no PEM certificate (\"-----BEGIN CERTIFICATE-----\").");
        return false;
    }
    for (const QSslCertificate &certificate : std::as_const(valid)) {
        if (!d->caCertificates.contains(certificate))
            d->caCertificates.append(certificate);
    }
    if (!d->ownNetwork && d->network) {
        d->ownNetwork = new QNetworkAccessManager(d->network);
        d->ownNetwork->setProxy(d->network->proxy());
    } else if (d->ownNetwork) {
        // Its connections were opened with the CAs before: not the configuration from now on.
        d->ownNetwork->clearConnectionCache();
    }
    return true;
}

void FhirClient::setDefaultTimeout(int ms)
{
    d->timeoutMs = ms > 0 ? ms : kDefaultTimeoutMs;
}

int FhirClient::defaultTimeout() const
{
    return d->timeoutMs;
}

QNetworkAccessManager *FhirClient::network() const
{
    return d->network;
}

FhirCall *FhirClient::send(const QUrl &url, const RequestOptions &options)
{
    return new FhirCallImpl(d->context(), url, options, this);
}

FhirCall *FhirClient::get(const QString &relativeOrAbsolute, const RequestOptions &options)
{
    return send(resolve(relativeOrAbsolute), options);
}

FhirStream *FhirClient::stream(const QUrl &url, const RequestOptions &options)
{
    if (d->transport == StreamTransport::Curl && !d->curl) {
        d->curl = std::make_shared<CurlWorker>();
        if (!d->curl->isValid())
            qCWarning(lcFhir) << "libcurl could not be initialised; downloading with Qt";
    }
    if (d->transport == StreamTransport::Qt || !d->curl->isValid())
        return new FhirStreamImpl(d->context(), url, options, this);
    return createCurlStream(d->context(), d->curl, url, options, this);
}

void FhirClient::setStreamTransport(StreamTransport transport)
{
    d->transport = transport;
}

StreamTransport FhirClient::streamTransport() const
{
    return d->transport;
}

bool FhirClient::sameOrigin(const QUrl &a, const QUrl &b)
{
    auto defaultPort = [](const QUrl &u) {
        const QString scheme = u.scheme().toLower();
        return scheme == "https"_L1 ? 443 : scheme == "http"_L1 ? 80 : -1;
    };
    return a.scheme().compare(b.scheme(), Qt::CaseInsensitive) == 0 &&
           a.host().compare(b.host(), Qt::CaseInsensitive) == 0 && !a.host().isEmpty() &&
           a.port(defaultPort(a)) == b.port(defaultPort(b));
}

QString redactSecrets(QString text)
{
    static const QString redacted = u"[redacted]"_s;
    // Order matters: named values first, so their whole value goes, then anything left that
    // looks like a bearer token or a JWT.
    static const QRegularExpression named(
        u"(\"?\\b(?:access_token|refresh_token|id_token|client_secret|client_assertion|"
        "assertion|password)\"?\\s*[:=]\\s*\"?)([^\"&\\s,;}]+)"_s,
        QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression bearer(u"(\\bBearer\\s+)([A-Za-z0-9\\-._~+/]{8,}=*)"_s,
                                           QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression basic(
        u"(\\bAuthorization\\s*:\\s*Basic\\s+)([A-Za-z0-9+/]+=*)"_s,
        QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression jwt(
        u"\\beyJ[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]*"_s);
    text.replace(named, u"\\1"_s + redacted);
    text.replace(bearer, u"\\1"_s + redacted);
    text.replace(basic, u"\\1"_s + redacted);
    text.replace(jwt, redacted);
    return text;
}

} // namespace cohort::fhir
