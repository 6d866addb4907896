#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QUrl>
#include <optional>

namespace cohort::bulk {

struct ManifestFile
{
    QString type;
    QUrl url;
    qint64 count = -1; // -1: not given
};

// The completed-export manifest (Bulk Data IG v2/v3; STU 4 renames error to outcome).
struct Manifest
{
    QDateTime transactionTime;
    QString request;
    bool requiresAccessToken = false;
    QList<ManifestFile> output;
    QList<ManifestFile> error;   // NDJSON of OperationOutcome (may hold warnings)
    QList<ManifestFile> deleted; // NDJSON of Bundles of DELETE entries
    QUrl next;                   // link[relation=next]: a further manifest page
    QString outputOrganizedBy;
    QJsonObject extension;

    // nullopt with a sentence when the body is not a usable manifest. File URLs are resolved
    // against pageUrl; a relative or non-http(s) URL that cannot be resolved is an error.
    static std::optional<Manifest> parse(const QByteArray &json, const QUrl &pageUrl,
                                         QString *error);
    // Adds the files of a further page.
    void append(const Manifest &page);
};

// Our name for the sequence-th file (1-based) of a manifest type, e.g. "Observation.002.ndjson",
// under subfolder ("" or "error/"). Only plain type names reach the disk; anything else becomes
// "Resource", so no server string ever chooses a path.
QString localFileName(const QString &manifestType, int sequence, const QString &subfolder = {});

// Our names for a manifest's files in its order: localFileName() numbered per type and
// subfolder. Types that differ only in case ("Patient", "patient") share one numbering, so no
// two names differ only in case: they would be one file on Windows' and macOS' file systems.
class LocalFileNamer
{
public:
    QString next(const QString &manifestType, const QString &subfolder = {});

private:
    QHash<QString, int> m_counters;
};

} // namespace cohort::bulk
