#pragma once

#include <QByteArray>
#include <QCoreApplication>
#include <QString>

namespace cohort::bulk {

// Base64 decoding of text that arrives in pieces split anywhere. Whitespace (line breaks of
// MIME-style base64) is skipped; both the standard and the URL-safe alphabet are accepted;
// padding is optional at the end, but nothing but padding may follow it.
class Base64StreamDecoder
{
    Q_DECLARE_TR_FUNCTIONS(Base64StreamDecoder)
public:
    // Appends the decoded bytes of input to *out. False on invalid input (see errorString()).
    bool decode(QByteArrayView input, QByteArray *out);
    // The end of the text: appends the bytes of an unpadded last group; false when a lone
    // character or incomplete padding is left.
    bool finish(QByteArray *out);
    void reset();
    bool hasError() const { return !m_error.isEmpty(); }
    QString errorString() const { return m_error; }
    qint64 charactersSeen() const { return m_position; }

private:
    quint32 m_bits = 0; // sextets of the current group, high first
    int m_count = 0;    // sextets in m_bits
    int m_padding = 0;  // '=' seen
    qint64 m_position = 0;
    QString m_error;
};

} // namespace cohort::bulk
