#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QString>
#include <optional>

namespace cohort::bulk {

// A Retry-After header, as seconds or an HTTP-date, turned into a wait the client may trust.
struct RetryAfter
{
    int seconds = 0;      // the wait to use
    bool clamped = false; // the server's value was absurd (negative, past, too far) and was bounded
    QString note;         // why it was clamped, for the log
};

// Bounds: a wait is at least 1 s (a value in the past means "now", but never hammer) and at
// most 6 hours (servers do send multi-hour waits; days are taken as a server bug).
constexpr int kMinRetryAfterSeconds = 1;
constexpr int kMaxRetryAfterSeconds = 6 * 3600;

// nullopt when the header is absent or unparseable (the caller falls back to back-off).
std::optional<RetryAfter> parseRetryAfter(QByteArrayView header, const QDateTime &nowUtc);

// X-Progress is free text ("45% complete", "Processing", "3 of 7 types"); the percentage is
// taken when the text has one in 0..100, else -1.
struct ServerProgress
{
    int percent = -1;
    QString text; // verbatim, trimmed, at most 200 characters
};
ServerProgress parseXProgress(QByteArrayView header);

// Exponential back-off for polls without Retry-After: 1 s doubling to a cap (60 s by default).
class Backoff
{
public:
    explicit Backoff(int capSeconds = 60)
        : m_cap(capSeconds)
    {
    }
    int next(); // 1, 2, 4, ... cap
    void reset() { m_attempt = 0; }
    void setCap(int capSeconds) { m_cap = capSeconds; }

private:
    int m_cap;
    int m_attempt = 0;
};

} // namespace cohort::bulk
