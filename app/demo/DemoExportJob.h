#pragma once

#include <QDateTime>
#include <QElapsedTimer>
#include <QFuture>
#include <QHash>
#include <QMutex>
#include <QString>
#include <QStringList>
#include <optional>

namespace cohort::demo {

class SyntheticCohort;
struct HttpRequest;

// What a kick-off asked for, validated.
struct ExportParameters
{
    enum class Level
    {
        System,
        Patient,
        Group
    };
    Level level = Level::System;
    QString groupId;
    QStringList types; // empty: every type the server has
    std::optional<QDateTime> since;
    std::optional<QDateTime> until;
    QStringList elements;
    struct TypeFilter
    {
        QString type;
        QList<QPair<QString, QStringList>> criteria; // search parameter -> any of these values
    };
    QList<TypeFilter> typeFilters;
    QList<int> patients;  // patient indexes exported (already restricted to the group)
    QStringList warnings; // parameters ignored under Prefer: handling=lenient
    QString requestUrl;
};

struct OutputFile
{
    QString id;
    QString type;
    QByteArray data; // NDJSON
    int count = 0;
    bool isError = false;   // manifest error[] (OperationOutcome)
    bool isDeleted = false; // manifest deleted[] (Bundles of DELETE entries)
};

// Turns the kick-off request into parameters, or an error message for a 400 (*notFound set
// when the message is about a missing Group, for a 404).
std::optional<ExportParameters>
parseExportRequest(const HttpRequest &request, const SyntheticCohort &cohort,
                   ExportParameters::Level level, const QString &groupId, const QString &requestUrl,
                   QString *error, bool *notFound);

// Runs on a worker thread: the cohort is immutable.
QList<OutputFile> generateExportFiles(const SyntheticCohort &cohort, const ExportParameters &params,
                                      int resourcesPerFile, const QString &jobId);

struct DemoExportJob
{
    QString id;
    ExportParameters params;
    QDateTime transactionTime;
    QElapsedTimer clock;
    double durationSeconds = 0;
    QFuture<QList<OutputFile>> future;
    bool deleted = false;
    int manifestsServed = 0; // first manifest pages answered: the URLs' version (expiring-urls)

    bool finished() const
    {
        return future.isFinished() && clock.elapsed() >= qint64(durationSeconds * 1000);
    }
    int percent() const;
};

} // namespace cohort::demo
