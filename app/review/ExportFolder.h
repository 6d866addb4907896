#pragma once

#include "review/ResourceScan.h"

#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace cohort::review {

// What is to be reviewed: an export folder written by bulk::ExportJob (export.json, and
// manifest.json when the export got that far) or loose NDJSON files. Only output files are
// validated; error/ and deleted/ files are listed.
class ExportFolder
{
public:
    struct File
    {
        QString path; // absolute
        QString expectedType;
        qint64 expectedCount = -1;
        bool output = true;
        bool exists = false;
    };

    // A folder: export.json if present, else manifest.json, else every *.ndjson in it.
    static std::optional<ExportFolder> open(const QString &folder, QString *error);
    // Loose NDJSON files, nothing expected.
    static std::optional<ExportFolder> fromFiles(const QStringList &paths, QString *error);

    QString folder() const { return m_folder; } // empty for loose files
    QString serverUrl() const { return m_serverUrl; }
    QString request() const { return m_request; }
    QDateTime transactionTime() const { return m_transactionTime; }
    const QList<File> &files() const { return m_files; }
    QList<ScanInput> scanInputs() const; // the output files that exist

    void append(const ExportFolder &other); // several PATHs on one command line

private:
    QString m_folder;
    QString m_serverUrl;
    QString m_request;
    QDateTime m_transactionTime;
    QList<File> m_files;
};

} // namespace cohort::review
