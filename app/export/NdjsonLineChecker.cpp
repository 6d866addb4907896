#include "NdjsonLineChecker.h"

#include <cstring>
#include <simdjson.h>

namespace cohort::bulk {

using namespace Qt::StringLiterals;

struct NdjsonLineChecker::Parser
{
    simdjson::dom::parser dom;
};

namespace {

bool isJsonSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

} // namespace

NdjsonLineChecker::NdjsonLineChecker(QString expectedType, QString label, qint64 maxLineBytes)
    : m_type(std::move(expectedType))
    , m_label(std::move(label))
    , m_prefix("{\"resourceType\":\"" + m_type.toUtf8() + '"')
    , m_maxLineBytes(qMax<qint64>(1, maxLineBytes))
{
}

NdjsonLineChecker::~NdjsonLineChecker() = default;

void NdjsonLineChecker::reset()
{
    m_partial.clear();
    m_partialSize = 0;
    m_lineNumber = 1;
    m_resources = 0;
    m_bytes = 0;
    m_completeEnd = 0;
    m_problems.clear();
    m_problemCount = 0;
}

void NdjsonLineChecker::feed(QByteArrayView data)
{
    const char *const begin = data.data();
    const char *const end = begin + data.size();
    const qint64 base = m_bytes;
    m_bytes += data.size();
    const char *p = begin;
    while (p < end) {
        const auto *nl = static_cast<const char *>(std::memchr(p, '\n', size_t(end - p)));
        const qint64 piece = (nl ? nl : end) - p;
        if (!nl || m_partialSize > 0) {
            // Keep at most maxLineBytes of a line in memory; only its length counts beyond.
            const qint64 room = qMax<qint64>(0, m_maxLineBytes - m_partial.size());
            m_partial.append(p, qsizetype(qMin(room, piece)));
            m_partialSize += piece;
        }
        if (!nl)
            break;
        // A whole line: checked straight from the input when it did not span a chunk.
        const bool spanned = m_partialSize > 0;
        const qint64 length = spanned ? m_partialSize : piece;
        if (length > m_maxLineBytes) {
            addProblem(m_lineNumber, tr("%1: line %2 is %3 bytes long, over the limit of %4 "
                                        "bytes; it was not checked.")
                                         .arg(m_label)
                                         .arg(m_lineNumber)
                                         .arg(length)
                                         .arg(m_maxLineBytes));
            ++m_resources; // still a line the server sent
        } else if (spanned) {
            checkLine(m_partial.constData(), m_partial.size(), m_lineNumber);
        } else {
            checkLine(p, qsizetype(piece), m_lineNumber);
        }
        m_partial.clear();
        m_partialSize = 0;
        ++m_lineNumber;
        p = nl + 1;
        m_completeEnd = base + (p - begin);
    }
}

void NdjsonLineChecker::finish()
{
    if (m_partialSize == 0)
        return;
    if (m_partialSize > m_maxLineBytes) {
        addProblem(m_lineNumber, tr("%1: line %2 is %3 bytes long, over the limit of %4 bytes; "
                                    "it was not checked.")
                                     .arg(m_label)
                                     .arg(m_lineNumber)
                                     .arg(m_partialSize)
                                     .arg(m_maxLineBytes));
        ++m_resources;
    } else {
        checkLine(m_partial.constData(), m_partial.size(), m_lineNumber);
    }
    m_partial.clear();
    m_partialSize = 0;
    ++m_lineNumber;
}

void NdjsonLineChecker::discardPartialLine()
{
    m_partial.clear();
    m_partialSize = 0;
    m_bytes = m_completeEnd;
}

void NdjsonLineChecker::checkCount(qint64 expected)
{
    if (expected < 0 || expected == m_resources)
        return;
    addProblem(0, tr("%1: the file has %2 resources, but the manifest announced %3.")
                      .arg(m_label)
                      .arg(m_resources)
                      .arg(expected));
}

void NdjsonLineChecker::checkLine(const char *data, qsizetype size, qint64 lineNumber)
{
    while (size > 0 && isJsonSpace(data[size - 1]))
        --size;
    while (size > 0 && isJsonSpace(*data)) {
        ++data;
        --size;
    }
    if (size == 0)
        return; // blank lines are tolerated and not counted
    ++m_resources;

    const qsizetype n = m_prefix.size();
    if (size > n && std::memcmp(data, m_prefix.constData(), size_t(n)) == 0 &&
        (data[n] == ',' || data[n] == '}') && data[size - 1] == '}' &&
        simdjson::validate_utf8(data, size_t(size))) {
        return;
    }
    fullCheck(data, size, lineNumber);
}

void NdjsonLineChecker::fullCheck(const char *data, qsizetype size, qint64 lineNumber)
{
    if (!simdjson::validate_utf8(data, size_t(size))) {
        addProblem(lineNumber, tr("%1: line %2 is not valid UTF-8.").arg(m_label).arg(lineNumber));
        return;
    }
    if (!m_parser)
        m_parser = std::make_unique<Parser>();
    simdjson::dom::element root;
    if (const auto error = m_parser->dom.parse(data, size_t(size)).get(root)) {
        addProblem(lineNumber, tr("%1: line %2 is not JSON: %3")
                                   .arg(m_label)
                                   .arg(lineNumber)
                                   .arg(QString::fromUtf8(simdjson::error_message(error))));
        return;
    }
    if (!root.is_object()) {
        addProblem(
            lineNumber,
            root.is_array()
                ? tr("%1: line %2 is a JSON array, not an object.").arg(m_label).arg(lineNumber)
                : tr("%1: line %2 is a JSON value, not an object.").arg(m_label).arg(lineNumber));
        return;
    }
    simdjson::dom::element typeElement;
    if (root["resourceType"].get(typeElement)) {
        addProblem(lineNumber, tr("%1: line %2 has no resourceType (expected %3).")
                                   .arg(m_label)
                                   .arg(lineNumber)
                                   .arg(m_type));
        return;
    }
    std::string_view type;
    if (typeElement.get(type)) {
        addProblem(lineNumber, tr("%1: line %2 has a resourceType that is not a string.")
                                   .arg(m_label)
                                   .arg(lineNumber));
        return;
    }
    const QString actual = QString::fromUtf8(type.data(), qsizetype(type.size()));
    if (actual != m_type) {
        addProblem(
            lineNumber,
            tr("%1: line %2 is a %3, not a %4.").arg(m_label).arg(lineNumber).arg(actual, m_type));
    }
}

void NdjsonLineChecker::addProblem(qint64 line, const QString &message)
{
    ++m_problemCount;
    if (m_problems.size() < kMaxKeptProblems)
        m_problems.append({line, message});
}

} // namespace cohort::bulk
