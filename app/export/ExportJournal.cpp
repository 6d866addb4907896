#include "ExportJournal.h"

#include "CrashPoint.h"
#include "fhir/FhirDateTime.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

namespace cohort::bulk {

namespace {

struct StateName
{
    ExportState state;
    const char *name;
};
constexpr StateName kStates[] = {
    {ExportState::Created, "created"},     {ExportState::KickingOff, "kicking-off"},
    {ExportState::Polling, "polling"},     {ExportState::Downloading, "downloading"},
    {ExportState::Completed, "completed"}, {ExportState::PartiallyCompleted, "partially-completed"},
    {ExportState::Failed, "failed"},       {ExportState::Cancelled, "cancelled"},
};

QString kindName(FileTask::Kind kind)
{
    switch (kind) {
    case FileTask::Kind::Output:
        return QStringLiteral("output");
    case FileTask::Kind::Error:
        return QStringLiteral("error");
    case FileTask::Kind::Deleted:
        return QStringLiteral("deleted");
    }
    return {};
}

QString statusName(ExportJournal::File::Status status)
{
    switch (status) {
    case ExportJournal::File::Status::Pending:
        return QStringLiteral("pending");
    case ExportJournal::File::Status::Done:
        return QStringLiteral("done");
    case ExportJournal::File::Status::Failed:
        return QStringLiteral("failed");
    }
    return {};
}

QString instantOrEmpty(const QDateTime &dt)
{
    return dt.isValid() ? fhir::formatInstant(dt) : QString();
}

QDateTime instantFrom(const QJsonValue &v)
{
    return fhir::parseInstant(v.toString()).value_or(QDateTime());
}

} // namespace

QString stateName(ExportState state)
{
    for (const auto &s : kStates) {
        if (s.state == state)
            return QString::fromLatin1(s.name);
    }
    return {};
}

std::optional<ExportState> stateFromName(QStringView name)
{
    for (const auto &s : kStates) {
        if (name == QLatin1String(s.name))
            return s.state;
    }
    return std::nullopt;
}

bool isFinal(ExportState state)
{
    return state == ExportState::Completed || state == ExportState::PartiallyCompleted ||
           state == ExportState::Failed || state == ExportState::Cancelled;
}

bool ExportJournal::save(const QString &folder, QString *error) const
{
    QJsonArray fileArray;
    for (const File &f : files) {
        QJsonObject o{
            {QStringLiteral("kind"), kindName(f.task.kind)},
            {QStringLiteral("type"), f.task.type},
            {QStringLiteral("url"), f.task.url.toString(QUrl::FullyEncoded)},
            {QStringLiteral("path"), f.task.relativePath},
            {QStringLiteral("status"), statusName(f.status)},
            {QStringLiteral("lines"), double(f.lines)},
            {QStringLiteral("bytes"), double(f.bytes)},
            {QStringLiteral("problems"), double(f.problemCount)},
        };
        if (f.task.expectedCount >= 0)
            o.insert(QStringLiteral("count"), double(f.task.expectedCount));
        if (!f.message.isEmpty())
            o.insert(QStringLiteral("message"), f.message);
        fileArray.append(o);
    }
    const QJsonObject root{
        {QStringLiteral("version"), version},
        {QStringLiteral("server"), serverUrl},
        {QStringLiteral("label"), label},
        {QStringLiteral("profileId"), profileId},
        {QStringLiteral("request"), request.toJson()},
        {QStringLiteral("state"), stateName(state)},
        {QStringLiteral("kickoffUrl"), kickoffUrl},
        {QStringLiteral("statusUrl"), statusUrl.toString(QUrl::FullyEncoded)},
        {QStringLiteral("createdAt"), instantOrEmpty(createdAt)},
        {QStringLiteral("finishedAt"), instantOrEmpty(finishedAt)},
        {QStringLiteral("transactionTime"), instantOrEmpty(transactionTime)},
        {QStringLiteral("expires"), instantOrEmpty(expires)},
        {QStringLiteral("requiresAccessToken"), requiresAccessToken},
        {QStringLiteral("message"), message},
        {QStringLiteral("files"), fileArray},
    };
    QSaveFile file(QDir(folder).filePath(fileName()));
    if (!file.open(QIODevice::WriteOnly)) {
        if (error)
            *error = QStringLiteral("Cannot write %1: %2").arg(file.fileName(), file.errorString());
        return false;
    }
    file.write(QJsonDocument(root).toJson(QJsonDocument::Indented));
    crashPoint("journal-save"); // written to the temporary file, not yet in place
    QString why;
    if (!commitSaveFile(file, &why)) {
        if (error)
            *error = QStringLiteral("Cannot save %1: %2").arg(file.fileName(), why);
        return false;
    }
    return true;
}

bool commitSaveFile(QSaveFile &file, QString *error)
{
    if (!file.flush() || file.error() != QFileDevice::NoError) {
        if (error)
            *error = file.errorString();
        file.cancelWriting();
        file.commit(); // discards the temporary file; the old one stays
        return false;
    }
    if (file.commit())
        return true;
    if (error)
        *error = file.errorString();
    return false;
}

std::optional<ExportJournal> ExportJournal::load(const QString &folder, QString *error)
{
    QFile file(QDir(folder).filePath(fileName()));
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = QStringLiteral("%1 holds no export (cannot read %2: %3).")
                         .arg(folder, fileName(), file.errorString());
        return std::nullopt;
    }
    QJsonParseError parseError{};
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject()) {
        if (error)
            *error =
                QStringLiteral("%1 is damaged: %2").arg(file.fileName(), parseError.errorString());
        return std::nullopt;
    }
    const QJsonObject root = doc.object();
    ExportJournal j;
    j.version = root.value(QLatin1String("version")).toInt(1);
    j.serverUrl = root.value(QLatin1String("server")).toString();
    j.label = root.value(QLatin1String("label")).toString();
    j.profileId = root.value(QLatin1String("profileId")).toString();
    j.request = ExportRequest::fromJson(root.value(QLatin1String("request")).toObject());
    const auto state = stateFromName(root.value(QLatin1String("state")).toString());
    if (!state || j.serverUrl.isEmpty()) {
        if (error)
            *error =
                QStringLiteral("%1 is not an export journal of this app.").arg(file.fileName());
        return std::nullopt;
    }
    j.state = *state;
    j.kickoffUrl = root.value(QLatin1String("kickoffUrl")).toString();
    j.statusUrl = QUrl(root.value(QLatin1String("statusUrl")).toString());
    j.createdAt = instantFrom(root.value(QLatin1String("createdAt")));
    j.finishedAt = instantFrom(root.value(QLatin1String("finishedAt")));
    j.transactionTime = instantFrom(root.value(QLatin1String("transactionTime")));
    j.expires = instantFrom(root.value(QLatin1String("expires")));
    j.requiresAccessToken = root.value(QLatin1String("requiresAccessToken")).toBool();
    j.message = root.value(QLatin1String("message")).toString();
    for (const QJsonValue &v : root.value(QLatin1String("files")).toArray()) {
        const QJsonObject o = v.toObject();
        File f;
        const QString kind = o.value(QLatin1String("kind")).toString();
        f.task.kind = kind == QLatin1String("error")     ? FileTask::Kind::Error
                      : kind == QLatin1String("deleted") ? FileTask::Kind::Deleted
                                                         : FileTask::Kind::Output;
        f.task.type = o.value(QLatin1String("type")).toString();
        f.task.url = QUrl(o.value(QLatin1String("url")).toString());
        f.task.relativePath = o.value(QLatin1String("path")).toString();
        f.task.expectedCount = qint64(o.value(QLatin1String("count")).toDouble(-1));
        const QString status = o.value(QLatin1String("status")).toString();
        f.status = status == QLatin1String("done")     ? File::Status::Done
                   : status == QLatin1String("failed") ? File::Status::Failed
                                                       : File::Status::Pending;
        f.lines = qint64(o.value(QLatin1String("lines")).toDouble());
        f.bytes = qint64(o.value(QLatin1String("bytes")).toDouble());
        f.problemCount = qint64(o.value(QLatin1String("problems")).toDouble());
        f.message = o.value(QLatin1String("message")).toString();
        // A journal is input too: a path from it must stay inside the folder.
        if (f.task.relativePath.isEmpty() || QDir::isAbsolutePath(f.task.relativePath) ||
            f.task.relativePath.contains(QLatin1String(".."))) {
            if (error)
                *error = QStringLiteral("%1 names an unsafe file path '%2'.")
                             .arg(file.fileName(), f.task.relativePath);
            return std::nullopt;
        }
        j.files.append(f);
    }
    return j;
}

} // namespace cohort::bulk
