#include "ExportFolder.h"

#include "export/ExportJournal.h"
#include "export/Manifest.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>

namespace cohort::review {

using namespace Qt::StringLiterals;

std::optional<ExportFolder> ExportFolder::open(const QString &folder, QString *error)
{
    const QDir dir(folder);
    if (!dir.exists()) {
        if (error)
            *error = u"%1 is not a folder."_s.arg(folder);
        return std::nullopt;
    }
    ExportFolder f;
    f.m_folder = dir.absolutePath();
    const bool hasJournal = dir.exists(bulk::ExportJournal::fileName());
    std::optional<bulk::ExportJournal> journal;
    if (hasJournal) {
        journal = bulk::ExportJournal::load(folder, error);
        if (!journal)
            return std::nullopt;
        f.m_serverUrl = journal->serverUrl;
        f.m_transactionTime = journal->transactionTime;
        for (const auto &jf : journal->files) {
            File file;
            file.path = dir.absoluteFilePath(jf.task.relativePath);
            file.expectedType = jf.task.type;
            file.expectedCount = jf.task.expectedCount;
            file.output = jf.task.kind == bulk::FileTask::Kind::Output;
            file.exists = QFileInfo::exists(file.path);
            f.m_files.append(file);
        }
    }

    QFile manifestFile(dir.filePath(u"manifest.json"_s));
    if (manifestFile.open(QIODevice::ReadOnly)) {
        // The base only resolves relative file URLs; names on disk come from localFileName().
        const QUrl base = journal && journal->statusUrl.isValid() ? journal->statusUrl
                                                                  : QUrl(u"http://localhost/"_s);
        QString why;
        const auto manifest = bulk::Manifest::parse(manifestFile.readAll(), base, &why);
        if (!manifest) {
            if (error)
                *error = u"%1: %2"_s.arg(manifestFile.fileName(), why);
            return std::nullopt;
        }
        f.m_request = manifest->request;
        f.m_transactionTime = manifest->transactionTime;
        if (!hasJournal) {
            bulk::LocalFileNamer names;
            for (const auto &mf : manifest->output) {
                File file;
                file.path = dir.absoluteFilePath(names.next(mf.type));
                file.expectedType = mf.type;
                file.expectedCount = mf.count;
                file.exists = QFileInfo::exists(file.path);
                f.m_files.append(file);
            }
        }
    }
    if (!hasJournal && f.m_files.isEmpty()) {
        const QStringList names = dir.entryList({u"*.ndjson"_s}, QDir::Files, QDir::Name);
        for (const QString &name : names)
            f.m_files.append({dir.absoluteFilePath(name), {}, -1, true, true});
    }
    if (f.m_files.isEmpty()) {
        if (error)
            *error = u"%1 holds no export and no .ndjson file."_s.arg(folder);
        return std::nullopt;
    }
    return f;
}

std::optional<ExportFolder> ExportFolder::fromFiles(const QStringList &paths, QString *error)
{
    ExportFolder f;
    for (const QString &path : paths) {
        const QFileInfo info(path);
        if (!info.isFile() || !info.isReadable()) {
            if (error)
                *error = u"%1 is not a readable file."_s.arg(path);
            return std::nullopt;
        }
        f.m_files.append({info.absoluteFilePath(), {}, -1, true, true});
    }
    return f;
}

QList<ScanInput> ExportFolder::scanInputs() const
{
    QList<ScanInput> inputs;
    for (const File &file : m_files) {
        if (file.output && file.exists)
            inputs.append({file.path, file.expectedType, file.expectedCount});
    }
    return inputs;
}

void ExportFolder::append(const ExportFolder &other)
{
    if (m_folder.isEmpty())
        m_folder = other.m_folder;
    if (m_serverUrl.isEmpty())
        m_serverUrl = other.m_serverUrl;
    if (m_request.isEmpty())
        m_request = other.m_request;
    if (!m_transactionTime.isValid())
        m_transactionTime = other.m_transactionTime;
    m_files += other.m_files;
}

} // namespace cohort::review
