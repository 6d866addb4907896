// Offline review throughput on one large NDJSON file from the page cache:
//   bench_review FILE
// Prints figures only: read()+memchr and mmap+memchr baselines, NdjsonIndex (and the per-type
// counts it gives), simdjson alone, ResourceScan, peak RSS; wall and CPU time. Asserts nothing.

#include "ProcessStats.h"
#include "review/NdjsonIndex.h"
#include "review/ResourceScan.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QMap>
#include <QTextStream>
#include <QThread>

#include <memory>

#include <simdjson.h>

#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <vector>

using namespace cohort::review;
using namespace Qt::StringLiterals;

namespace {

double gbps(qint64 bytes, qint64 ns)
{
    return ns > 0 ? double(bytes) / double(ns) : 0.0; // bytes per ns == GB/s
}

qint64 peakRssKb()
{
    return cohort::bench::peakRssKiB();
}

// The resident set now (not the peak), from /proc where there is one; -1 elsewhere.
qint64 currentRssKb()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}

// CPU time of the whole process (all threads), so figures stay meaningful on a shared machine.
qint64 cpuNs()
{
    return cohort::bench::cpuNs();
}

QString rate(qint64 bytes, qint64 wallNs, qint64 cpuNsUsed)
{
    return QString::number(gbps(bytes, wallNs), 'f', 2) + u" GB/s ("_s +
           QString::number(gbps(bytes, cpuNsUsed), 'f', 2) + u" per CPU second)"_s;
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

    // Rounds of each measure alternate and the best of each is kept, so a busy moment on the
    // (shared, virtual) machine does not favour one side of a comparison.
    struct Timing
    {
        qint64 ns = 0, cpu = 0;
        void keepBest(qint64 n, qint64 c)
        {
            if (ns == 0 || n < ns) {
                ns = n;
                cpu = c;
            }
        }
    };
    const int rounds = qMax(1, qEnvironmentVariableIntValue("BENCH_ROUNDS") > 0
                                   ? qEnvironmentVariableIntValue("BENCH_ROUNDS")
                                   : 5);

    // Baseline: read() in 1 MiB blocks + memchr; against it, the index. A first baseline run
    // warms the page cache.
    qint64 newlines = 0;
    Timing baseline, indexTime;
    std::vector<char> block(1 << 20);
    QElapsedTimer t;
    auto countNewlines = [&] {
        file.seek(0);
        newlines = 0;
        qint64 n;
        while ((n = file.read(block.data(), qint64(block.size()))) > 0) {
            const char *p = block.data(), *end = p + n;
            while ((p = static_cast<const char *>(std::memchr(p, '\n', size_t(end - p))))) {
                ++newlines;
                ++p;
            }
        }
    };
    countNewlines();
    std::unique_ptr<NdjsonIndex> indexHolder;
    qint64 firstLinesNs = -1;
    for (int round = 0; round < rounds; ++round) {
        t.start();
        qint64 cpu0 = cpuNs();
        countNewlines();
        baseline.keepBest(t.nsecsElapsed(), cpuNs() - cpu0);

        indexHolder = std::make_unique<NdjsonIndex>(path);
        qint64 firstNs = -1;
        QObject::connect(indexHolder.get(), &NdjsonIndex::linesAvailable, &app, [&](qint64 count) {
            if (firstNs < 0 && count > 0)
                firstNs = t.nsecsElapsed();
        });
        QObject::connect(indexHolder.get(), &NdjsonIndex::finished, &app, &QCoreApplication::quit);
        t.start();
        cpu0 = cpuNs();
        indexHolder->start();
        QCoreApplication::exec();
        indexTime.keepBest(t.nsecsElapsed(), cpuNs() - cpu0);
        if (firstLinesNs < 0 || firstNs < firstLinesNs)
            firstLinesNs = firstNs;
    }
    const NdjsonIndex &index = *indexHolder;
    const qint64 baselineNs = baseline.ns, baselineCpu = baseline.cpu;
    const qint64 indexNs = indexTime.ns, indexCpu = indexTime.cpu;
    out << "file                 " << size / (1024 * 1024) << " MiB, " << newlines << " lines ("
        << rounds << " rounds of each measure below, the best kept)\n";
    out << "baseline read+memchr " << rate(size, baselineNs, baselineCpu) << '\n';
    const double indexGbps = gbps(size, indexNs);
    out << "NdjsonIndex          " << rate(size, indexNs, indexCpu) << ", "
        << QString::number(indexGbps / gbps(size, baselineNs), 'f', 2) << "x baseline ("
        << QString::number(gbps(size, indexCpu) / gbps(size, baselineCpu), 'f', 2)
        << "x in CPU time), " << index.lineCount() << " lines, types "
        << index.typeTable().join(QLatin1Char(',')) << '\n';
    out << "first linesAvailable " << QString::number(double(firstLinesNs) / 1e6, 'f', 2)
        << " ms\n";
    out << "index bytes per line "
        << QString::number(double(index.indexBytes()) / double(qMax<qint64>(1, index.lineCount())),
                           'f', 2)
        << '\n';
    out << "peak RSS after index " << peakRssKb() / 1024 << " MiB\n";
    out.flush();

    // References: simdjson alone, no checks, over the same 4 MiB read() blocks: the DOM parser
    // on each line, and a document stream (parse_many, 1 MiB batches) over a block's complete
    // lines, which ResourceScan uses where lines line up.
    auto simdjsonAlone = [&](bool stream, qint64 *parsed, qint64 *failed) {
        simdjson::dom::parser parser;
#ifdef SIMDJSON_THREADS_ENABLED
        parser.threaded = false; // one core, as ResourceScan
#endif
        std::vector<char> buffer((4 << 20) + simdjson::SIMDJSON_PADDING);
        *parsed = *failed = 0;
        file.seek(0);
        size_t filled = 0;
        for (;;) {
            const qint64 n = file.read(buffer.data() + filled,
                                       qint64(buffer.size() - simdjson::SIMDJSON_PADDING - filled));
            if (n <= 0)
                break;
            const char *cur = buffer.data(), *end = cur + filled + size_t(n);
            if (stream) {
                const char *complete = end;
                while (complete > cur && complete[-1] != '\n')
                    --complete;
                simdjson::dom::document_stream docs;
                if (parser.parse_many(cur, size_t(complete - cur), 1 << 20).get(docs)) {
                    ++*failed;
                } else {
                    for (auto doc : docs) {
                        simdjson::dom::element e;
                        if (doc.get(e)) {
                            ++*failed;
                            break;
                        }
                        ++*parsed;
                    }
                }
                cur = complete;
            } else {
                while (const char *nl =
                           static_cast<const char *>(std::memchr(cur, '\n', size_t(end - cur)))) {
                    if (nl > cur) {
                        simdjson::dom::element doc;
                        if (parser.parse(cur, size_t(nl - cur), false).get(doc))
                            ++*failed;
                        else
                            ++*parsed;
                    }
                    cur = nl + 1;
                }
            }
            filled = size_t(end - cur);
            std::memmove(buffer.data(), cur, filled);
        }
    };
    Timing lines, stream, scan, scanOne;
    qint64 linesParsed = 0, linesFailed = 0, streamParsed = 0, streamFailed = 0;
    std::atomic_bool cancel{false};
    const qint64 rssBeforeScan = currentRssKb();
    ScanResult r;
    for (int round = 0; round < rounds; ++round) {
        t.start();
        qint64 cpu0 = cpuNs();
        simdjsonAlone(false, &linesParsed, &linesFailed);
        lines.keepBest(t.nsecsElapsed(), cpuNs() - cpu0);
        t.start();
        cpu0 = cpuNs();
        simdjsonAlone(true, &streamParsed, &streamFailed);
        stream.keepBest(t.nsecsElapsed(), cpuNs() - cpu0);
        ScanOptions one;
        one.threads = 1;
        t.start();
        cpu0 = cpuNs();
        r = ResourceScan::scan({{path, {}, -1}}, one, cancel);
        scanOne.keepBest(t.nsecsElapsed(), cpuNs() - cpu0);
        t.start();
        cpu0 = cpuNs();
        r = ResourceScan::scan({{path, {}, -1}}, ScanOptions{}, cancel);
        scan.keepBest(t.nsecsElapsed(), cpuNs() - cpu0);
    }
    out << "simdjson DOM alone   " << rate(size, lines.ns, lines.cpu) << ", " << linesParsed
        << " parsed, " << linesFailed << " failed (each line)\n";
    out << "simdjson stream alone " << rate(size, stream.ns, stream.cpu) << ", " << streamParsed
        << " parsed, " << streamFailed << " failed (parse_many)\n";
    const Timing &fastest = stream.ns < lines.ns ? stream : lines;
    out << "ResourceScan 1 thread " << rate(size, scanOne.ns, scanOne.cpu) << "; "
        << QString::number(double(fastest.ns) / double(scanOne.ns), 'f', 2)
        << "x the faster simdjson alone ("
        << QString::number(double(fastest.cpu) / double(scanOne.cpu), 'f', 2) << "x in CPU time)\n";
    out << "ResourceScan " << QThread::idealThreadCount() << " threads "
        << rate(size, scan.ns, scan.cpu) << ", " << r.problemCount << " problems, "
        << r.countsByType.size() << " types; "
        << QString::number(double(fastest.ns) / double(scan.ns), 'f', 2)
        << "x the faster simdjson alone (one core), "
        << QString::number(double(scanOne.ns) / double(scan.ns), 'f', 2)
        << "x its own time on 1 thread\n";
    // Per-type counts fused with indexing: the index keeps a type per line (a cheap check of
    // the line's start, a full parse as fallback), so counting is the index's throughput.
    QMap<QString, qint64> fused;
    const QStringList types = index.typeTable();
    for (qint64 line = 0; line < index.lineCount(); ++line) {
        const quint8 id = index.typeIdOf(line);
        if (id >= NdjsonIndex::FirstTableType && id - NdjsonIndex::FirstTableType < types.size())
            ++fused[types.at(id - NdjsonIndex::FirstTableType)];
    }
    out << "fused per-type count " << rate(size, indexNs, indexCpu) << " (the index), "
        << (fused == r.countsByType ? "same counts as ResourceScan" : "COUNTS DIFFER") << '\n';
    out << "peak RSS             " << peakRssKb() / 1024 << " MiB (before the scan "
        << rssBeforeScan / 1024 << " MiB, of which the index " << index.indexBytes() / (1024 * 1024)
        << " MiB)\n";
    // The baseline's count over a fresh memory mapping (page faults instead of copies); last,
    // as the mapped pages count in the peak RSS.
    {
        const int fd = ::open(argv[1], O_RDONLY);
        QElapsedTimer tm;
        tm.start();
        const qint64 cpu0 = cpuNs();
        void *map =
            fd >= 0 ? mmap(nullptr, size_t(size), PROT_READ, MAP_PRIVATE, fd, 0) : MAP_FAILED;
        qint64 count = 0;
        if (map != MAP_FAILED) {
            const char *p = static_cast<const char *>(map), *end = p + size;
            while ((p = static_cast<const char *>(std::memchr(p, '\n', size_t(end - p))))) {
                ++count;
                ++p;
            }
            munmap(map, size_t(size));
        }
        if (fd >= 0)
            ::close(fd);
        out << "mmap+memchr          " << rate(size, tm.nsecsElapsed(), cpuNs() - cpu0) << ", "
            << count << " lines\n";
        out.flush();
    }
    return 0;
}
