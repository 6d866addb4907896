#pragma once

#include "fhir/FhirError.h"
#include "fhir/TokenProvider.h"

#include <QDateTime>
#include <QJsonValue>
#include <QList>
#include <QPair>
#include <QPointer>
#include <QUrl>

#include <functional>

namespace cohort::fhir {
class FhirCall;
class FhirClient;
struct FhirResponse;
struct RequestOptions;
} // namespace cohort::fhir

namespace cohort::auth {

class SmartDiscovery;
struct SmartConfiguration;

// The OAuth client-credentials machinery that does not depend on how the client proves who it
// is: the token URL (given, or discovered once), the token request through the FhirClient
// (without Authorization), the token kept and handed out until shortly before it expires, one
// request shared by every caller that asks meanwhile (they wait in a queue, as jobs do during
// a credentials refresh in Nextcloud's client), and OAuth errors turned into advice.
// Subclasses add the client authentication (a signed JWT, a client secret).
class CachingTokenProvider : public fhir::TokenProvider
{
    Q_OBJECT
public:
    using FormFields = QList<QPair<QString, QString>>;

    ~CachingTokenProvider() override;

    void token(QObject *context, Callback done) override;
    void reject(const QString &token) override;
    bool canRenew() const override { return true; }

    QUrl tokenUrl() const; // empty until given or discovered
    QString requestedScope() const;
    QString grantedScope() const; // of the current token; may be narrower than requested
    int tokenRequests() const;    // sent so far

    // Seconds before expiry at which a token is renewed: max(30 s, 10% of its lifetime), but at
    // most half its lifetime, so that a short-lived token is still reused for a while.
    static qint64 renewalMargin(qint64 lifetimeSeconds);
    // A token answer's expires_in (a number, or a string as some servers send it) in seconds:
    // 300 when missing, zero, negative or unreadable; at most a year, so that no server's number
    // overflows the expiry arithmetic.
    static qint64 lifetimeOf(const QJsonValue &expiresIn);

    // Replaceable so tests drive expiry (and assertion times) without sleeping.
    std::function<qint64()> nowSecs = [] {
        return QDateTime::currentSecsSinceEpoch();
    };

protected:
    // scope: space-separated, sent when not empty. tokenUrl: empty to discover it through client.
    CachingTokenProvider(fhir::FhirClient *client, QString scope, QUrl tokenUrl,
                         QObject *parent = nullptr);

    // Adds the client authentication to a token request for tokenUrl (form fields beside
    // grant_type and scope, or options.headers). Returns a sentence saying what is wrong when
    // the request cannot be made, else an empty string.
    virtual QString authenticate(const QUrl &tokenUrl, FormFields &form,
                                 fhir::RequestOptions &options) = 0;
    // What to check when the server refuses the client (invalid_client), given its reason.
    virtual QString invalidClientAdvice(const QString &description) const = 0;
    // Called once discovery found the token endpoint: warn about what the server does not list.
    virtual void checkConfiguration(const SmartConfiguration &configuration);

    fhir::FhirClient *client() const;

private:
    struct Waiting
    {
        QPointer<QObject> context;
        bool hadContext = false;
        Callback done;
    };

    void fetch();
    void requestToken();
    void onDiscovered(const SmartConfiguration &configuration, const fhir::FhirError &error);
    void onResponse(const fhir::FhirResponse &response);
    fhir::FhirError errorFor(const fhir::FhirResponse &response) const;
    void deliver(const QString &token, const fhir::FhirError &error);

    QPointer<fhir::FhirClient> m_client;
    QString m_scope;
    QUrl m_tokenUrl;
    SmartDiscovery *m_discovery = nullptr;
    QPointer<fhir::FhirCall> m_call;
    QList<Waiting> m_waiting;
    bool m_fetching = false;
    qint64 m_requestedAt = 0;
    int m_requests = 0;

    QString m_token;
    qint64 m_expiresAt = 0; // seconds since the epoch, by nowSecs
    qint64 m_renewAt = 0;
    QString m_grantedScope;
};

} // namespace cohort::auth
