#pragma once

// The reference line model the NDJSON fuzzers check the real code against: lines end at "\n",
// one "\r" before it (or at the very end of the file) is not part of the line, and a last line
// without "\n" is still a line.

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

#include <cstring>

namespace cohort::fuzz {

struct ModelLine
{
    qint64 offset = 0;
    qint64 length = 0;
};

// memchr, not a byte loop: the fuzzers call this on megabytes, and a loop in the target would be
// instrumented for coverage.
inline QList<ModelLine> modelLines(QByteArrayView file)
{
    QList<ModelLine> lines;
    const char *const begin = file.data();
    const char *const end = begin + file.size();
    const char *start = begin;
    auto add = [&](const char *stop) {
        qint64 length = stop - start;
        if (length > 0 && stop[-1] == '\r')
            --length;
        lines.append({qint64(start - begin), length});
    };
    while (start < end) {
        const char *nl = static_cast<const char *>(std::memchr(start, '\n', size_t(end - start)));
        add(nl ? nl : end);
        if (!nl)
            break;
        start = nl + 1;
    }
    return lines;
}

} // namespace cohort::fuzz
