#pragma once

#include <QByteArray>
#include <QLatin1StringView>
#include <QStringView>

#include <concepts>

namespace cohort::demo {

// Minimal streaming writer for compact JSON. Keys keep insertion order (QJsonObject sorts them),
// which lets NDJSON consumers rely on the cheap `{"resourceType":"X"` prefix check.
// The caller is responsible for well-formed nesting; commas are inserted automatically.
class JsonWriter
{
public:
    explicit JsonWriter(qsizetype reserve = 0);

    JsonWriter &beginObject();
    JsonWriter &endObject();
    JsonWriter &beginArray();
    JsonWriter &endArray();

    JsonWriter &key(QLatin1StringView name);
    JsonWriter &key(QStringView name);

    JsonWriter &value(QLatin1StringView text);
    JsonWriter &value(QStringView text);
    JsonWriter &value(qint64 number);
    JsonWriter &value(int number) { return value(qint64(number)); }
    // Shortest round-trip representation; NaN and infinities are not JSON and become null.
    JsonWriter &value(double number);
    // Constrained so that pointers (u"text" decays to one) never silently convert to bool.
    template<typename Bool>
    requires std::same_as<Bool, bool> JsonWriter &value(Bool flag) { return boolValue(flag); }
    // Use "text"_L1 for Latin-1 literals.
    JsonWriter &value(const char *) = delete;
    JsonWriter &nullValue();
    // Splices in an already serialized JSON value (e.g. a resource inside a Bundle).
    JsonWriter &rawValue(QByteArrayView json);

    const QByteArray &data() const { return m_buffer; }
    QByteArray take();
    // Empties the document but keeps the allocation, for writers reused across many documents.
    void clear()
    {
        m_buffer.resize(0);
        m_needComma = false;
    }

private:
    void separate()
    {
        if (m_needComma)
            m_buffer.append(',');
    }
    JsonWriter &boolValue(bool flag);
    void appendString(QLatin1StringView text);
    void appendString(QStringView text);

    QByteArray m_buffer;
    bool m_needComma = false;
};

} // namespace cohort::demo
