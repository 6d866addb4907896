#pragma once

// Blocking-looking HTTP helpers for tests: each call runs the event loop (QSignalSpy::wait)
// until the reply finishes, so the in-process demo server keeps serving meanwhile.

#include <QByteArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPair>
#include <QSignalSpy>
#include <QUrl>

namespace cohort::test {

struct Reply
{
    int status = 0;
    QNetworkReply::NetworkError error = QNetworkReply::NoError;
    QByteArray body;
    QList<QNetworkReply::RawHeaderPair> headers;
    bool finished = false;
    int readyReadCount = 0;

    QByteArray header(QByteArrayView name) const
    {
        for (const auto &[n, v] : headers) {
            if (n.compare(name, Qt::CaseInsensitive) == 0)
                return v;
        }
        return {};
    }
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
    // First issue's code and diagnostics of an OperationOutcome body.
    QString outcomeCode() const;
    QString outcomeText() const;
};

using Headers = QList<QPair<QByteArray, QByteArray>>;

class Http
{
public:
    Reply get(const QUrl &url, const Headers &headers = {}) { return send("GET", url, headers); }
    Reply del(const QUrl &url, const Headers &headers = {}) { return send("DELETE", url, headers); }
    Reply post(const QUrl &url, const QByteArray &body, const Headers &headers = {})
    {
        return send("POST", url, headers, body);
    }
    Reply send(const QByteArray &verb, const QUrl &url, const Headers &headers,
               const QByteArray &body = {}, int timeoutMs = 30000);

    QNetworkAccessManager &manager() { return m_manager; }

private:
    QNetworkAccessManager m_manager;
};

// The kick-off headers every Bulk Data client sends.
inline Headers kickoffHeaders()
{
    return {{"Accept", "application/fhir+json"}, {"Prefer", "respond-async"}};
}

QByteArray gunzip(const QByteArray &compressed);

} // namespace cohort::test
