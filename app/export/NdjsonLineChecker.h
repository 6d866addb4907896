#pragma once

#include "FileDownload.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QList>
#include <QString>
#include <memory>

namespace cohort::bulk {

// Checks NDJSON as it streams past, in bounded memory: every line is one JSON object whose
// resourceType is the expected type, and no line is longer than maxLineBytes. Blank lines are
// skipped (not counted, not problems); CRLF is accepted; a missing final newline is accepted.
// Line numbers in problems are physical, 1-based, so they match what an editor shows.
//
// A line that starts exactly with {"resourceType":"<type>" (the form every Bulk Data server
// writes), ends with '}' and is valid UTF-8 is accepted without a full parse; anything else
// is parsed with simdjson to say precisely what is wrong with it.
class NdjsonLineChecker
{
    Q_DECLARE_TR_FUNCTIONS(NdjsonLineChecker)
public:
    static constexpr int kMaxKeptProblems = 100;

    // label names the file in messages, e.g. "Observation.002.ndjson".
    NdjsonLineChecker(QString expectedType, QString label,
                      qint64 maxLineBytes = 64ll * 1024 * 1024);
    ~NdjsonLineChecker();
    NdjsonLineChecker(const NdjsonLineChecker &) = delete;
    NdjsonLineChecker &operator=(const NdjsonLineChecker &) = delete;

    void feed(QByteArrayView data);
    // The end of the data: checks a last line that has no final newline.
    void finish();
    // Forgets the bytes after the last newline (a partial line about to be cut off the file).
    void discardPartialLine();
    // Adds a problem when the number of resources differs from the manifest's count (>= 0).
    void checkCount(qint64 expected);
    void reset();

    qint64 lines() const { return m_resources; }           // non-blank lines seen (resources)
    qint64 bytes() const { return m_bytes; }               // everything fed
    qint64 completeBytes() const { return m_completeEnd; } // up to and including the last '\n'
    const QList<LineProblem> &problems() const { return m_problems; }
    qint64 problemCount() const { return m_problemCount; }

private:
    void checkLine(const char *data, qsizetype size, qint64 lineNumber);
    void fullCheck(const char *data, qsizetype size, qint64 lineNumber);
    void addProblem(qint64 line, const QString &message);

    struct Parser;
    std::unique_ptr<Parser> m_parser; // simdjson, created on the first line that needs it
    QString m_type;
    QString m_label;
    QByteArray m_prefix; // {"resourceType":"<type>"
    qint64 m_maxLineBytes;

    QByteArray m_partial;     // the current line's bytes so far (at most maxLineBytes)
    qint64 m_partialSize = 0; // its real size, which may exceed what is kept
    qint64 m_lineNumber = 1;  // of the current (partial) line
    qint64 m_resources = 0;
    qint64 m_bytes = 0;
    qint64 m_completeEnd = 0;
    QList<LineProblem> m_problems;
    qint64 m_problemCount = 0;
};

} // namespace cohort::bulk
