// Offline review throughput on one large NDJSON file from the page cache:
//   bench_review FILE
// Prints figures only: memchr baseline, NdjsonIndex, ResourceScan, peak RSS. Asserts nothing.

#include "review/NdjsonIndex.h"
#include "review/ResourceScan.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QTextStream>

#include <cstring>
#include <sys/resource.h>
#include <vector>

using namespace cohort::review;

namespace {

double gbps(qint64 bytes, qint64 ns)
{
    return ns > 0 ? double(bytes) / double(ns) : 0.0; // bytes per ns == GB/s
}

qint64 peakRssKb()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QTextStream out(stdout);
    if (argc < 2) {
        out << "usage: bench_review FILE\n";
        return 1;
    }
    const QString path = QString::fromLocal8Bit(argv[1]);
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        out << "cannot read " << path << '\n';
        return 1;
    }
    const qint64 size = file.size();

    // Baseline: read() in 1 MiB blocks + memchr. Run twice; the first warms the page cache.
    qint64 newlines = 0, baselineNs = 0;
    std::vector<char> block(1 << 20);
    for (int pass = 0; pass < 2; ++pass) {
        file.seek(0);
        newlines = 0;
        QElapsedTimer t;
        t.start();
        qint64 n;
        while ((n = file.read(block.data(), qint64(block.size()))) > 0) {
            const char *p = block.data(), *end = p + n;
            while ((p = static_cast<const char *>(std::memchr(p, '\n', size_t(end - p))))) {
                ++newlines;
                ++p;
            }
        }
        baselineNs = t.nsecsElapsed();
    }
    out << "file                 " << size / (1024 * 1024) << " MiB, " << newlines << " lines\n";
    out << "baseline read+memchr " << QString::number(gbps(size, baselineNs), 'f', 2) << " GB/s\n";
    out.flush();

    NdjsonIndex index(path);
    QElapsedTimer t;
    qint64 firstLinesNs = -1;
    QObject::connect(&index, &NdjsonIndex::linesAvailable, &app, [&](qint64 count) {
        if (firstLinesNs < 0 && count > 0)
            firstLinesNs = t.nsecsElapsed();
    });
    QObject::connect(&index, &NdjsonIndex::finished, &app, &QCoreApplication::quit);
    t.start();
    index.start();
    QCoreApplication::exec();
    const qint64 indexNs = t.nsecsElapsed();
    const double indexGbps = gbps(size, indexNs);
    out << "NdjsonIndex          " << QString::number(indexGbps, 'f', 2) << " GB/s ("
        << QString::number(indexGbps / gbps(size, baselineNs), 'f', 2) << "x baseline), "
        << index.lineCount() << " lines, types " << index.typeTable().join(QLatin1Char(','))
        << '\n';
    out << "first linesAvailable " << QString::number(double(firstLinesNs) / 1e6, 'f', 2)
        << " ms\n";
    out << "index bytes per line "
        << QString::number(double(index.indexBytes()) / double(qMax<qint64>(1, index.lineCount())),
                           'f', 2)
        << '\n';
    out << "peak RSS after index " << peakRssKb() / 1024 << " MiB\n";
    out.flush();

    std::atomic_bool cancel{false};
    t.start();
    const ScanResult r = ResourceScan::scan({{path, {}, -1}}, ScanOptions{}, cancel);
    const qint64 scanNs = t.nsecsElapsed();
    out << "ResourceScan         " << QString::number(gbps(size, scanNs), 'f', 2) << " GB/s, "
        << r.problemCount << " problems, " << r.countsByType.size() << " types\n";
    out << "peak RSS             " << peakRssKb() / 1024 << " MiB\n";
    return 0;
}
