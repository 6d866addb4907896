// Writes FHIR-shaped NDJSON files from the demo data generator for benchmarks:
//   bench_generate_ndjson OUT_DIR MEGABYTES [--max-file-mb N]
// One file per resource type, rolled over every --max-file-mb (default 256), until the total
// reaches MEGABYTES. Deterministic (seed 1).

#include "demo/SyntheticCohort.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTextStream>

#include <map>
#include <memory>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    QTextStream err(stderr);
    if (args.size() < 3) {
        err << "usage: bench_generate_ndjson OUT_DIR MEGABYTES [--max-file-mb N]\n";
        return 1;
    }
    const QString outDir = args[1];
    const qint64 target = args[2].toLongLong() * 1024 * 1024;
    qint64 maxFile = 256ll * 1024 * 1024;
    const qsizetype maxIndex = args.indexOf(QStringLiteral("--max-file-mb"));
    if (maxIndex > 0 && maxIndex + 1 < args.size())
        maxFile = args[maxIndex + 1].toLongLong() * 1024 * 1024;
    if (!QDir().mkpath(outDir)) {
        err << "cannot create " << outDir << '\n';
        return 1;
    }
    // About 39 KB of NDJSON per patient; a little more than needed, the loop stops at target.
    const int patients = int(qMin<qint64>(target / 30000 + 100, 2000000));
    cohort::demo::SyntheticCohort cohort(patients, 1);
    struct Out
    {
        std::unique_ptr<QFile> file;
        int sequence = 0;
        qint64 size = 0;
    };
    std::map<QString, Out> outs;
    qint64 total = 0;
    QTextStream listing(stdout);
    auto open = [&](const QString &type, Out &o) {
        if (o.file) {
            o.file->close();
            listing << type << ' ' << QFileInfo(*o.file).fileName() << '\n';
        }
        ++o.sequence;
        o.file = std::make_unique<QFile>(QDir(outDir).filePath(
            QStringLiteral("%1.%2.ndjson").arg(type).arg(o.sequence, 3, 10, QLatin1Char('0'))));
        o.size = 0;
        return o.file->open(QIODevice::WriteOnly | QIODevice::Truncate);
    };
    for (int i = 0; i < patients && total < target; ++i) {
        for (const auto &r : cohort.resourcesForPatient(i)) {
            const QString type(r.type);
            Out &o = outs[type];
            if ((!o.file || o.size >= maxFile) && !open(type, o)) {
                err << "cannot write in " << outDir << '\n';
                return 1;
            }
            o.file->write(r.json);
            o.file->write("\n", 1);
            o.size += r.json.size() + 1;
            total += r.json.size() + 1;
        }
    }
    for (auto &[type, o] : outs) {
        o.file->close();
        listing << type << ' ' << QFileInfo(*o.file).fileName() << '\n';
    }
    err << "wrote " << total / (1024 * 1024) << " MiB in " << outDir << '\n';
    return 0;
}
