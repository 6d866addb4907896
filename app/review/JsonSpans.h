#pragma once

#include <QByteArrayView>
#include <QList>
#include <QString>
#include <QStringView>

#include <functional>
#include <optional>

namespace cohort::review {

// One token of a JSON text, for the review window's highlighted resource view.
struct JsonSpan
{
    enum class Kind : quint8
    {
        Key,         // a member name, quotes included
        String,      // a string value, quotes included
        Number,
        Literal,     // true, false, null
        Punctuation, // one of { } [ ] : ,
    };
    qsizetype start = 0; // in UTF-16 code units of the text, as QTextCursor counts
    qsizetype length = 0;
    Kind kind = Kind::Punctuation;
    // A String that is the value of a "reference" member (at any depth), unescaped:
    // "Patient/123", "#contained", "urn:uuid:..."; empty for everything else.
    QString reference;

    friend bool operator==(const JsonSpan &, const JsonSpan &) = default;
};

// "Type/id" or "Type/id/_history/v" with FHIR's rules for type names and ids: a reference that
// can point into the export. Contained ("#x"), absolute URLs and urn:uuid are not.
struct LocalReference
{
    QString type;
    QString id;

    QString key() const { return type + u'/' + id; } // "Type/id", without the version

    static std::optional<LocalReference> parse(QStringView reference);
};

// The spans of a JSON text (pretty-printed or compact), in order; whitespace is not a span.
// Made for text that QJsonDocument wrote, but any input is safe: text that is not JSON gives
// spans for what looks like tokens and is otherwise skipped, an unterminated string runs to
// the end of its line (JSON strings hold no raw line breaks).
class JsonSpans
{
public:
    static QList<JsonSpan> of(QStringView text);

    // A string token's value: without its quotes, escapes resolved as for references.
    static QString unquoted(QStringView token);

    // A JSON text (one NDJSON line) laid out as QJsonDocument::Indented does (4 spaces a level,
    // "key": value), but as the file has it: members in their order, numbers and escapes as
    // written. Text that is not JSON is laid out as far as it goes and loses nothing.
    static QString indented(QByteArrayView json);

    // Lines longer than maxLine (a base64 attachment) keep their first maxLine / 2 and last
    // 64 characters around marker(number of characters left out), so that a text view lays
    // them out quickly; strings stay closed, so the spans of the rest do not change.
    static QString elideLongLines(const QString &text, qsizetype maxLine,
                                  const std::function<QString(qsizetype)> &marker);
};

} // namespace cohort::review
