#pragma once

// Internal to app/fhir: what the two transports of FhirClient::stream() share, so that the
// rules (Authorization only to the original origin, redirects, 401 → one renewal, the final
// response, error texts, redacted logging) are written once, whatever carries the bytes.

#include "FhirClient.h"

#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QPointer>
#include <QSslCertificate>

Q_DECLARE_LOGGING_CATEGORY(lcFhir)

namespace cohort::fhir::detail {

constexpr qsizetype kErrorBodyBytes = 64 * 1024;
constexpr int kDefaultTimeoutMs = 60 * 1000;

QUrl withoutQuery(const QUrl &url);
bool isSuccess(int status);
bool isRedirect(int status);
QString secondsText(int ms); // "1 second", "0.3 seconds"

// The parts of a FhirClient a request needs, copied so a request outlives nothing it uses.
struct RequestContext
{
    QPointer<QNetworkAccessManager> network;
    QUrl baseUrl;
    QPointer<TokenProvider> provider;
    QList<QSslCertificate> caCertificates;
    int timeoutMs = kDefaultTimeoutMs;
};

// One request through its redirect hops and one 401 renewal; a transport sends the hops and
// reports each response's head, body and end. Emits the FhirStream signals.
class StreamBase : public FhirStream
{
public:
    StreamBase(RequestContext context, const QUrl &url, RequestOptions options, QObject *parent);

    int status() const override { return m_final ? m_status : 0; }
    QByteArray header(QByteArrayView name) const override;
    QUrl url() const override { return m_url; }
    void abort() override;

    const QList<QNetworkReply::RawHeaderPair> &headers() const { return m_headers; }
    const QByteArray &errorBody() const { return m_errorBody; }

protected:
    // Sends m_method to m_url with the headers of hopHeaders().
    virtual void sendHop() = 0;
    // Ends the current hop's transfer now; nothing of it is reported any more.
    virtual void dropHop() = 0;
    // The current hop's response is not wanted (a redirect, a 401 sent again, the rest of an
    // error page): stop reporting it; the transport may let it drain to keep the connection.
    virtual void releaseHop() = 0;
    virtual bool hopActive() const = 0;

    bool deliversBody() const { return m_final && isSuccess(m_status); }
    int timeoutMs() const;
    // The headers of the hop to m_url, in order, one per name (later ones replace earlier
    // ones); Authorization only to the original origin. Starts the hop's clock.
    HeaderList hopHeaders();
    // A response head arrived: follows a redirect, retries a 401 with a renewed token, or
    // makes it the final response (responseStarted()).
    void handleResponseHead(int status, const QList<QNetworkReply::RawHeaderPair> &headers);
    // "The connection closed after N of M bytes." when a 2xx body is shorter than its
    // Content-Length; empty otherwise. received: the body bytes that arrived.
    QString truncation(qint64 received) const;
    void logHop(int status); // status 0: error, -1: cancelled
    void finish(const FhirError &error);

    RequestContext m_context;
    RequestOptions m_options;
    QUrl m_originalUrl;
    QUrl m_url; // the current hop, the final URL once m_final
    QByteArray m_method;
    QByteArray m_body;
    bool m_authAllowed = false;
    QString m_token;
    bool m_hopCarriesToken = false;
    bool m_retried401 = false;
    int m_redirects = 0;
    QMetaObject::Connection m_providerGone;
    QElapsedTimer m_hopTimer;

    bool m_final = false;
    int m_status = 0;
    QList<QNetworkReply::RawHeaderPair> m_headers;
    qint64 m_bytesRead = 0;
    QByteArray m_errorBody;
    bool m_aborted = false;
    bool m_done = false;

private:
    void begin();
    void acquireToken();
    void followRedirect(int status, const QByteArray &location);
};

} // namespace cohort::fhir::detail
