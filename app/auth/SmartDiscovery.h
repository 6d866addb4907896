#pragma once

#include "fhir/FhirError.h"

#include <QJsonObject>
#include <QMetaType>
#include <QObject>
#include <QPointer>
#include <QStringList>
#include <QUrl>

#include <optional>

namespace cohort::fhir {
class FhirCall;
class FhirClient;
struct FhirResponse;
} // namespace cohort::fhir

namespace cohort::auth {

// Where and how a server hands out access tokens, as far as it says.
struct SmartConfiguration
{
    enum class Source
    {
        None,
        WellKnown,           // [base]/.well-known/smart-configuration
        CapabilityStatement, // the SMART oauth-uris extension of [base]/metadata
    };
    QUrl tokenEndpoint;
    QStringList authMethods;       // token_endpoint_auth_methods_supported; empty: not stated
    QStringList signingAlgorithms; // token_endpoint_auth_signing_alg_values_supported
    Source source = Source::None;
    QUrl documentUrl;         // where the token endpoint was read
    QString wellKnownProblem; // why the well-known document was not used, when it was not

    // Reads a smart-configuration document; nullopt + *why when it names no usable
    // token_endpoint. A relative token_endpoint is resolved against documentUrl.
    static std::optional<SmartConfiguration>
    fromWellKnown(const QJsonObject &json, const QUrl &documentUrl, QString *why = nullptr);
};

// Finds a server's token endpoint: [base]/.well-known/smart-configuration first (relative to
// the FHIR base *with* its path), then the CapabilityStatement's oauth-uris extension when the
// document is missing or unusable. Requests go through the FhirClient without Authorization,
// so a token provider can use discovery without waiting on itself.
class SmartDiscovery : public QObject
{
    Q_OBJECT
public:
    explicit SmartDiscovery(fhir::FhirClient *client, QObject *parent = nullptr);
    ~SmartDiscovery() override;

    // Emits finished() once, later. Calling it while running does nothing; after finished()
    // it discovers anew.
    void start();
    void abort(); // no finished() after this
    bool isRunning() const;

    static QUrl wellKnownUrl(const QUrl &fhirBase);

signals:
    // error.kind None: result.tokenEndpoint is set. Kind Auth: the server names no token
    // endpoint; other kinds: the server could not be asked (network, TLS, timeout).
    void finished(const cohort::auth::SmartConfiguration &result,
                  const cohort::fhir::FhirError &error);

private:
    void onWellKnown(const fhir::FhirResponse &response);
    void onMetadata(const fhir::FhirResponse &response);
    void finish(const SmartConfiguration &result, const fhir::FhirError &error);

    QPointer<fhir::FhirClient> m_client;
    QPointer<fhir::FhirCall> m_call;
    QString m_wellKnownProblem;
};

} // namespace cohort::auth

Q_DECLARE_METATYPE(cohort::auth::SmartConfiguration)
