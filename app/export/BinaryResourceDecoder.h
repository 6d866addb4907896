#pragma once

#include "Base64StreamDecoder.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QString>

namespace cohort::bulk {

// Turns a FHIR Binary resource, {"resourceType":"Binary","contentType":...,"data":"<base64>"},
// arriving in pieces, into the bytes of its data, without holding the JSON: a small scanner
// walks the top-level object, and the characters of its "data" string go straight to a
// streaming base64 decoder. Members may come in any order; nested values are skipped.
class BinaryResourceDecoder
{
    Q_DECLARE_TR_FUNCTIONS(BinaryResourceDecoder)
public:
    // Appends decoded data bytes to *out. False on malformed input (see errorString()).
    bool feed(QByteArrayView json, QByteArray *out);
    // The end of the body: the object must be complete, a Binary, with a data member.
    bool finish();
    void reset();

    QString resourceType() const { return QString::fromUtf8(m_resourceType); }
    QString contentType() const { return QString::fromUtf8(m_contentType); }
    bool reachedEnd() const { return m_state == State::Done; } // the closing brace was seen
    bool hasError() const { return !m_error.isEmpty(); }
    QString errorString() const { return m_error; }

private:
    enum class State
    {
        BeforeObject,
        Structure,
        InString,
        Done
    };
    enum class Role
    {
        Key,
        Capture,
        Skip,
        Data
    };

    bool fail(const QString &message);
    bool structural(char c);
    bool startString(); // false when the string may not be there (a second data member)
    bool endString(QByteArray *out);
    bool stringChar(char c, QByteArray *out); // one decoded character of the current string
    bool feedData(QByteArrayView run, QByteArray *out);

    State m_state = State::BeforeObject;
    Role m_role = Role::Skip;
    int m_depth = 0;
    bool m_expectKey = false;
    bool m_awaitValue = false;
    bool m_escape = false;
    int m_unicodeDigits = -1; // >= 0 while reading the hex digits of \uXXXX
    quint32 m_unicode = 0;
    QByteArray m_text; // the key or captured value being read (bounded)
    QByteArray m_key;  // the last top-level key
    QByteArray m_resourceType;
    QByteArray m_contentType;
    bool m_dataSeen = false;
    Base64StreamDecoder m_base64;
    QString m_error;
};

} // namespace cohort::bulk
