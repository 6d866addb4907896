#pragma once

#include "FhirError.h"

#include <QObject>
#include <QPointer>
#include <functional>

namespace cohort::fhir {

// Where FhirClient gets the bearer token for a request. Asynchronous because SMART Backend
// Services fetches tokens over the network; the auth layer adds providers that renew tokens.
class TokenProvider : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;
    using Callback = std::function<void(const QString &token, const FhirError &error)>;

    // Calls done exactly once (possibly later, on the event loop) unless context is destroyed
    // first. An empty token with no error means: send no Authorization header.
    virtual void token(QObject *context, Callback done) = 0;
    // A request carrying this token was answered 401: forget it so token() renews.
    virtual void reject(const QString &token) { Q_UNUSED(token) }
    // Whether reject() + token() can produce a different token (worth one retry on 401).
    virtual bool canRenew() const { return false; }
};

// A token pasted by the user (or none at all).
class StaticTokenProvider : public TokenProvider
{
    Q_OBJECT
public:
    explicit StaticTokenProvider(QString token = {}, QObject *parent = nullptr)
        : TokenProvider(parent)
        , m_token(std::move(token))
    {
    }
    void token(QObject *context, Callback done) override
    {
        Q_UNUSED(context)
        done(m_token, {});
    }
    void setToken(const QString &token) { m_token = token; }

private:
    QString m_token;
};

} // namespace cohort::fhir
