// The tokens behind the review window's highlighted JSON, and which references are local.
#include "review/JsonSpans.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace cohort::review;
using namespace Qt::StringLiterals;

namespace {

// "K1+6" (kind, start, length), "S13+18=Patient/p1" for a reference value.
QStringList describe(const QList<JsonSpan> &spans)
{
    QStringList out;
    for (const JsonSpan &s : spans) {
        const char kind = "KSNLP"[int(s.kind)];
        QString d = u"%1%2+%3"_s.arg(QLatin1Char(kind)).arg(s.start).arg(s.length);
        if (!s.reference.isEmpty())
            d += u'=' + s.reference;
        out << d;
    }
    return out;
}

QStringList spansOf(const QString &text)
{
    return describe(JsonSpans::of(text));
}

} // namespace

class TestJsonSpans : public QObject
{
    Q_OBJECT
private slots:
    void compact()
    {
        QCOMPARE(spansOf(u"{\"a\":1}"_s), (QStringList{u"P0+1"_s, u"K1+3"_s, u"P4+1"_s, u"N5+1"_s, u"P6+1"_s}));
        QCOMPARE(spansOf({}), QStringList());
    }

    void prettyNested()
    {
        const QString text = QStringList{
            u"{"_s,
            u"    \"a\": ["_s,
            u"        -1.5e+3,"_s,
            u"        true,"_s,
            u"        false,"_s,
            u"        null"_s,
            u"    ],"_s,
            u"    \"subject\": {"_s,
            u"        \"reference\": \"Patient/p1\""_s,
            u"    }"_s,
            u"}"_s,
            u""_s,
        }.join(u'\n');
        QCOMPARE(spansOf(text), (QStringList{
                                    u"P0+1"_s,                                   // {
                                    u"K6+3"_s, u"P9+1"_s, u"P11+1"_s,            // "a": [
                                    u"N21+7"_s, u"P28+1"_s,                      // -1.5e+3,
                                    u"L38+4"_s, u"P42+1"_s,                      // true,
                                    u"L52+5"_s, u"P57+1"_s,                      // false,
                                    u"L67+4"_s,                                  // null
                                    u"P76+1"_s, u"P77+1"_s,                      // ],
                                    u"K83+9"_s, u"P92+1"_s, u"P94+1"_s,          // "subject": {
                                    u"K104+11"_s, u"P115+1"_s, u"S117+12=Patient/p1"_s,
                                    u"P134+1"_s,                                 // }
                                    u"P136+1"_s,                                 // }
                                }));
    }

    void escapes()
    {
        // An escaped quote does not end a string; an escaped backslash before the quote does:
        // {"a\"b":"c\\","d":"\u0041\"x"}
        QCOMPARE(spansOf(u"{\"a\\\"b\":\"c\\\\\",\"d\":\"\\u0041\\\"x\"}"_s),
                 (QStringList{u"P0+1"_s, u"K1+6"_s, u"P7+1"_s, u"S8+5"_s, u"P13+1"_s, u"K14+3"_s,
                              u"P17+1"_s, u"S18+11"_s, u"P29+1"_s}));
        // The reference is unescaped: {"reference":"Patient\/p\u0031"}
        QCOMPARE(spansOf(u"{\"reference\":\"Patient\\/p\\u0031\"}"_s),
                 (QStringList{u"P0+1"_s, u"K1+11"_s, u"P12+1"_s, u"S13+18=Patient/p1"_s, u"P31+1"_s}));
        // The member name too: {"refer\u0065nce":"Patient/x"}
        QCOMPARE(spansOf(u"{\"refer\\u0065nce\":\"Patient/x\"}"_s),
                 (QStringList{u"P0+1"_s, u"K1+16"_s, u"P17+1"_s, u"S18+11=Patient/x"_s, u"P29+1"_s}));
        // Positions count UTF-16 code units, as QTextCursor does: the emoji is two.
        QCOMPARE(spansOf(u"{\"e\":\"\U0001F600\",\"n\":1}"_s),
                 (QStringList{u"P0+1"_s, u"K1+3"_s, u"P4+1"_s, u"S5+4"_s, u"P9+1"_s, u"K10+3"_s,
                              u"P13+1"_s, u"N14+1"_s, u"P15+1"_s}));
        // A surrogate pair and the other escapes in a reference value:
        // {"reference":"\ud83d\ude00\n\t\b\f\r\\\"\/"}
        const auto spans = JsonSpans::of(u"{\"reference\":\"\\ud83d\\ude00\\n\\t\\b\\f\\r\\\\\\\"\\/\"}"_s);
        QCOMPARE(spans.size(), 5);
        QCOMPARE(spans[3].reference, u"\U0001F600\n\t\b\f\r\\\"/"_s);
    }

    void referencesAtAnyDepthOnlyWhenStrings()
    {
        // {"reference":{"reference":"A/1"},"x":{"reference":7,"y":"B/2"},"z":["reference","C/3"]}
        const QString text =
            u"{\"reference\":{\"reference\":\"A/1\"},\"x\":{\"reference\":7,\"y\":\"B/2\"},\"z\":[\"reference\",\"C/3\"]}"_s;
        QCOMPARE(spansOf(text),
                 (QStringList{
                     u"P0+1"_s, u"K1+11"_s, u"P12+1"_s,                  // {"reference":  (an object)
                     u"P13+1"_s, u"K14+11"_s, u"P25+1"_s, u"S26+5=A/1"_s, // {"reference":"A/1"
                     u"P31+1"_s, u"P32+1"_s,                              // },
                     u"K33+3"_s, u"P36+1"_s, u"P37+1"_s,                  // "x":{
                     u"K38+11"_s, u"P49+1"_s, u"N50+1"_s,                 // "reference":7 (a number)
                     u"P51+1"_s, u"K52+3"_s, u"P55+1"_s, u"S56+5"_s,      // ,"y":"B/2"  (another key)
                     u"P61+1"_s, u"P62+1"_s,                              // },
                     u"K63+3"_s, u"P66+1"_s, u"P67+1"_s,                  // "z":[
                     u"S68+11"_s, u"P79+1"_s, u"S80+5"_s,                 // "reference","C/3" (values)
                     u"P85+1"_s, u"P86+1"_s,                              // ]}
                 }));
        // null, an array of strings: not references either.
        QCOMPARE(spansOf(u"{\"reference\":null,\"reference\":[\"P/1\"]}"_s),
                 (QStringList{u"P0+1"_s, u"K1+11"_s, u"P12+1"_s, u"L13+4"_s, u"P17+1"_s, u"K18+11"_s,
                              u"P29+1"_s, u"P30+1"_s, u"S31+5"_s, u"P36+1"_s, u"P37+1"_s}));
        // Whitespace between a name, its colon and its value.
        QCOMPARE(spansOf(u"{ \"reference\" :\n \"P/1\" }"_s),
                 (QStringList{u"P0+1"_s, u"K2+11"_s, u"P14+1"_s, u"S17+5=P/1"_s, u"P23+1"_s}));
    }

    void notJson()
    {
        // Never a crash or a loop; what looks like a token is one.
        QCOMPARE(spansOf(u"{\"a\":\"b"_s), (QStringList{u"P0+1"_s, u"K1+3"_s, u"P4+1"_s, u"S5+2"_s}));
        QCOMPARE(spansOf(u"\"ab\\"_s), QStringList{u"S0+4"_s});
        QCOMPARE(spansOf(u"@ tru #1"_s), QStringList{u"N7+1"_s});
        // An unterminated string ends with its line, also after a backslash.
        QCOMPARE(spansOf(u"\"ab\n1"_s), (QStringList{u"S0+3"_s, u"N4+1"_s}));
        QCOMPARE(spansOf(u"\"a\\\n1"_s), (QStringList{u"S0+3"_s, u"N4+1"_s}));
    }

    void elideLongLines()
    {
        auto marker = [](qsizetype n) { return u"[%1]"_s.arg(n); };
        const QString line = u'"' + QString(100, u'A') + u"\","_s; // 103 characters
        const QString text = u"x\n"_s + line + u"\ny"_s;
        QCOMPARE(JsonSpans::elideLongLines(text, 40, marker),
                 u"x\n"_s + line.left(20) + u"[19]"_s + line.right(64) + u"\ny"_s);
        QCOMPARE(JsonSpans::elideLongLines(text, 103, marker), text); // not longer than the limit
        QCOMPARE(JsonSpans::elideLongLines(line, 40, marker), line.left(20) + u"[19]"_s + line.right(64));
        // The string stays one span, closed, and what follows keeps its spans.
        QCOMPARE(spansOf(JsonSpans::elideLongLines(u"["_s + line + u"1]"_s, 40, marker)),
                 (QStringList{u"P0+1"_s, u"S1+84"_s, u"P85+1"_s, u"N86+1"_s, u"P87+1"_s}));
        // Not right after a backslash (the marker would be escaped), nor inside a surrogate pair.
        const QString escaped = u'"' + QString(18, u'A') + u"\\\""_s + QString(80, u'B') + u'"';
        QCOMPARE(JsonSpans::elideLongLines(escaped, 40, marker),
                 escaped.left(19) + u"[19]"_s + escaped.mid(38));
        const QString emoji = u'"' + QString(18, u'A') + u"\U0001F600"_s + QString(80, u'B') + u'"';
        QCOMPARE(JsonSpans::elideLongLines(emoji, 40, marker), emoji.left(19) + u"[19]"_s + emoji.mid(38));
    }

    // For any text QJsonDocument writes compactly, the spans cover it exactly, one after another.
    void coversCompactJson()
    {
        QJsonObject o{{u"resourceType"_s, u"Observation"_s},
                      {u"note"_s, u"quote \" backslash \\ tab \t ctrl \x01 é \U0001F600"_s},
                      {u"value"_s, -0.25},
                      {u"flags"_s, QJsonArray{true, false, QJsonValue::Null, QJsonObject{}, QJsonArray{}}},
                      {u"subject"_s, QJsonObject{{u"reference"_s, u"Patient/p1"_s}}}};
        const QString text = QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
        qsizetype at = 0;
        QStringList references;
        for (const JsonSpan &s : JsonSpans::of(text)) {
            QCOMPARE(s.start, at);
            at += s.length;
            if (!s.reference.isEmpty())
                references << s.reference;
        }
        QCOMPARE(at, text.size());
        QCOMPARE(references, QStringList{u"Patient/p1"_s});
    }

    // The detail view's layout: QJsonDocument's indentation, the file's order and text.
    void indented();

    void localReferences()
    {
        auto key = [](const QString &ref) {
            const auto r = LocalReference::parse(ref);
            return r ? r->type + u'|' + r->id : u"-"_s;
        };
        QCOMPARE(key(u"Patient/123"_s), u"Patient|123"_s);
        QCOMPARE(key(u"Patient/a-b.C"_s), u"Patient|a-b.C"_s);
        QCOMPARE(key(u"Patient/123/_history/2"_s), u"Patient|123"_s);
        QCOMPARE(LocalReference::parse(u"Patient/123/_history/2"_s)->key(), u"Patient/123"_s);
        QCOMPARE(key(u"#contained"_s), u"-"_s);
        QCOMPARE(key(u"urn:uuid:0b4e3f4a-6a5e-4c3b-9d9a-1c2b3a4d5e6f"_s), u"-"_s);
        QCOMPARE(key(u"http://example.org/fhir/Patient/1"_s), u"-"_s);
        QCOMPARE(key(u"Patient/"_s), u"-"_s);
        QCOMPARE(key(u"/1"_s), u"-"_s);
        QCOMPARE(key(u"patient/1"_s), u"-"_s);
        QCOMPARE(key(u"Patient/a b"_s), u"-"_s);
        QCOMPARE(key(u"Patient/1/extra"_s), u"-"_s);
        QCOMPARE(key(u"Patient/1/_history/"_s), u"-"_s);
        QCOMPARE(key(u"Patient/"_s + QString(65, u'a')), u"-"_s);
        QCOMPARE(key(u"Patient/"_s + QString(64, u'a')), u"Patient|"_s + QString(64, u'a'));
    }
};

void TestJsonSpans::indented()
{
    const QByteArray line = R"({"resourceType":"Observation", "id":"o1","valueQuantity":{"value":103.50,"unit":"kg"},"note":[{"text":"a \"quoted\" {text}, with: commas \u00e9\/"}],"e":[ ],"o":{},"n":[1,-2e3,true,null]})";
    const QString expected = QString::fromUtf8(R"({
    "resourceType": "Observation",
    "id": "o1",
    "valueQuantity": {
        "value": 103.50,
        "unit": "kg"
    },
    "note": [
        {
            "text": "a \"quoted\" {text}, with: commas \u00e9\/"
        }
    ],
    "e": [],
    "o": {},
    "n": [
        1,
        -2e3,
        true,
        null
    ]
})");
    QCOMPARE(JsonSpans::indented(line), expected);
    // Not JSON: laid out as far as it goes, nothing lost, nothing read past the end.
    QCOMPARE(JsonSpans::indented("}]\"abc\\"), u"}\n]\"abc\\"_s);
    QCOMPARE(JsonSpans::indented("{\"a\":"), u"{\n    \"a\": "_s);
    QCOMPARE(JsonSpans::indented(""), QString());
    // String tokens as the tree shows them.
    QCOMPARE(JsonSpans::unquoted(u"\"a\\\"b \\u00e9\\/\""_s), u"a\"b \u00e9/"_s);
    QCOMPARE(JsonSpans::unquoted(u"\"plain\""_s), u"plain"_s);
    QCOMPARE(JsonSpans::unquoted(u"42"_s), u"42"_s);
}

QTEST_APPLESS_MAIN(TestJsonSpans)
#include "tst_JsonSpans.moc"
