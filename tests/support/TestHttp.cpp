#include "TestHttp.h"

#include <QJsonArray>

#include <zlib.h>

namespace cohort::test {

QString Reply::outcomeCode() const
{
    return json()
        .value(QLatin1String("issue"))
        .toArray()
        .first()
        .toObject()
        .value(QLatin1String("code"))
        .toString();
}

QString Reply::outcomeText() const
{
    return json()
        .value(QLatin1String("issue"))
        .toArray()
        .first()
        .toObject()
        .value(QLatin1String("diagnostics"))
        .toString();
}

Reply Http::send(const QByteArray &verb, const QUrl &url, const Headers &headers,
                 const QByteArray &body, int timeoutMs)
{
    QNetworkRequest request(url);
    // Tests look at every hop themselves.
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::ManualRedirectPolicy);
    for (const auto &[name, value] : headers)
        request.setRawHeader(name, value);
    QNetworkReply *reply = body.isNull() && verb != "POST"
                               ? m_manager.sendCustomRequest(request, verb)
                               : m_manager.sendCustomRequest(request, verb, body);
    Reply result;
    QObject::connect(reply, &QNetworkReply::readyRead, reply, [&result, reply] {
        ++result.readyReadCount;
        result.body += reply->readAll();
    });
    QSignalSpy finished(reply, &QNetworkReply::finished);
    result.finished = finished.wait(timeoutMs);
    result.body += reply->readAll();
    result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    result.error = reply->error();
    result.headers = reply->rawHeaderPairs();
    reply->disconnect();
    if (!result.finished)
        reply->abort();
    reply->deleteLater();
    return result;
}

QByteArray gunzip(const QByteArray &compressed)
{
    z_stream zs{};
    if (inflateInit2(&zs, 15 + 16) != Z_OK)
        return {};
    QByteArray out;
    char buffer[64 * 1024];
    zs.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(compressed.constData()));
    zs.avail_in = uInt(compressed.size());
    int rc = Z_OK;
    while (rc == Z_OK) {
        zs.next_out = reinterpret_cast<Bytef *>(buffer);
        zs.avail_out = sizeof buffer;
        rc = inflate(&zs, Z_NO_FLUSH);
        out.append(buffer, qsizetype(sizeof buffer - zs.avail_out));
    }
    inflateEnd(&zs);
    return rc == Z_STREAM_END ? out : QByteArray();
}

} // namespace cohort::test
