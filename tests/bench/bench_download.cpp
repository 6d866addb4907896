// The engine's download stage alone, for throughput and memory figures:
//   bench_download LIST OUT_DIR [--parallel N] [--ca-cert FILE] [--no-gzip]
// LIST has one "Type URL" per line. Prints seconds, bytes on disk, MB/s and peak RSS.

#include "ProcessStats.h"
#include "export/DownloadQueue.h"
#include "fhir/FhirClient.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QNetworkAccessManager>
#include <QTextStream>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    QTextStream out(stdout);
    QTextStream err(stderr);
    if (args.size() < 3) {
        err << "usage: bench_download LIST OUT_DIR [--parallel N] [--ca-cert FILE] [--no-gzip]\n";
        return 1;
    }
    QFile list(args[1]);
    if (!list.open(QIODevice::ReadOnly | QIODevice::Text)) {
        err << "cannot read " << args[1] << '\n';
        return 1;
    }
    QList<cohort::bulk::FileTask> tasks;
    int n = 0;
    while (!list.atEnd()) {
        const QList<QByteArray> parts = list.readLine().trimmed().split(' ');
        if (parts.size() != 2)
            continue;
        cohort::bulk::FileTask t;
        t.type = QString::fromLatin1(parts[0]);
        t.url = QUrl(QString::fromLatin1(parts[1]));
        t.relativePath =
            QStringLiteral("%1.%2.ndjson").arg(t.type).arg(++n, 3, 10, QLatin1Char('0'));
        tasks.append(t);
    }
    int parallel = 4;
    const qsizetype p = args.indexOf(QStringLiteral("--parallel"));
    if (p > 0 && p + 1 < args.size())
        parallel = args[p + 1].toInt();
    QNetworkAccessManager network;
    cohort::fhir::FhirClient client(
        &network, tasks.isEmpty() ? QUrl() : tasks.first().url.adjusted(QUrl::RemovePath));
    const qsizetype ca = args.indexOf(QStringLiteral("--ca-cert"));
    if (ca > 0 && ca + 1 < args.size()) {
        QFile pem(args[ca + 1]);
        QString error;
        if (!pem.open(QIODevice::ReadOnly) ||
            !client.addTrustedCaCertificates(pem.readAll(), &error)) {
            err << "CA certificate: " << error << '\n';
            return 1;
        }
    }
    cohort::bulk::DownloadOptions options;
    options.gzip = !args.contains(QStringLiteral("--no-gzip"));
    cohort::bulk::DownloadQueue queue(&client, args[2], options, parallel);
    queue.setTasks(tasks);
    int failed = 0;
    qint64 bytes = 0, lines = 0;
    QObject::connect(&queue, &cohort::bulk::DownloadQueue::fileFinished, &app,
                     [&](int, const cohort::bulk::FileResult &r) {
                         if (!r.ok) {
                             ++failed;
                             err << "failed: " << r.message << '\n';
                         }
                         bytes += r.bytes;
                         lines += r.lines;
                     });
    QObject::connect(&queue, &cohort::bulk::DownloadQueue::finished, &app,
                     [] { QCoreApplication::quit(); });
    QElapsedTimer timer;
    timer.start();
    queue.start();
    QCoreApplication::exec();
    const double seconds = double(timer.nsecsElapsed()) / 1e9;
    out << QStringLiteral(
               "files %1 failed %2 lines %3 bytes %4 seconds %5 MBps %6 peak_rss_mb %7\n")
               .arg(tasks.size())
               .arg(failed)
               .arg(lines)
               .arg(bytes)
               .arg(seconds, 0, 'f', 3)
               .arg(double(bytes) / seconds / 1e6, 0, 'f', 1)
               .arg(double(cohort::bench::peakRssKiB()) / 1024.0, 0, 'f', 1);
    return failed ? 1 : 0;
}
