#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QPair>
#include <QPointer>
#include <QTcpSocket>
#include <QUrl>
#include <QUrlQuery>

class QHttpServerRequest;

namespace cohort::demo {

// A request copied out of QHttpServerRequest, which QAbstractHttpServer reuses for the next
// request on the same connection: anything answered asynchronously must hold its own copy.
struct HttpRequest
{
    QByteArray method;
    QUrl url;
    QString path; // decoded path
    QUrlQuery query;
    QList<QPair<QByteArray, QByteArray>> headers; // names lower-cased
    QByteArray body;
    QPointer<QTcpSocket> socket;

    static HttpRequest fromServerRequest(const QHttpServerRequest &request, QTcpSocket *socket);
    QByteArray header(QByteArrayView name) const; // first value, or empty
    bool hasHeader(QByteArrayView name) const;
    // Values of one query parameter, decoded, in order (a parameter may repeat).
    QStringList queryValues(const QString &name) const;
};

struct HttpResponse
{
    int status = 200;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;

    HttpResponse &header(const QByteArray &name, const QByteArray &value)
    {
        headers.append({name, value});
        return *this;
    }
    static HttpResponse
    json(int status, const QByteArray &body,
         const QByteArray &contentType = QByteArrayLiteral("application/fhir+json"));
    // An OperationOutcome with a single issue.
    static HttpResponse outcome(int status, const QString &severity, const QString &code,
                                const QString &diagnostics);
};

QByteArray reasonPhrase(int status);
// Status line and headers, with Content-Length set from contentLength.
QByteArray serializeHead(const HttpResponse &response, qint64 contentLength);
void writeResponse(QTcpSocket *socket, const HttpResponse &response);

QByteArray operationOutcomeJson(const QString &severity, const QString &code,
                                const QString &diagnostics);
QByteArray gzipCompress(const QByteArray &data);

} // namespace cohort::demo
