// A whole Group export as a user runs it, for time, memory and GUI-thread figures: kick-off,
// polls, every file downloaded, checked, fsynced and renamed, until export.json says Completed.
//   bench_export BASE_URL GROUP OUT_DIR [--parallel N] [--no-gzip] [--ca-cert FILE]
// OUT_DIR is replaced. A StallProbe ticks on the thread that runs the job (the GUI thread in the
// app) all along. Prints one line of figures; asserts nothing.
//   bench_export --idle-probe STOP_FILE
// The baseline for the stall: the same probe in an idle process until STOP_FILE exists, run beside
// curl or beside the export. What a thread with nothing to do waits for a core on this machine.

#include "ProcessStats.h"
#include "StallProbe.h"
#include "export/ExportJob.h"
#include "fhir/FhirClient.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QNetworkAccessManager>
#include <QTextStream>
#include <QTimer>

using namespace cohort;

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    QTextStream out(stdout);
    QTextStream err(stderr);
    if (args.size() == 3 && args[1] == QStringLiteral("--idle-probe")) {
        const QString stop = args[2];
        bench::StallProbe probe;
        QTimer watch;
        QObject::connect(&watch, &QTimer::timeout, &app, [&stop] {
            if (QFile::exists(stop))
                QCoreApplication::quit();
        });
        watch.start(20);
        probe.start();
        QCoreApplication::exec();
        probe.stop();
        out << QStringLiteral("idle_stall_ms %1\n").arg(probe.longestStallMs(), 0, 'f', 1);
        return 0;
    }
    if (args.size() < 4) {
        err << "usage: bench_export BASE_URL GROUP OUT_DIR [--parallel N] [--no-gzip] "
               "[--ca-cert FILE]\n";
        return 1;
    }
    const QString folder = QDir(args[3]).absolutePath();
    QDir(folder).removeRecursively();

    QNetworkAccessManager network;
    fhir::FhirClient client(&network, QUrl(args[1]));
    if (const qsizetype ca = args.indexOf(QStringLiteral("--ca-cert"));
        ca > 0 && ca + 1 < args.size()) {
        QFile pem(args[ca + 1]);
        QString error;
        if (!pem.open(QIODevice::ReadOnly) ||
            !client.addTrustedCaCertificates(pem.readAll(), &error)) {
            err << "CA certificate: " << error << '\n';
            return 1;
        }
    }
    bulk::ExportRequest request;
    request.level = bulk::ExportRequest::Level::Group;
    request.groupId = args[2];
    bulk::ExportJobOptions options;
    if (const qsizetype p = args.indexOf(QStringLiteral("--parallel"));
        p > 0 && p + 1 < args.size())
        options.parallelDownloads = args[p + 1].toInt();
    options.download.gzip = !args.contains(QStringLiteral("--no-gzip"));
    bulk::ExportJob job(&client, request, folder, options);
    QString why;
    if (!job.prepare(&why)) {
        err << why << '\n';
        return 1;
    }
    QObject::connect(&job, &bulk::ExportJob::finished, &app, [] { QCoreApplication::quit(); });

    bench::StallProbe probe;
    QElapsedTimer clock;
    const qint64 cpuBefore = bench::cpuNs();
    clock.start();
    probe.start();
    job.start();
    QCoreApplication::exec();
    probe.stop();
    const double seconds = double(clock.nsecsElapsed()) / 1e9;
    const double cpu = double(bench::cpuNs() - cpuBefore) / 1e9;

    qint64 bytes = 0, lines = 0;
    for (const auto &f : job.journal().files) {
        bytes += f.bytes;
        lines += f.lines;
    }
    const bool completed = job.journal().state == bulk::ExportState::Completed;
    out << QStringLiteral("state %1 files %2 lines %3 bytes %4 seconds %5 MBps %6 cpu_s %7 "
                          "peak_rss_mb %8 stall_ms %9\n")
               .arg(completed ? QStringLiteral("completed") : QStringLiteral("FAILED"))
               .arg(job.journal().files.size())
               .arg(lines)
               .arg(bytes)
               .arg(seconds, 0, 'f', 3)
               .arg(double(bytes) / seconds / 1e6, 0, 'f', 1)
               .arg(cpu, 0, 'f', 2)
               .arg(double(bench::peakRssKiB()) / 1024.0, 0, 'f', 1)
               .arg(probe.longestStallMs(), 0, 'f', 1);
    if (!completed)
        err << job.journal().message << '\n';
    return completed ? 0 : 1;
}
