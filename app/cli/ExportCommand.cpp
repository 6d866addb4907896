#include "ExportCommand.h"

#include "ConnectionOptions.h"
#include "SignalWatcher.h"
#include "export/ExportJob.h"
#include "fhir/FhirClient.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QLocale>
#include <QNetworkAccessManager>
#include <QTextStream>

namespace cohort::cli {

using namespace Qt::StringLiterals;
using bulk::ExportJob;
using bulk::ExportState;

namespace {

// The options of export and resume beside the connection's.
struct RunOptions
{
    QCommandLineOption parallel{u"parallel"_s, u"Files downloaded at once (default 4)."_s, u"N"_s,
                                u"4"_s};
    QCommandLineOption quiet{u"quiet"_s, u"No progress lines on standard error."_s};
    QCommandLineOption stallTimeout{
        u"stall-timeout"_s,
        u"End a file transfer that makes no progress for this many seconds and resume it "
        "(default 120; 0: never)."_s,
        u"SECONDS"_s, u"120"_s};

    // The download options they set; false (and *error) on a bad value.
    bool apply(const QCommandLineParser &parser, bulk::ExportJobOptions *options,
               QString *error) const
    {
        bool ok = false;
        const double seconds = parser.value(stallTimeout).toDouble(&ok);
        if (!ok || seconds < 0 || seconds > 24 * 3600) {
            *error = u"--stall-timeout must be a number of seconds from 0 to 86400."_s;
            return false;
        }
        options->download.stallTimeoutMs = int(seconds * 1000);
        return true;
    }
};

QString humanBytes(double bytes)
{
    return QLocale::c().formattedDataSize(qint64(bytes), 1, QLocale::DataSizeSIFormat);
}

// Everything a headless export needs around the job: the client, signals, progress lines.
class Runner
{
public:
    QTextStream out{stdout};
    QTextStream err{stderr};
    QNetworkAccessManager network;
    std::unique_ptr<fhir::FhirClient> client; // owns its token provider
    bool quiet = false;

    int fail(const QString &message)
    {
        err << "cohort-export: " << message << '\n';
        err.flush();
        return 1;
    }

    // Returns an error message, empty on success.
    QString connect(const ConnectionSettings &settings)
    {
        QString error;
        client = ConnectionOptions::connect(&network, settings, &error);
        return error;
    }

    int run(ExportJob *job)
    {
        SignalWatcher watcher;
        int interrupts = 0;
        QObject::connect(&watcher, &SignalWatcher::interrupted, job, [&](int) {
            if (++interrupts > 1)
                QCoreApplication::exit(130); // a second Ctrl-C does not wait for the server
            err << "\nCancelling (the server is told to stop; press Ctrl-C again to quit now)...\n";
            err.flush();
            job->cancel();
        });
        QElapsedTimer sinceLine;
        sinceLine.start();
        QObject::connect(job, &ExportJob::logMessage, job, [&](const QString &line) {
            if (!quiet) {
                err << line << '\n';
                err.flush();
            }
        });
        QObject::connect(job, &ExportJob::progressChanged, job, [&] {
            if (quiet || sinceLine.elapsed() < 1000)
                return;
            sinceLine.restart();
            const auto p = job->progress();
            if (p.state == ExportState::Downloading) {
                const auto &d = p.download;
                QString line = u"Downloading: %1/%2 files, %3"_s.arg(p.filesDone)
                                   .arg(p.filesTotal)
                                   .arg(humanBytes(double(d.bytesReceived)));
                if (d.bytesPerSecond > 0)
                    line += u", %1/s"_s.arg(humanBytes(d.bytesPerSecond));
                if (d.etaSeconds >= 0)
                    line += u", about %1 s left"_s.arg(d.etaSeconds);
                err << line << '\n';
                err.flush();
            }
        });
        QObject::connect(job, &ExportJob::finished, job,
                         [](ExportState) { QCoreApplication::exit(0); });
        job->start();
        const int loop = QCoreApplication::exec();
        if (loop == 130)
            return 130;
        printSummary(job);
        switch (job->state()) {
        case ExportState::Completed:
            return 0;
        case ExportState::PartiallyCompleted:
            return 2;
        case ExportState::Cancelled:
            return 130;
        default:
            return 1;
        }
    }

    void printSummary(ExportJob *job)
    {
        const auto &j = job->journal();
        out << "State: " << bulk::stateName(j.state) << '\n';
        out << "Message: " << j.message << '\n';
        out << "Folder: " << QDir::toNativeSeparators(job->folder()) << '\n';
        if (j.transactionTime.isValid())
            out << "Transaction time: " << j.transactionTime.toString(Qt::ISODateWithMs) << '\n';
        qint64 lines = 0;
        for (const auto &f : j.files) {
            out << QStringLiteral("  %1 %2 %3 lines%4\n")
                       .arg(f.task.relativePath, -40)
                       .arg(f.status == bulk::ExportJournal::File::Status::Done ? u"ok"_s
                                                                                : u"MISSING"_s,
                            -8)
                       .arg(f.lines)
                       .arg(f.problemCount ? u", %1 problems"_s.arg(f.problemCount) : QString());
            lines += f.lines;
        }
        out << "Files: " << j.files.size() << ", resources: " << lines << '\n';
        const auto problems = job->problems();
        for (qsizetype i = 0; i < problems.size() && i < 20; ++i)
            out << "Problem: " << problems[i].first << " line " << problems[i].second.line << ": "
                << problems[i].second.message << '\n';
        out.flush();
    }
};

// ./export-<what>-<date-time>, or inside the profile's output folder when it has one.
QString defaultFolder(const bulk::ExportRequest &r, const QString &profileFolder)
{
    const QString what = r.level == bulk::ExportRequest::Level::Group
                             ? u"group-"_s + r.groupId
                             : bulk::ExportRequest::levelName(r.level);
    QString safe = what;
    safe.replace(QRegularExpression(u"[^A-Za-z0-9._-]"_s), u"_"_s);
    const QDir parent = profileFolder.isEmpty() ? QDir::current() : QDir(profileFolder);
    return parent.filePath(
        u"export-%1-%2"_s.arg(safe, QDateTime::currentDateTime().toString(u"yyyyMMdd-HHmmss"_s)));
}

} // namespace

int runExportCommand(const QStringList &arguments)
{
    Runner runner;
    const ConnectionOptions connection;
    RunOptions ro;
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Runs a FHIR Bulk Data export headless: kick-off, status polling (Retry-After, "
        "X-Progress), parallel resumable downloads, checks. Progress goes to standard error, a "
        "summary to standard output.\nAuthorization: --token-env VAR for a bearer token, or "
        "--client-id with --key FILE (SMART Backend Services) or --client-secret-env VAR for "
        "access tokens requested and renewed as the export runs.\nExit codes: 0 complete, 2 "
        "partially completed, 1 failed, 130 cancelled (Ctrl-C asks the server to cancel)."_s);
    parser.addHelpOption();
    const QCommandLineOption group(u"group"_s, u"Export the members of this Group (id)."_s,
                                   u"ID"_s);
    const QCommandLineOption allPatients(u"all-patients"_s,
                                         u"Patient-level export (every patient)."_s);
    const QCommandLineOption system(u"system"_s, u"System-level export (everything)."_s);
    const QCommandLineOption type(u"type"_s, u"Resource types, comma-separated."_s, u"A,B"_s);
    const QCommandLineOption since(
        u"since"_s, u"Only resources changed after this FHIR instant (with time zone)."_s,
        u"INSTANT"_s);
    const QCommandLineOption until(u"until"_s, u"Only resources changed up to this instant."_s,
                                   u"INSTANT"_s);
    const QCommandLineOption typeFilter(
        u"type-filter"_s,
        u"A FHIR search per type, e.g. Observation?category=laboratory (repeatable)."_s,
        u"QUERY"_s);
    const QCommandLineOption elements(u"elements"_s, u"Only these elements, comma-separated."_s,
                                      u"E"_s);
    const QCommandLineOption outputFormat(
        u"output-format"_s, u"_outputFormat (default application/fhir+ndjson)."_s, u"FORMAT"_s);
    const QCommandLineOption patient(
        u"patient"_s, u"Only this patient, e.g. Patient/123 (repeatable; uses POST)."_s, u"REF"_s);
    const QCommandLineOption associated(
        u"include-associated-data"_s, u"includeAssociatedData values, comma-separated."_s, u"V"_s);
    const QCommandLineOption lenient(
        u"lenient"_s,
        u"Ask the server to ignore parameters it does not support (Prefer: handling=lenient)."_s);
    const QCommandLineOption post(u"post"_s, u"Kick off with POST and a Parameters resource."_s);
    const QCommandLineOption out(
        u"out"_s, u"Folder for the export (default ./export-<what>-<date-time>)."_s, u"DIR"_s);
    const QCommandLineOption deleteAfter(
        u"delete-after-download"_s, u"Tell the server it may delete the files once downloaded."_s);
    connection.addTo(parser);
    parser.addOptions({group, allPatients, system, type, since, until, typeFilter, elements,
                       outputFormat, patient, associated, lenient, post, ro.parallel,
                       ro.stallTimeout, out, deleteAfter, ro.quiet});
    parser.process(arguments.mid(1));

    ConnectionSettings settings;
    if (QString error; !connection.read(parser, &settings, &error))
        return runner.fail(error);
    const int levels =
        int(parser.isSet(group)) + int(parser.isSet(allPatients)) + int(parser.isSet(system));
    if (levels != 1)
        return runner.fail(u"choose exactly one of --group ID, --all-patients and --system."_s);

    bulk::ExportRequest request;
    request.level = parser.isSet(group)         ? bulk::ExportRequest::Level::Group
                    : parser.isSet(allPatients) ? bulk::ExportRequest::Level::Patient
                                                : bulk::ExportRequest::Level::System;
    request.groupId = parser.value(group);
    auto list = [&](const QCommandLineOption &o) {
        QStringList values;
        for (const QString &v : parser.values(o))
            for (const QString &part : v.split(u',', Qt::SkipEmptyParts))
                values.append(part.trimmed());
        return values;
    };
    request.types = list(type);
    request.since = parser.value(since);
    request.until = parser.value(until);
    request.typeFilters = parser.values(typeFilter);
    request.elements = list(elements);
    request.outputFormat = parser.value(outputFormat);
    request.patients = parser.values(patient);
    request.includeAssociatedData = list(associated);
    request.lenient = parser.isSet(lenient);
    request.post = parser.isSet(post);
    if (const auto problems = request.validate(); !problems.isEmpty())
        return runner.fail(bulk::ExportRequest::describe(problems));

    bool ok = false;
    bulk::ExportJobOptions options;
    options.parallelDownloads = parser.value(ro.parallel).toInt(&ok);
    if (!parser.isSet(ro.parallel) && settings.parallelDownloads > 0)
        options.parallelDownloads = settings.parallelDownloads; // the profile's preference
    if (!ok || options.parallelDownloads < 1 || options.parallelDownloads > 32)
        return runner.fail(u"--parallel must be a number from 1 to 32."_s);
    options.deleteOnServerAfterDownload = parser.isSet(deleteAfter);
    if (QString why; !ro.apply(parser, &options, &why))
        return runner.fail(why);

    runner.quiet = parser.isSet(ro.quiet);
    const QString error = runner.connect(settings);
    if (!error.isEmpty())
        return runner.fail(error);
    const QString folder =
        parser.isSet(out) ? QDir(parser.value(out)).absolutePath()
                          : defaultFolder(request, settings.outputFolder);
    ExportJob job(runner.client.get(), request, folder, options);
    job.setLabel(request.level == bulk::ExportRequest::Level::Group ? u"Group "_s + request.groupId
                                                                    : QString());
    QString why;
    if (!job.prepare(&why))
        return runner.fail(why);
    return runner.run(&job);
}

int runResumeCommand(const QStringList &arguments)
{
    Runner runner;
    const ConnectionOptions connection(ConnectionOptions::ServerOption::Omitted);
    RunOptions ro;
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Continues an interrupted export from the journal (export.json) in DIR: polls again, "
        "or downloads only what is missing. Same exit codes as export."_s);
    parser.addHelpOption();
    parser.addPositionalArgument(u"DIR"_s, u"The export's folder."_s);
    connection.addTo(parser);
    parser.addOptions({ro.parallel, ro.stallTimeout, ro.quiet});
    parser.process(arguments.mid(1));
    if (parser.positionalArguments().size() != 1)
        return runner.fail(u"resume needs exactly one folder."_s);
    const QString folder = QDir(parser.positionalArguments().first()).absolutePath();
    QString error;
    const auto journal = bulk::ExportJournal::load(folder, &error);
    if (!journal)
        return runner.fail(error);
    ConnectionSettings settings;
    if (!connection.read(parser, &settings, &error))
        return runner.fail(error);
    settings.server = QUrl(journal->serverUrl);
    runner.quiet = parser.isSet(ro.quiet);
    error = runner.connect(settings);
    if (!error.isEmpty())
        return runner.fail(error);
    bool ok = false;
    bulk::ExportJobOptions options;
    options.parallelDownloads = parser.value(ro.parallel).toInt(&ok);
    if (!ok || options.parallelDownloads < 1 || options.parallelDownloads > 32)
        return runner.fail(u"--parallel must be a number from 1 to 32."_s);
    if (!ro.apply(parser, &options, &error))
        return runner.fail(error);
    std::unique_ptr<ExportJob> job(ExportJob::resume(runner.client.get(), folder, options, &error));
    if (!job)
        return runner.fail(error);
    return runner.run(job.get());
}

} // namespace cohort::cli
