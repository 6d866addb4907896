#include "JsonSpans.h"

#include <algorithm>

namespace cohort::review {

using namespace Qt::StringLiterals;

namespace {

bool isJsonSpace(QChar c)
{
    return c == u' ' || c == u'\n' || c == u'\r' || c == u'\t';
}

bool isAsciiLetter(QChar c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z');
}

bool isAsciiDigit(QChar c)
{
    return c >= u'0' && c <= u'9';
}

int hexValue(QChar c)
{
    if (isAsciiDigit(c))
        return c.unicode() - '0';
    if (c >= u'a' && c <= u'f')
        return c.unicode() - 'a' + 10;
    if (c >= u'A' && c <= u'F')
        return c.unicode() - 'A' + 10;
    return -1;
}

// The value of a string's body (the text between its quotes). A surrogate pair written as two
// \u escapes becomes the pair; an escape that is not JSON is kept as written.
QString unescape(QStringView body)
{
    if (!body.contains(u'\\'))
        return body.toString();
    QString out;
    out.reserve(body.size());
    for (qsizetype i = 0; i < body.size(); ++i) {
        const QChar c = body[i];
        if (c != u'\\' || i + 1 >= body.size()) {
            out += c;
            continue;
        }
        const QChar e = body[++i];
        switch (e.unicode()) {
        case '"':
        case '\\':
        case '/':
            out += e;
            break;
        case 'b':
            out += QChar(u'\b');
            break;
        case 'f':
            out += QChar(u'\f');
            break;
        case 'n':
            out += QChar(u'\n');
            break;
        case 'r':
            out += QChar(u'\r');
            break;
        case 't':
            out += QChar(u'\t');
            break;
        case 'u': {
            int value = 0;
            bool ok = i + 4 < body.size();
            for (qsizetype k = 1; ok && k <= 4; ++k) {
                const int h = hexValue(body[i + k]);
                ok = h >= 0;
                value = value * 16 + h;
            }
            if (ok) {
                out += QChar(char16_t(value));
                i += 4;
            } else {
                out += u'\\';
                out += e;
            }
            break;
        }
        default:
            out += u'\\';
            out += e;
        }
    }
    return out;
}

bool isTypeName(QStringView s)
{
    if (s.isEmpty() || s.size() > 64 || s[0] < u'A' || s[0] > u'Z')
        return false;
    return std::all_of(s.begin(), s.end(), isAsciiLetter);
}

bool isId(QStringView s)
{
    if (s.isEmpty() || s.size() > 64)
        return false;
    return std::all_of(s.begin(), s.end(), [](QChar c) {
        return isAsciiLetter(c) || isAsciiDigit(c) || c == u'-' || c == u'.';
    });
}

} // namespace

std::optional<LocalReference> LocalReference::parse(QStringView reference)
{
    // The same rules as ResourceScan's, so that what it reports unresolved is what we link.
    const qsizetype slash = reference.indexOf(u'/');
    if (slash < 0)
        return std::nullopt;
    const QStringView type = reference.left(slash);
    QStringView id = reference.mid(slash + 1);
    if (const qsizetype h = id.indexOf(u"/_history/"); h >= 0) {
        if (!isId(id.mid(h + 10)))
            return std::nullopt;
        id = id.left(h);
    }
    if (!isTypeName(type) || !isId(id))
        return std::nullopt;
    return LocalReference{type.toString(), id.toString()};
}

QList<JsonSpan> JsonSpans::of(QStringView text)
{
    QList<JsonSpan> spans;
    spans.reserve(text.size() / 8);
    const qsizetype n = text.size();
    // Where a "reference" member's value is: after its name, then after its colon.
    enum class After { Nothing, Name, Colon } after = After::Nothing;
    bool referenceName = false;
    // A value token: is it the value of a "reference" member?
    auto valueIsReference = [&] {
        const bool is = after == After::Colon && referenceName;
        after = After::Nothing;
        return is;
    };
    for (qsizetype i = 0; i < n;) {
        const QChar c = text[i];
        switch (c.unicode()) {
        case ' ':
        case '\n':
        case '\r':
        case '\t':
            ++i;
            continue;
        case '{':
        case '[':
            valueIsReference();
            spans.append({i, 1, JsonSpan::Kind::Punctuation, {}});
            ++i;
            continue;
        case '}':
        case ']':
        case ',':
            after = After::Nothing;
            spans.append({i, 1, JsonSpan::Kind::Punctuation, {}});
            ++i;
            continue;
        case ':':
            after = after == After::Name ? After::Colon : After::Nothing;
            spans.append({i, 1, JsonSpan::Kind::Punctuation, {}});
            ++i;
            continue;
        case '"': {
            qsizetype j = i + 1;
            while (j < n && text[j] != u'"' && text[j] != u'\n')
                j += text[j] == u'\\' && j + 1 < n && text[j + 1] != u'\n' ? 2 : 1;
            // Past the closing quote; unterminated: to the end of the line or text.
            const qsizetype end = j < n && text[j] == u'"' ? j + 1 : j;
            const QStringView body = text.mid(i + 1, j - i - 1);
            qsizetype k = end;
            while (k < n && isJsonSpace(text[k]))
                ++k;
            if (k < n && text[k] == u':') {
                after = After::Name;
                referenceName = body.contains(u'\\') ? unescape(body) == "reference"_L1
                                                     : body == "reference"_L1;
                spans.append({i, end - i, JsonSpan::Kind::Key, {}});
            } else {
                spans.append({i, end - i, JsonSpan::Kind::String,
                              valueIsReference() ? unescape(body) : QString()});
            }
            i = end;
            continue;
        }
        default:
            break;
        }
        if (c == u'-' || isAsciiDigit(c)) {
            qsizetype j = i + 1;
            while (j < n && (isAsciiDigit(text[j]) || text[j] == u'.' || text[j] == u'e' ||
                             text[j] == u'E' || text[j] == u'+' || text[j] == u'-'))
                ++j;
            valueIsReference();
            spans.append({i, j - i, JsonSpan::Kind::Number, {}});
            i = j;
        } else if (isAsciiLetter(c)) {
            qsizetype j = i + 1;
            while (j < n && isAsciiLetter(text[j]))
                ++j;
            const QStringView word = text.mid(i, j - i);
            if (word == "true"_L1 || word == "false"_L1 || word == "null"_L1) {
                valueIsReference();
                spans.append({i, j - i, JsonSpan::Kind::Literal, {}});
            }
            i = j;
        } else {
            ++i; // not JSON: skipped
        }
    }
    return spans;
}

QString JsonSpans::elideLongLines(const QString &text, qsizetype maxLine,
                                  const std::function<QString(qsizetype)> &marker)
{
    constexpr qsizetype kTail = 64;
    const qsizetype head = qMax<qsizetype>(1, maxLine / 2);
    QString out;
    qsizetype copied = 0; // text before this is in out
    for (qsizetype start = 0; start < text.size();) {
        qsizetype end = text.indexOf(u'\n', start);
        if (end < 0)
            end = text.size();
        if (end - start > maxLine && end - start > head + kTail) {
            if (out.isEmpty())
                out.reserve(text.size() < 4 * maxLine ? text.size() : 4 * maxLine);
            qsizetype cut = start + head;
            qsizetype resume = end - kTail;
            // Never between the halves of a surrogate pair, nor right after a backslash (the
            // marker's first character would be taken for an escape).
            while (cut > start && (text[cut].isLowSurrogate() || text[cut - 1] == u'\\'))
                --cut;
            while (resume < end && (text[resume].isLowSurrogate() || text[resume - 1] == u'\\'))
                ++resume;
            out += QStringView(text).mid(copied, cut - copied);
            out += marker(resume - cut);
            copied = resume;
        }
        start = end + 1;
    }
    if (copied == 0)
        return text;
    out += QStringView(text).mid(copied);
    return out;
}

QString JsonSpans::unquoted(QStringView token)
{
    if (token.size() < 2 || !token.startsWith(u'"') || !token.endsWith(u'"'))
        return token.toString();
    return unescape(token.mid(1, token.size() - 2));
}

QString JsonSpans::indented(QByteArrayView json)
{
    QByteArray out;
    out.reserve(json.size() * 2);
    qsizetype depth = 0;
    auto newLine = [&] {
        out += '\n';
        out.append(4 * depth, ' ');
    };
    auto isSpace = [](char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    };
    const qsizetype n = json.size();
    for (qsizetype i = 0; i < n; ++i) {
        const char c = json[i];
        switch (c) {
        case '"': { // the string as written, escapes and all
            qsizetype j = i + 1;
            while (j < n && json[j] != '"')
                j += json[j] == '\\' ? 2 : 1;
            j = qMin(j, n - 1);
            out.append(json.sliced(i, j - i + 1));
            i = j;
            break;
        }
        case '{':
        case '[': {
            qsizetype j = i + 1;
            while (j < n && isSpace(json[j]))
                ++j;
            if (j < n && json[j] == (c == '{' ? '}' : ']')) { // empty: {} or []
                out += c;
                out += json[j];
                i = j;
                break;
            }
            out += c;
            ++depth;
            newLine();
            break;
        }
        case '}':
        case ']':
            depth = qMax<qsizetype>(0, depth - 1);
            if (!out.isEmpty())
                newLine();
            out += c;
            break;
        case ',':
            out += c;
            newLine();
            break;
        case ':':
            out += ": ";
            break;
        case ' ':
        case '\t':
        case '\n':
        case '\r':
            break;
        default:
            out += c;
        }
    }
    return QString::fromUtf8(out);
}

} // namespace cohort::review
