#include "HttpUtil.h"

#include "JsonWriter.h"

#include <QHttpServerRequest>

#include <zlib.h>

namespace cohort::demo {

HttpRequest HttpRequest::fromServerRequest(const QHttpServerRequest &request, QTcpSocket *socket)
{
    HttpRequest r;
    switch (request.method()) {
    case QHttpServerRequest::Method::Get:
        r.method = "GET";
        break;
    case QHttpServerRequest::Method::Post:
        r.method = "POST";
        break;
    case QHttpServerRequest::Method::Delete:
        r.method = "DELETE";
        break;
    case QHttpServerRequest::Method::Head:
        r.method = "HEAD";
        break;
    case QHttpServerRequest::Method::Put:
        r.method = "PUT";
        break;
    case QHttpServerRequest::Method::Patch:
        r.method = "PATCH";
        break;
    case QHttpServerRequest::Method::Options:
        r.method = "OPTIONS";
        break;
    default:
        r.method = "OTHER";
        break;
    }
    r.url = request.url();
    r.path = r.url.path(QUrl::FullyDecoded);
    r.query = QUrlQuery(r.url);
    for (const auto &[name, value] : request.headers())
        r.headers.append({name.toLower(), value});
    r.body = request.body();
    r.socket = socket;
    return r;
}

QByteArray HttpRequest::header(QByteArrayView name) const
{
    for (const auto &[n, v] : headers) {
        if (n == name)
            return v;
    }
    return {};
}

bool HttpRequest::hasHeader(QByteArrayView name) const
{
    for (const auto &h : headers) {
        if (h.first == name)
            return true;
    }
    return false;
}

QStringList HttpRequest::queryValues(const QString &name) const
{
    return query.allQueryItemValues(name, QUrl::FullyDecoded);
}

HttpResponse HttpResponse::json(int status, const QByteArray &body, const QByteArray &contentType)
{
    HttpResponse r;
    r.status = status;
    r.body = body;
    r.header("Content-Type", contentType);
    return r;
}

HttpResponse HttpResponse::outcome(int status, const QString &severity, const QString &code,
                                   const QString &diagnostics)
{
    return json(status, operationOutcomeJson(severity, code, diagnostics));
}

QByteArray operationOutcomeJson(const QString &severity, const QString &code,
                                const QString &diagnostics)
{
    JsonWriter w;
    w.beginObject();
    w.key(QLatin1StringView("resourceType"));
    w.value(QStringLiteral("OperationOutcome"));
    w.key(QLatin1StringView("issue"));
    w.beginArray();
    w.beginObject();
    w.key(QLatin1StringView("severity"));
    w.value(severity);
    w.key(QLatin1StringView("code"));
    w.value(code);
    w.key(QLatin1StringView("diagnostics"));
    w.value(diagnostics);
    w.endObject();
    w.endArray();
    w.endObject();
    return w.take();
}

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 206:
        return "Partial Content";
    case 307:
        return "Temporary Redirect";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 406:
        return "Not Acceptable";
    case 410:
        return "Gone";
    case 416:
        return "Range Not Satisfiable";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    default:
        return "Status";
    }
}

QByteArray serializeHead(const HttpResponse &response, qint64 contentLength)
{
    QByteArray head = "HTTP/1.1 " + QByteArray::number(response.status) + ' ' +
                      reasonPhrase(response.status) + "\r\n";
    for (const auto &[name, value] : response.headers)
        head += name + ": " + value + "\r\n";
    head += "Content-Length: " + QByteArray::number(contentLength) + "\r\n";
    head += "Connection: keep-alive\r\n\r\n";
    return head;
}

void writeResponse(QTcpSocket *socket, const HttpResponse &response)
{
    if (!socket)
        return;
    socket->write(serializeHead(response, response.body.size()));
    if (!response.body.isEmpty())
        socket->write(response.body);
}

QByteArray gzipCompress(const QByteArray &data)
{
    z_stream zs{};
    // windowBits 15 + 16 selects the gzip wrapper rather than zlib's.
    if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
        Z_OK)
        return {};
    QByteArray out;
    out.resize(qsizetype(deflateBound(&zs, uLong(data.size()))) + 32);
    zs.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.constData()));
    zs.avail_in = uInt(data.size());
    zs.next_out = reinterpret_cast<Bytef *>(out.data());
    zs.avail_out = uInt(out.size());
    const int rc = deflate(&zs, Z_FINISH);
    const qsizetype written = qsizetype(zs.total_out);
    deflateEnd(&zs);
    if (rc != Z_STREAM_END)
        return {};
    out.resize(written);
    return out;
}

} // namespace cohort::demo
