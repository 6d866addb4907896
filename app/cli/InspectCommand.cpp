#include "InspectCommand.h"

#include "review/ExportFolder.h"
#include "review/ResourceScan.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QStandardPaths>
#include <QTextStream>

namespace cohort::cli {

using namespace Qt::StringLiterals;
using review::ExportFolder;
using review::Problem;
using review::ResourceScan;
using review::ScanResult;

namespace {

QString shown(const QString &path, const QString &folder)
{
    return folder.isEmpty() ? path : QDir(folder).relativeFilePath(path);
}

void printText(QTextStream &out, const ExportFolder &folder, const ScanResult &r)
{
    if (!folder.serverUrl().isEmpty())
        out << "Server:           " << folder.serverUrl() << '\n';
    if (folder.transactionTime().isValid())
        out << "Transaction time: " << folder.transactionTime().toString(Qt::ISODate) << '\n';
    out << "\nFiles:\n";
    for (const auto &f : folder.files()) {
        if (!f.exists) {
            out << "  " << shown(f.path, folder.folder()) << "  MISSING\n";
            continue;
        }
        for (const auto &sf : r.files) {
            if (sf.path != f.path)
                continue;
            out << "  " << shown(f.path, folder.folder()) << "  " << sf.resources << " resources";
            if (sf.expectedCount >= 0)
                out << " (manifest: " << sf.expectedCount << ')';
            out << '\n';
        }
    }
    QMap<QString, qint64> expected;
    for (const auto &f : folder.files()) {
        if (f.output && f.expectedCount >= 0 && !f.expectedType.isEmpty())
            expected[f.expectedType] += f.expectedCount;
    }
    out << "\nResources per type:\n";
    qsizetype width = 0;
    for (auto it = r.countsByType.cbegin(); it != r.countsByType.cend(); ++it)
        width = qMax(width, it.key().size());
    for (auto it = expected.cbegin(); it != expected.cend(); ++it)
        width = qMax(width, it.key().size());
    QStringList types = r.countsByType.keys() + expected.keys();
    types.removeDuplicates();
    types.sort();
    for (const QString &type : types) {
        out << "  " << type.leftJustified(width) << "  " << r.countsByType.value(type);
        if (expected.contains(type))
            out << " (manifest: " << expected.value(type) << ')';
        out << '\n';
    }
    out << "\nProblems: " << r.problemCount << '\n';
    for (const Problem &p : r.problems) {
        out << "  " << shown(p.file, folder.folder());
        if (p.line > 0)
            out << ':' << p.line;
        out << "  " << Problem::className(p.kind) << "  " << p.message << '\n';
    }
    if (r.problems.size() < r.problemCount)
        out << "  ... and " << (r.problemCount - r.problems.size()) << " more\n";
    out.flush();
}

} // namespace

int runInspectCommand(const QStringList &arguments)
{
    QTextStream out(stdout);
    QTextStream err(stderr);

    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Validates an export offline: every NDJSON line is parsed; types, ids, duplicates, "
        "counts against the manifest and references between the exported resources are "
        "checked. Exit code 0: clean, 2: problems found, 1: error."_s);
    parser.addHelpOption();
    parser.addPositionalArgument(u"PATH"_s, u"An export folder or NDJSON files."_s, u"PATH..."_s);
    const QCommandLineOption json(u"json"_s, u"Print one JSON object instead of text."_s);
    const QCommandLineOption noCache(u"no-cache"_s, u"Scan again even if a result is cached."_s);
    parser.addOptions({json, noCache});
    parser.process(arguments.mid(1));

    auto fail = [&](const QString &message) {
        err << "cohort-export inspect: " << message << '\n';
        err.flush();
        return 1;
    };
    const QStringList paths = parser.positionalArguments();
    if (paths.isEmpty())
        return fail(u"give an export folder or NDJSON files; see --help."_s);

    ExportFolder folder;
    QStringList files;
    for (const QString &path : paths) {
        QString error;
        if (QFileInfo(path).isDir()) {
            const auto opened = ExportFolder::open(path, &error);
            if (!opened)
                return fail(error);
            folder.append(*opened);
        } else {
            files.append(path);
        }
    }
    if (!files.isEmpty()) {
        QString error;
        const auto loose = ExportFolder::fromFiles(files, &error);
        if (!loose)
            return fail(error);
        folder.append(*loose);
    }

    const QString cache = parser.isSet(noCache)
                              ? QString()
                              : QStandardPaths::writableLocation(QStandardPaths::CacheLocation);
    ResourceScan scan(cache);
    QObject::connect(&scan, &ResourceScan::finished, &scan, [] { QCoreApplication::exit(0); });
    scan.start(folder.scanInputs());
    QCoreApplication::exec();

    const ScanResult r = scan.result();
    if (!r.error.isEmpty())
        return fail(r.error);
    qint64 missing = 0;
    for (const auto &f : folder.files())
        missing += f.output && !f.exists ? 1 : 0;

    if (parser.isSet(json)) {
        QJsonObject o = r.toJson();
        QJsonArray missingFiles;
        for (const auto &f : folder.files()) {
            if (f.output && !f.exists)
                missingFiles.append(f.path);
        }
        o.insert(u"missingFiles"_s, missingFiles);
        if (!folder.serverUrl().isEmpty())
            o.insert(u"server"_s, folder.serverUrl());
        out << QJsonDocument(o).toJson(QJsonDocument::Indented);
        out.flush();
    } else {
        printText(out, folder, r);
    }
    return r.problemCount > 0 || missing > 0 ? 2 : 0;
}

} // namespace cohort::cli
