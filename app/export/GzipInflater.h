#pragma once

#include <QByteArrayView>
#include <QCoreApplication>
#include <QString>
#include <functional>
#include <memory>

namespace cohort::bulk {

// Streaming inflate for a Content-Encoding: gzip body (also a zlib "deflate" body: the header
// is detected), in bounded memory. Concatenated gzip members, which some storage services
// produce, are inflated one after the other.
class GzipInflater
{
    Q_DECLARE_TR_FUNCTIONS(GzipInflater)
public:
    // Receives each inflated block; returning false stops inflate() (which then returns false
    // without setting an error).
    using Sink = std::function<bool(QByteArrayView)>;

    GzipInflater();
    ~GzipInflater();
    GzipInflater(const GzipInflater &) = delete;
    GzipInflater &operator=(const GzipInflater &) = delete;

    // Feeds compressed bytes, split anywhere. False on corrupt data (see errorString()).
    bool inflate(QByteArrayView input, const Sink &sink);
    // Whether the data so far ends exactly at the end of a complete stream: false for a body
    // cut short, which a download must treat as incomplete.
    bool isComplete() const;
    bool hasError() const { return !m_error.isEmpty(); }
    QString errorString() const { return m_error; }
    qint64 totalIn() const { return m_totalIn; }
    qint64 totalOut() const { return m_totalOut; }
    void reset();

private:
    struct State;
    std::unique_ptr<State> m_state;
    QString m_error;
    qint64 m_totalIn = 0;
    qint64 m_totalOut = 0;
};

} // namespace cohort::bulk
