// NdjsonIndex over a file holding the input. The first byte chooses whether the input is
// preceded by nearly one read block (2 MiB in NdjsonIndex.cpp) of ordinary lines, so that lines
// straddle the block boundary (an unfinished line carried into the next block, "\r" and "\n" in
// different blocks). Every line is checked against the reference model (NdjsonModel.h).
#include "FuzzSupport.h"
#include "NdjsonModel.h"

#include "review/NdjsonIndex.h"

#include <QFile>
#include <QTemporaryDir>

using namespace cohort;

namespace {

constexpr qint64 kIndexBlock = 2 * 1024 * 1024;

QByteArray filler(qint64 size)
{
    static const QByteArray full = [] {
        // Long lines: few of them, so the index is quick and the fuzzer fast.
        const QByteArray line =
            R"({"resourceType":"Binary","id":"b1","data":")" + QByteArray(64 * 1024, 'A') + "\"}\n";
        QByteArray out;
        out.reserve(kIndexBlock + line.size());
        while (out.size() < kIndexBlock)
            out.append(line);
        return out;
    }();
    return full.first(size);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static QTemporaryDir dir;
    static const QString path = dir.filePath(QStringLiteral("input.ndjson"));
    if (size < 3)
        return 0;
    const bool straddle = data[0] & 1;
    const qint64 back = (data[1] | data[2] << 8) % 4096;
    QByteArray file;
    if (straddle)
        file = filler(kIndexBlock - back);
    const qint64 inputStart = file.size();
    file.append(reinterpret_cast<const char *>(data + 3), qsizetype(size - 3));
    {
        QFile out(path);
        FUZZ_CHECK(out.open(QIODevice::WriteOnly | QIODevice::Truncate));
        FUZZ_CHECK(out.write(file) == file.size());
    }

    review::NdjsonIndex index(path);
    index.start();
    index.waitForFinished();
    QCoreApplication::processEvents(); // delivers the queued signals (nobody listens)
    FUZZ_CHECK(index.isFinished());
    FUZZ_CHECK(index.errorString().isEmpty());
    FUZZ_CHECK(!index.hasChanged());
    FUZZ_CHECK(index.bytesIndexed() == file.size());

    const QList<fuzz::ModelLine> lines = fuzz::modelLines(file);
    FUZZ_CHECK(index.lineCount() == lines.size());
    FUZZ_CHECK(index.typeTable().size() <=
               review::NdjsonIndex::OtherType - review::NdjsonIndex::FirstTableType);
    for (qint64 i = 0; i < lines.size(); ++i) {
        const fuzz::ModelLine &expected = lines.at(i);
        if (expected.offset + expected.length + 1 < inputStart)
            continue; // the filler, the same every time
        const review::NdjsonIndex::LineRange range = index.lineRange(i);
        FUZZ_CHECK(range.offset == expected.offset);
        FUZZ_CHECK(range.length == expected.length);
        QString error;
        const QByteArray bytes = index.readLine(i, &error);
        FUZZ_CHECK(error.isEmpty());
        FUZZ_CHECK(bytes == QByteArrayView(file).sliced(expected.offset, expected.length));
        const quint8 type = index.typeIdOf(i);
        FUZZ_CHECK((type == review::NdjsonIndex::EmptyLine) == (expected.length == 0));
        if (type >= review::NdjsonIndex::FirstTableType && type < review::NdjsonIndex::OtherType)
            FUZZ_CHECK(!index.typeOf(i).isEmpty());
    }
    FUZZ_CHECK(index.lineRange(lines.size()).offset == -1);
    FUZZ_CHECK(index.lineRange(-1).offset == -1);
    return 0;
}
