#pragma once

#include "ExportRequest.h"
#include "FileDownload.h"

#include <QDateTime>
#include <QList>
#include <QSaveFile>
#include <QString>
#include <QUrl>

namespace cohort::bulk {

enum class ExportState
{
    Created,
    KickingOff,
    Polling,
    Downloading,
    Completed,
    PartiallyCompleted,
    Failed,
    Cancelled,
};
QString stateName(ExportState state); // stable identifiers used in export.json
std::optional<ExportState> stateFromName(QStringView name);
bool isFinal(ExportState state);

// export.json: everything needed to continue an export after a crash or a restart. Written
// atomically (QSaveFile) on every transition; never holds a token or secret.
struct ExportJournal
{
    struct File
    {
        enum class Status
        {
            Pending,
            Done,
            Failed
        };
        FileTask task;
        Status status = Status::Pending;
        qint64 lines = 0;
        qint64 bytes = 0;
        qint64 problemCount = 0;
        QString message;
    };

    int version = 1;
    QString serverUrl;
    QString label;     // e.g. the Group's name, for lists
    QString profileId; // the desktop app's server profile, to reconnect on resume
    ExportRequest request;
    ExportState state = ExportState::Created;
    QString kickoffUrl;
    QUrl statusUrl;
    QDateTime createdAt;
    QDateTime finishedAt;
    QDateTime transactionTime;
    QDateTime expires; // the complete status response's Expires header: the files' last day
    bool requiresAccessToken = false;
    QString message; // last error or summary
    QList<File> files;

    static QString fileName() { return QStringLiteral("export.json"); }
    bool save(const QString &folder, QString *error = nullptr) const;
    static std::optional<ExportJournal> load(const QString &folder, QString *error = nullptr);
};

// QSaveFile::commit() for files that must never be lost: Qt 6.4's commit() reports success when
// its final flush fails (a full disk) and then puts an empty file in place of the old one. This
// flushes first and cancels on any error, so the old file stays; *error says why it failed.
// Found by tst_CrashSafety.
bool commitSaveFile(QSaveFile &file, QString *error = nullptr);

} // namespace cohort::bulk
