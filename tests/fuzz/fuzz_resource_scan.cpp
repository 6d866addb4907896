// ResourceScan::scan over one to three NDJSON files cut from the input. The first bytes choose
// the number of files, the cut points, the type and count the manifest promised, and the scan
// limits; the rest is the files' content. Counts are checked against the reference line model,
// and the whole result against a scan that parses each line alone and one that parses small
// chunks on several threads.
#include "FuzzSupport.h"
#include "NdjsonModel.h"

#include "review/ResourceScan.h"

#include <QFile>
#include <QTemporaryDir>

using namespace cohort;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static QTemporaryDir dir;
    static const char *const types[] = {"", "Patient", "Observation", "Condition"};
    constexpr size_t kHeader = 6;
    if (size < kHeader)
        return 0;
    const int files = 1 + data[0] % 3;
    review::ScanOptions options;
    if (data[1] & 0x80)
        options.maxLineBytes = 1 + (data[1] & 0x7f) * 8;
    options.maxProblems = data[2] & 0x80 ? data[2] & 0x0f : options.maxProblems;
    const QByteArrayView content(reinterpret_cast<const char *>(data + kHeader),
                                 qsizetype(size - kHeader));
    // Cut points as fractions of the content, in order.
    qsizetype cuts[4] = {0, content.size() * data[3] / 256, content.size() * data[4] / 256,
                         content.size()};
    if (cuts[2] < cuts[1])
        std::swap(cuts[1], cuts[2]);
    if (files == 1)
        cuts[1] = cuts[3];
    if (files <= 2)
        cuts[2] = cuts[3];

    QList<review::ScanInput> inputs;
    QList<QList<fuzz::ModelLine>> models;
    for (int i = 0; i < files; ++i) {
        const QByteArrayView part = content.sliced(cuts[i], cuts[i + 1] - cuts[i]);
        review::ScanInput in;
        in.path = dir.filePath(QStringLiteral("file%1.ndjson").arg(i));
        in.expectedType = QString::fromLatin1(types[(data[5] >> (2 * i)) & 3]);
        in.expectedCount = (data[5] & 0x40) ? qint64((data[5] >> i) & 3) : -1;
        QFile out(in.path);
        FUZZ_CHECK(out.open(QIODevice::WriteOnly | QIODevice::Truncate));
        FUZZ_CHECK(out.write(part.data(), part.size()) == part.size());
        inputs.append(in);
        models.append(fuzz::modelLines(part));
    }

    const std::atomic_bool cancel{false};
    const review::ScanResult result = review::ResourceScan::scan(inputs, options, cancel);
    FUZZ_CHECK(result.error.isEmpty() && !result.cancelled);
    FUZZ_CHECK(result.files.size() == files);
    FUZZ_CHECK(result.problems.size() <= options.maxProblems);
    FUZZ_CHECK(result.problemCount >= result.problems.size());
    qint64 typed = 0;
    for (int i = 0; i < files; ++i) {
        const review::ScanFileResult &file = result.files.at(i);
        qint64 nonEmpty = 0;
        for (const fuzz::ModelLine &line : models.at(i))
            nonEmpty += line.length > 0;
        FUZZ_CHECK(file.resources == nonEmpty);
        FUZZ_CHECK(file.bytes == cuts[i + 1] - cuts[i]);
        qint64 sum = 0;
        for (qint64 count : file.countsByType)
            sum += count;
        FUZZ_CHECK(sum <= file.resources);
        typed += sum;
    }
    qint64 total = 0;
    for (qint64 count : result.countsByType)
        total += count;
    FUZZ_CHECK(total == typed);
    for (const review::Problem &problem : result.problems) {
        qsizetype file = 0;
        while (file < files && inputs.at(file).path != problem.file)
            ++file;
        FUZZ_CHECK(file < files);
        FUZZ_CHECK(problem.line >= 0 && problem.line <= models.at(file).size());
        FUZZ_CHECK((problem.line == 0) == (problem.kind == review::Problem::Class::CountMismatch));
        FUZZ_CHECK(!problem.message.isEmpty());
    }
    // The cache format round-trips what the review window shows.
    const auto back = review::ScanResult::fromJson(result.toJson());
    FUZZ_CHECK(back && back->problemCount == result.problemCount &&
               back->countsByType == result.countsByType);
    // The document stream pass 1 uses where lines line up gives what each line alone gives.
    options.streamParse = false;
    const review::ScanResult alone = review::ResourceScan::scan(inputs, options, cancel);
    FUZZ_CHECK(alone.toJson() == result.toJson());
    // Files cut into small chunks, parsed on several threads: the same again.
    options.streamParse = true;
    options.threads = 2 + data[0] / 3 % 3;
    options.chunkBytes = 1 + ((data[2] >> 4) & 7) * 13;
    const review::ScanResult chunked = review::ResourceScan::scan(inputs, options, cancel);
    FUZZ_CHECK(chunked.toJson() == result.toJson());
    return 0;
}
