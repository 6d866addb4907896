#pragma once

#include <QList>
#include <QMetaType>
#include <QNetworkReply>
#include <QString>
#include <QUrl>
#include <optional>

namespace cohort::fhir {

struct OutcomeIssue
{
    QString severity; // fatal | error | warning | information
    QString code;     // e.g. transient, not-found, exception, throttled
    QString text;     // diagnostics, else details.text, else details.coding[0].display
};

// The issues of an OperationOutcome; nullopt when the body is not one (HTML from a proxy...).
std::optional<QList<OutcomeIssue>> parseOperationOutcome(QByteArrayView body);

// A short excerpt of a body that is not an OperationOutcome, for people: HTML tags removed,
// whitespace collapsed, secrets redacted, at most ~300 characters.
QString bodyExcerptOf(QByteArrayView body);

// Everything that can go wrong with one request, in one type: HTTP status with the server's
// OperationOutcome (or an excerpt of a body that is not one), network error, timeout, TLS.
struct FhirError
{
    enum class Kind
    {
        None,
        Http,            // a status the caller did not expect; see httpStatus/issues/bodyExcerpt
        Network,         // connection refused, reset, DNS...; see networkError/detail
        Timeout,         // no data for the request's timeout
        Tls,             // certificate or handshake problem; detail names it
        InvalidResponse, // a body that should have been JSON/FHIR and was not
        Cancelled,       // aborted by us
        Auth,            // no token could be obtained
    };
    Kind kind = Kind::None;
    int httpStatus = 0;
    QNetworkReply::NetworkError networkError = QNetworkReply::NoError;
    QList<OutcomeIssue> issues;
    QString bodyExcerpt; // at most ~300 characters, whitespace collapsed, HTML tags removed
    QString detail;
    QUrl url; // query removed: it may hold capability tokens

    bool isError() const { return kind != Kind::None; }
    // An OperationOutcome whose issues include code "transient": try again later.
    bool isTransient() const;
    // One sentence for people, e.g. "The server answered 500 (Internal Server Error): The export
    // failed." Never contains a token.
    QString message() const;

    // Kind Http for an unexpected status: the body's OperationOutcome issues, else its excerpt.
    static FhirError fromHttpResponse(int status, QByteArrayView body, const QUrl &url = {});
};

} // namespace cohort::fhir

Q_DECLARE_METATYPE(cohort::fhir::FhirError)
