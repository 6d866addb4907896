#pragma once

#include "FhirError.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QNetworkReply>
#include <QObject>
#include <QPair>
#include <QPointer>
#include <QSslCertificate>
#include <QUrl>

class QNetworkAccessManager;

namespace cohort::fhir {

class TokenProvider;

using HeaderList = QList<QPair<QByteArray, QByteArray>>;

enum class AuthMode {
    BaseOrigin, // Authorization only when the URL has the FHIR base's origin (the default)
    Always,     // also to other origins (file URLs of a manifest with requiresAccessToken true)
    Never,      // capability URLs (requiresAccessToken false), token endpoints
};

struct RequestOptions
{
    QByteArray method = "GET";
    QByteArray body;
    QByteArray contentType;                       // set when body is not empty
    QByteArray accept = "application/fhir+json"; // sent exactly as given
    HeaderList headers;                           // extra: Prefer, Range, Accept-Encoding...
    AuthMode auth = AuthMode::BaseOrigin;
    int timeoutMs = -1; // no bytes for this long fails the request; -1: the client default
    int maxRedirects = 5;
};

struct FhirResponse
{
    int status = 0;
    QList<QNetworkReply::RawHeaderPair> headers;
    QByteArray body;
    QUrl url;        // the final URL after redirects
    FhirError error; // kind None for 2xx

    QByteArray header(QByteArrayView name) const; // case-insensitive, first value
    QJsonObject json() const;                     // empty when not a JSON object
};

// A request whose body is small and wanted whole (JSON). Deletes itself after finished().
class FhirCall : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;
    virtual void abort() = 0;

signals:
    void finished(const cohort::fhir::FhirResponse &response);
};

// A request whose body is streamed (NDJSON files, gigabytes): read() it on readyRead(), never
// whole. Redirect hops are followed inside; responseStarted() is emitted for the final response
// only, before its first readyRead(). Deletes itself after finished() returns to the event loop.
class FhirStream : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;
    virtual int status() const = 0;
    virtual QByteArray header(QByteArrayView name) const = 0;
    virtual QUrl url() const = 0;
    virtual qint64 bytesAvailable() const = 0;
    virtual qint64 read(char *data, qint64 maxSize) = 0;
    virtual void abort() = 0;

signals:
    void responseStarted();
    void readyRead();
    void downloadProgress(qint64 received, qint64 total); // raw (possibly compressed) bytes
    // error.kind None: the body arrived completely (Content-Length checked when given, as Qt
    // 6.4 can report a connection closed mid-body as success). Any non-2xx final status is
    // an Http error (the body excerpt/OperationOutcome filled in).
    void finished(const cohort::fhir::FhirError &error);
};

// What carries FhirClient::stream() bodies: libcurl in a worker thread (the default: Qt 6.4's
// HTTP stack costs about twice its CPU per byte over TLS) or QNetworkAccessManager (the default
// on macOS, where only it sees the Keychain's trust settings).
// COHORT_HTTP_TRANSPORT=qt or curl in the environment chooses. Both honour the same
// contract; FhirClient::send() (small JSON answers) always uses Qt.
enum class StreamTransport { Curl, Qt };

// The one network path: base URL joining, Accept/User-Agent/Authorization headers, redirects
// (Authorization never crosses to another origin), timeouts, a private CA, 401 → one token
// renewal and retry, error mapping and redacted logging (category "cohort.fhir").
class FhirClient : public QObject
{
    Q_OBJECT
public:
    FhirClient(QNetworkAccessManager *network, const QUrl &baseUrl, QObject *parent = nullptr);
    ~FhirClient() override;

    QUrl baseUrl() const;
    // "Group/x/$export" or "/Group/x/$export" → base + "/Group/x/$export" (the base path is kept;
    // '$' is not encoded); absolute URLs are returned unchanged.
    QUrl resolve(const QString &relativeOrAbsolute) const;

    void setTokenProvider(TokenProvider *provider); // not owned; nullptr: no Authorization
    TokenProvider *tokenProvider() const;
    // Trust these CA certificates (PEM, one or more) in addition to the system's. From then on
    // the client's requests go through a QNetworkAccessManager of its own (a child of the one
    // given), so that no connection verified with them serves another client, nor one of
    // another client serves it. (Streams through curl have a connection pool per client.)
    bool addTrustedCaCertificates(const QByteArray &pem, QString *error = nullptr);
    void setDefaultTimeout(int ms); // default 60 s
    int defaultTimeout() const;
    QNetworkAccessManager *network() const; // the one given

    FhirCall *send(const QUrl &url, const RequestOptions &options = {});
    FhirCall *get(const QString &relativeOrAbsolute, const RequestOptions &options = {});
    FhirStream *stream(const QUrl &url, const RequestOptions &options = {});
    void setStreamTransport(StreamTransport transport); // for the streams created after
    StreamTransport streamTransport() const;

    static bool sameOrigin(const QUrl &a, const QUrl &b);

private:
    friend class FhirCallImpl;
    struct Private;
    std::unique_ptr<Private> d;
};

// Replaces bearer tokens, JWTs, client secrets and access_token values with "[redacted]".
QString redactSecrets(QString text);

} // namespace cohort::fhir
