#include "JsonWriter.h"

#include <QLocale>

#include <charconv>
#include <cmath>

namespace cohort::demo {

namespace {

constexpr char HexDigits[] = "0123456789abcdef";

// Writes one code unit below 0x80, escaped where RFC 8259 requires it; returns the new end.
inline char *putAscii(char *out, char c)
{
    if (uchar(c) >= 0x20 && c != '"' && c != '\\') {
        *out++ = c;
        return out;
    }
    switch (c) {
    case '"':
    case '\\':
        *out++ = '\\';
        *out++ = c;
        return out;
    case '\b':
        *out++ = '\\';
        *out++ = 'b';
        return out;
    case '\f':
        *out++ = '\\';
        *out++ = 'f';
        return out;
    case '\n':
        *out++ = '\\';
        *out++ = 'n';
        return out;
    case '\r':
        *out++ = '\\';
        *out++ = 'r';
        return out;
    case '\t':
        *out++ = '\\';
        *out++ = 't';
        return out;
    default:
        break;
    }
    if (uchar(c) < 0x20) {
        const char escaped[6] = {
            '\\', 'u', '0', '0', HexDigits[uchar(c) >> 4], HexDigits[uchar(c) & 0xf]};
        for (char e : escaped)
            *out++ = e;
        return out;
    }
    *out++ = c;
    return out;
}

} // namespace

JsonWriter::JsonWriter(qsizetype reserve)
{
    if (reserve > 0)
        m_buffer.reserve(reserve);
}

JsonWriter &JsonWriter::beginObject()
{
    separate();
    m_buffer.append('{');
    m_needComma = false;
    return *this;
}

JsonWriter &JsonWriter::endObject()
{
    m_buffer.append('}');
    m_needComma = true;
    return *this;
}

JsonWriter &JsonWriter::beginArray()
{
    separate();
    m_buffer.append('[');
    m_needComma = false;
    return *this;
}

JsonWriter &JsonWriter::endArray()
{
    m_buffer.append(']');
    m_needComma = true;
    return *this;
}

JsonWriter &JsonWriter::key(QLatin1StringView name)
{
    separate();
    appendString(name);
    m_buffer.append(':');
    m_needComma = false;
    return *this;
}

JsonWriter &JsonWriter::key(QStringView name)
{
    separate();
    appendString(name);
    m_buffer.append(':');
    m_needComma = false;
    return *this;
}

JsonWriter &JsonWriter::value(QLatin1StringView text)
{
    separate();
    appendString(text);
    m_needComma = true;
    return *this;
}

JsonWriter &JsonWriter::value(QStringView text)
{
    separate();
    appendString(text);
    m_needComma = true;
    return *this;
}

JsonWriter &JsonWriter::value(qint64 number)
{
    separate();
    char digits[24];
    const auto result = std::to_chars(digits, digits + sizeof(digits), number);
    m_buffer.append(digits, result.ptr - digits);
    m_needComma = true;
    return *this;
}

JsonWriter &JsonWriter::value(double number)
{
    if (!std::isfinite(number))
        return nullValue();
    separate();
    m_buffer.append(QByteArray::number(number, 'g', QLocale::FloatingPointShortest));
    m_needComma = true;
    return *this;
}

JsonWriter &JsonWriter::boolValue(bool flag)
{
    separate();
    if (flag)
        m_buffer.append("true", 4);
    else
        m_buffer.append("false", 5);
    m_needComma = true;
    return *this;
}

JsonWriter &JsonWriter::nullValue()
{
    separate();
    m_buffer.append("null", 4);
    m_needComma = true;
    return *this;
}

JsonWriter &JsonWriter::rawValue(QByteArrayView json)
{
    separate();
    m_buffer.append(json);
    m_needComma = true;
    return *this;
}

QByteArray JsonWriter::take()
{
    QByteArray out = std::move(m_buffer);
    m_buffer = QByteArray();
    m_needComma = false;
    return out;
}

// Both string writers reserve the worst case up front (6 bytes per code unit for \u00XX) and
// write through a raw pointer: per-character QByteArray::append dominated the profile.
void JsonWriter::appendString(QLatin1StringView text)
{
    const qsizetype oldSize = m_buffer.size();
    m_buffer.resize(oldSize + 2 + text.size() * 6);
    char *out = m_buffer.data() + oldSize;
    *out++ = '"';
    for (const char ch : text) {
        const uchar c = uchar(ch);
        if (c >= 0x80) {
            // Latin-1 code points U+0080..U+00FF are two UTF-8 bytes.
            *out++ = char(0xc0 | (c >> 6));
            *out++ = char(0x80 | (c & 0x3f));
        } else {
            out = putAscii(out, ch);
        }
    }
    *out++ = '"';
    m_buffer.resize(out - m_buffer.constData());
}

void JsonWriter::appendString(QStringView text)
{
    const qsizetype oldSize = m_buffer.size();
    m_buffer.resize(oldSize + 2 + text.size() * 6);
    char *out = m_buffer.data() + oldSize;
    *out++ = '"';
    const char16_t *data = text.utf16();
    const qsizetype size = text.size();
    for (qsizetype i = 0; i < size; ++i) {
        const char32_t c = data[i];
        if (c < 0x80) {
            out = putAscii(out, char(c));
        } else if (c < 0x800) {
            *out++ = char(0xc0 | (c >> 6));
            *out++ = char(0x80 | (c & 0x3f));
        } else if (c >= 0xd800 && c <= 0xdfff) {
            const bool pair =
                c < 0xdc00 && i + 1 < size && data[i + 1] >= 0xdc00 && data[i + 1] <= 0xdfff;
            if (pair) {
                const char32_t cp = 0x10000 + ((c - 0xd800) << 10) + (data[++i] - 0xdc00);
                *out++ = char(0xf0 | (cp >> 18));
                *out++ = char(0x80 | ((cp >> 12) & 0x3f));
                *out++ = char(0x80 | ((cp >> 6) & 0x3f));
                *out++ = char(0x80 | (cp & 0x3f));
            } else {
                // A lone surrogate cannot be encoded as UTF-8: emit U+FFFD like QString::toUtf8.
                *out++ = char(0xef);
                *out++ = char(0xbf);
                *out++ = char(0xbd);
            }
        } else {
            *out++ = char(0xe0 | (c >> 12));
            *out++ = char(0x80 | ((c >> 6) & 0x3f));
            *out++ = char(0x80 | (c & 0x3f));
        }
    }
    *out++ = '"';
    m_buffer.resize(out - m_buffer.constData());
}

} // namespace cohort::demo
