#include "FhirError.h"

#include "FhirClient.h"

#include <QCoreApplication>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

namespace cohort::fhir {

using namespace Qt::StringLiterals;

namespace {

constexpr qsizetype kExcerptChars = 300;

QString tr(const char *text)
{
    return QCoreApplication::translate("cohort::fhir::FhirError", text);
}

QString reasonPhrase(int status)
{
    static const QHash<int, const char *> phrases = {
        {200, "OK"},
        {201, "Created"},
        {202, "Accepted"},
        {204, "No Content"},
        {206, "Partial Content"},
        {300, "Multiple Choices"},
        {301, "Moved Permanently"},
        {302, "Found"},
        {303, "See Other"},
        {304, "Not Modified"},
        {307, "Temporary Redirect"},
        {308, "Permanent Redirect"},
        {400, "Bad Request"},
        {401, "Unauthorized"},
        {403, "Forbidden"},
        {404, "Not Found"},
        {405, "Method Not Allowed"},
        {406, "Not Acceptable"},
        {408, "Request Timeout"},
        {409, "Conflict"},
        {410, "Gone"},
        {412, "Precondition Failed"},
        {413, "Content Too Large"},
        {415, "Unsupported Media Type"},
        {416, "Range Not Satisfiable"},
        {422, "Unprocessable Content"},
        {429, "Too Many Requests"},
        {500, "Internal Server Error"},
        {501, "Not Implemented"},
        {502, "Bad Gateway"},
        {503, "Service Unavailable"},
        {504, "Gateway Timeout"},
    };
    return QString::fromLatin1(phrases.value(status));
}

// "text" → "text." so that pieces read as sentences; keeps ?, ! and a trailing ellipsis.
QString asSentence(QString text)
{
    text = text.trimmed();
    if (text.isEmpty())
        return text;
    const QChar last = text.back();
    if (last != u'.' && last != u'?' && last != u'!' && last != u'\u2026')
        text += u'.';
    return text;
}

QString withoutFinalStop(QString text)
{
    text = text.trimmed();
    while (text.endsWith(u'.'))
        text.chop(1);
    return text;
}

QString hostAndPort(const QUrl &url)
{
    if (url.host().isEmpty())
        return tr("the server");
    const int defaultPort = url.scheme() == "https"_L1 ? 443 : url.scheme() == "http"_L1 ? 80 : -1;
    const int port = url.port(defaultPort);
    return port < 0 ? url.host() : u"%1:%2"_s.arg(url.host()).arg(port);
}

QString issuesText(const QList<OutcomeIssue> &issues)
{
    // Errors say why it failed; warnings and information only when there is nothing else.
    QList<const OutcomeIssue *> chosen;
    for (const OutcomeIssue &issue : issues) {
        if (issue.severity == "fatal"_L1 || issue.severity == "error"_L1)
            chosen.append(&issue);
    }
    if (chosen.isEmpty()) {
        for (const OutcomeIssue &issue : issues)
            chosen.append(&issue);
    }
    QStringList parts;
    for (const OutcomeIssue *issue : std::as_const(chosen)) {
        const QString text = issue->text.isEmpty() ? issue->code : asSentence(issue->text);
        if (!text.isEmpty() && !parts.contains(text))
            parts.append(text);
    }
    return parts.join(u' ');
}

QString decodeEntities(QString text)
{
    static const QRegularExpression numeric(u"&#(x[0-9a-fA-F]{1,6}|[0-9]{1,7});"_s);
    QString out;
    out.reserve(text.size());
    qsizetype last = 0;
    for (auto it = numeric.globalMatch(text); it.hasNext();) {
        const auto m = it.next();
        out += QStringView(text).mid(last, m.capturedStart() - last);
        const QString digits = m.captured(1);
        bool ok = false;
        const uint code =
            digits.startsWith(u'x') ? digits.mid(1).toUInt(&ok, 16) : digits.toUInt(&ok);
        if (ok && code > 0 && code <= 0x10FFFF)
            out += QString::fromUcs4(reinterpret_cast<const char32_t *>(&code), 1);
        last = m.capturedEnd();
    }
    out += QStringView(text).mid(last);
    out.replace("&nbsp;"_L1, " "_L1);
    out.replace("&lt;"_L1, "<"_L1);
    out.replace("&gt;"_L1, ">"_L1);
    out.replace("&quot;"_L1, "\""_L1);
    out.replace("&apos;"_L1, "'"_L1);
    out.replace("&amp;"_L1, "&"_L1);
    return out;
}

} // namespace

std::optional<QList<OutcomeIssue>> parseOperationOutcome(QByteArrayView body)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(body.toByteArray(), &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject())
        return std::nullopt;
    const QJsonObject outcome = doc.object();
    if (outcome.value("resourceType"_L1).toString() != "OperationOutcome"_L1)
        return std::nullopt;
    QList<OutcomeIssue> issues;
    for (const QJsonValue &value : outcome.value("issue"_L1).toArray()) {
        const QJsonObject o = value.toObject();
        OutcomeIssue issue;
        issue.severity = o.value("severity"_L1).toString();
        issue.code = o.value("code"_L1).toString();
        issue.text = o.value("diagnostics"_L1).toString().trimmed();
        const QJsonObject details = o.value("details"_L1).toObject();
        if (issue.text.isEmpty())
            issue.text = details.value("text"_L1).toString().trimmed();
        if (issue.text.isEmpty()) {
            for (const QJsonValue &coding : details.value("coding"_L1).toArray()) {
                issue.text = coding.toObject().value("display"_L1).toString().trimmed();
                if (!issue.text.isEmpty())
                    break;
            }
        }
        issues.append(issue);
    }
    return issues;
}

QString bodyExcerptOf(QByteArrayView body)
{
    // Only the start matters, and regexes over megabytes of HTML would be slow.
    QString text = QString::fromUtf8(body.first(qMin<qsizetype>(body.size(), 64 * 1024)));

    // An OAuth error ({"error":..., "error_description":...}) says it best in its own words.
    const QJsonObject json = QJsonDocument::fromJson(body.toByteArray()).object();
    if (json.value("error"_L1).isString()) {
        const QString error = json.value("error"_L1).toString();
        const QString description = json.value("error_description"_L1).toString();
        text = description.isEmpty() ? error : u"%1 (%2)"_s.arg(description, error);
    } else if (text.contains(u'<')) {
        static const QRegularExpression invisible(
            u"<(script|style|head)\\b[^>]*>.*?</\\1\\s*>|<!--.*?-->"_s,
            QRegularExpression::CaseInsensitiveOption |
                QRegularExpression::DotMatchesEverythingOption);
        static const QRegularExpression title(u"<title\\b[^>]*>(.*?)</title\\s*>"_s,
                                              QRegularExpression::CaseInsensitiveOption |
                                                  QRegularExpression::DotMatchesEverythingOption);
        static const QRegularExpression tag(u"<[^>]*>?"_s);
        const QString pageTitle = title.match(text).captured(1);
        text.remove(invisible);
        text.replace(tag, u" "_s);
        text = decodeEntities(text);
        if (text.trimmed().isEmpty())
            text = decodeEntities(pageTitle);
    }
    text = redactSecrets(text.simplified());
    if (text.size() > kExcerptChars) {
        text.truncate(kExcerptChars - 1);
        const qsizetype space = text.lastIndexOf(u' ');
        if (space > kExcerptChars * 3 / 4)
            text.truncate(space);
        text += u'\u2026';
    }
    return text;
}

bool FhirError::isTransient() const
{
    return std::any_of(issues.cbegin(), issues.cend(),
                       [](const OutcomeIssue &issue) { return issue.code == "transient"_L1; });
}

FhirError FhirError::fromHttpResponse(int status, QByteArrayView body, const QUrl &url)
{
    FhirError error;
    error.kind = Kind::Http;
    error.httpStatus = status;
    error.url = url.adjusted(QUrl::RemoveQuery | QUrl::RemoveFragment | QUrl::RemoveUserInfo);
    if (auto issues = parseOperationOutcome(body))
        error.issues = *issues;
    else
        error.bodyExcerpt = bodyExcerptOf(body);
    return error;
}

QString FhirError::message() const
{
    QString text;
    switch (kind) {
    case Kind::None:
        text = tr("The request succeeded.");
        break;
    case Kind::Http: {
        const QString reason = reasonPhrase(httpStatus);
        const QString head = reason.isEmpty()
                                 ? tr("The server answered %1").arg(httpStatus)
                                 : tr("The server answered %1 (%2)").arg(httpStatus).arg(reason);
        QString why = issuesText(issues);
        if (why.isEmpty())
            why = bodyExcerpt;
        if (why.isEmpty() && !detail.isEmpty())
            why = detail;
        text = why.isEmpty() ? head + u'.' : head + u": "_s + asSentence(why);
        break;
    }
    case Kind::Network: {
        const QString where = hostAndPort(url);
        const QString why =
            detail.isEmpty() ? tr("unknown network error") : withoutFinalStop(detail);
        switch (networkError) {
        case QNetworkReply::ConnectionRefusedError:
        case QNetworkReply::HostNotFoundError:
        case QNetworkReply::TemporaryNetworkFailureError:
        case QNetworkReply::NetworkSessionFailedError:
        case QNetworkReply::ProxyConnectionRefusedError:
        case QNetworkReply::ProxyNotFoundError:
            text = tr("Could not connect to %1: %2.").arg(where, why);
            break;
        case QNetworkReply::RemoteHostClosedError:
        case QNetworkReply::NoError: // a body cut short that Qt reported as complete
            text = tr("The connection to %1 was interrupted: %2.").arg(where, why);
            break;
        case QNetworkReply::TooManyRedirectsError:
        case QNetworkReply::InsecureRedirectError:
            text = tr("The server at %1 redirected the request in a way that was not followed: %2.")
                       .arg(where, why);
            break;
        default:
            text = tr("The request to %1 failed: %2.").arg(where, why);
            break;
        }
        break;
    }
    case Kind::Timeout:
        text = detail.isEmpty()
                   ? tr("The server did not answer in time.")
                   : tr("The server did not answer in time: %1.").arg(withoutFinalStop(detail));
        break;
    case Kind::Tls:
        // Certificate problems name the certificate's issuer in the detail; handshake
        // failures without a certificate problem (protocol, cipher) do not.
        if (detail.contains("issuer"_L1)) {
            text = tr("The TLS certificate of %1 is not trusted: %2. Add the server's CA "
                      "certificate to the profile.")
                       .arg(url.host().isEmpty() ? tr("the server") : url.host(),
                            withoutFinalStop(detail));
        } else {
            text = tr("The secure connection to %1 failed: %2.")
                       .arg(hostAndPort(url), detail.isEmpty() ? tr("TLS handshake error")
                                                               : withoutFinalStop(detail));
        }
        break;
    case Kind::InvalidResponse:
        text = detail.isEmpty() ? tr("The server sent an answer that could not be read.")
                                : tr("The server sent an answer that could not be read: %1")
                                      .arg(asSentence(detail));
        break;
    case Kind::Cancelled:
        text = tr("The request was cancelled.");
        break;
    case Kind::Auth:
        text = detail.isEmpty()
                   ? tr("No access token could be obtained.")
                   : tr("No access token could be obtained: %1").arg(asSentence(detail));
        break;
    }
    return redactSecrets(text);
}

} // namespace cohort::fhir
