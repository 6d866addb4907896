#include "ExportListModel.h"

#include "session/ExportEntry.h"
#include "session/ExportManager.h"

#include <QApplication>
#include <QDateTime>
#include <QLocale>
#include <QPalette>
#include <QUrl>

namespace cohort::ui {

using bulk::ExportState;
using session::ExportEntry;
using namespace Qt::StringLiterals;

namespace {

QString bytesText(qint64 bytes)
{
    return QLocale().formattedDataSize(bytes, 1, QLocale::DataSizeSIFormat);
}

QString durationText(int seconds)
{
    if (seconds < 0)
        return {};
    if (seconds < 60)
        return ExportListModel::tr("%n s", nullptr, seconds);
    if (seconds < 3600)
        return ExportListModel::tr("%1 min %2 s").arg(seconds / 60).arg(seconds % 60);
    return ExportListModel::tr("%1 h %2 min").arg(seconds / 3600).arg((seconds % 3600) / 60);
}

} // namespace

ExportListModel::ExportListModel(session::ExportManager *manager, QObject *parent)
    : QAbstractTableModel(parent)
    , m_manager(manager)
{
    // Rows are newest first: manager index i is row count-1-i.
    connect(manager, &session::ExportManager::entryAboutToBeAdded, this,
            [this](int) { beginInsertRows({}, 0, 0); });
    connect(manager, &session::ExportManager::entryAdded, this, [this](int) { endInsertRows(); });
    connect(manager, &session::ExportManager::entryAboutToBeRemoved, this, [this](int index) {
        const int row = rowOf(index);
        beginRemoveRows({}, row, row);
    });
    connect(manager, &session::ExportManager::entryRemoved, this, [this] { endRemoveRows(); });
    connect(manager, &session::ExportManager::entryChanged, this, [this](int index) {
        const int row = rowOf(index);
        emit dataChanged(this->index(row, 0), this->index(row, ColumnCount - 1));
    });
}

int ExportListModel::rowOf(int managerIndex) const
{
    return int(m_manager->entries().size()) - 1 - managerIndex;
}

int ExportListModel::managerIndexOf(int row) const
{
    return int(m_manager->entries().size()) - 1 - row;
}

ExportEntry *ExportListModel::entry(const QModelIndex &index) const
{
    if (!index.isValid() || index.row() >= rowCount())
        return nullptr;
    return m_manager->entries().value(managerIndexOf(index.row()));
}

QModelIndex ExportListModel::indexOf(const ExportEntry *entry, int column) const
{
    const int i = m_manager->indexOf(entry);
    return i < 0 ? QModelIndex() : index(rowOf(i), column);
}

int ExportListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_manager->entries().size());
}

int ExportListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString ExportListModel::stateText(const ExportEntry *e)
{
    if (e->isConnecting())
        return tr("Connecting");
    if (!e->problem().isEmpty())
        return tr("Cannot continue");
    switch (e->state()) {
    case ExportState::Created:
        return e->isRunning() ? tr("Starting") : tr("Not started");
    case ExportState::KickingOff:
        return tr("Starting");
    case ExportState::Polling:
        return e->isRunning() ? tr("Server is preparing") : tr("Interrupted (preparing)");
    case ExportState::Downloading:
        return e->isRunning() ? tr("Downloading") : tr("Interrupted (downloading)");
    case ExportState::Completed:
        return tr("Completed");
    case ExportState::PartiallyCompleted:
        return tr("Completed with errors");
    case ExportState::Failed:
        return tr("Failed");
    case ExportState::Cancelled:
        return tr("Cancelled");
    }
    return {};
}

QVariant ExportListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ExportEntry *e = entry(index);
    if (!e)
        return {};
    const bulk::ExportJournal &j = e->journal();
    const bulk::ExportJob::Progress p = e->progress();
    const ExportState state = e->state();
    const bool running = e->isRunning();

    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Group:
            if (!j.label.isEmpty())
                return j.label;
            return j.request.groupId.isEmpty() ? bulk::ExportRequest::levelName(j.request.level)
                                               : j.request.groupId;
        case Server:
            return QUrl(j.serverUrl).host() + (QUrl(j.serverUrl).port() > 0
                                                   ? QLatin1Char(':') + QString::number(QUrl(j.serverUrl).port())
                                                   : QString());
        case Started:
            return j.createdAt.toLocalTime().toString(u"yyyy-MM-dd HH:mm"_s);
        case State:
            return stateText(e);
        case Progress:
            return data(index, ProgressTextRole);
        case ServerSays:
            return running && state == ExportState::Polling ? p.server.text : QString();
        case NextCheck:
            if (running && state == ExportState::Polling && p.nextCheck.isValid()) {
                const qint64 s = QDateTime::currentDateTimeUtc().secsTo(p.nextCheck);
                return s <= 0 ? tr("now") : durationText(int(s));
            }
            return {};
        case Files:
            if (p.filesTotal == 0)
                return {};
            return p.filesFailed ? tr("%1 / %2 (%3 failed)").arg(p.filesDone).arg(p.filesTotal).arg(p.filesFailed)
                                 : tr("%1 / %2").arg(p.filesDone).arg(p.filesTotal);
        case Rate:
            if (running && state == ExportState::Downloading && p.download.bytesPerSecond > 0)
                return tr("%1/s").arg(bytesText(qint64(p.download.bytesPerSecond)));
            return {};
        case Eta:
            return running && state == ExportState::Downloading ? durationText(p.download.etaSeconds)
                                                                : QString();
        }
        break;
    case ProgressVisibleRole:
        return index.column() == Progress;
    case ProgressValueRole:
        if (state == ExportState::Completed || state == ExportState::PartiallyCompleted)
            return 1000;
        if (!running)
            return p.filesTotal ? int(1000LL * p.filesDone / p.filesTotal) : 0;
        if (state == ExportState::Downloading) {
            if (p.download.bytesExpected > 0)
                return int(qBound<qint64>(0, 1000 * p.download.bytesReceived / p.download.bytesExpected, qint64(1000)));
            return p.filesTotal ? int(1000LL * p.filesDone / p.filesTotal) : -1;
        }
        if (state == ExportState::Polling && p.server.percent >= 0)
            return p.server.percent * 10;
        return -1;
    case ProgressTextRole:
        if (state == ExportState::Completed)
            return tr("Done");
        if (state == ExportState::Downloading && running) {
            if (p.download.bytesExpected > 0)
                return tr("%1 of %2").arg(bytesText(p.download.bytesReceived), bytesText(p.download.bytesExpected));
            return bytesText(p.download.bytesReceived);
        }
        if (state == ExportState::Polling && running)
            return p.server.percent >= 0 ? tr("%1%").arg(p.server.percent) : tr("Server working…");
        if (running || e->isConnecting())
            return tr("Starting…");
        return stateText(e);
    case Qt::ToolTipRole:
        if (!e->problem().isEmpty())
            return e->problem();
        if (!j.message.isEmpty())
            return j.message;
        return e->folder();
    case Qt::ForegroundRole:
        if (index.column() == State &&
            (state == ExportState::Failed || !e->problem().isEmpty()))
            return QApplication::palette().color(QPalette::Active, QPalette::Text).lightness() > 128
                       ? QColor(255, 120, 110)
                       : QColor(180, 20, 20);
        break;
    case Qt::AccessibleTextRole:
        if (index.column() == Progress)
            return data(index, ProgressTextRole);
        break;
    default:
        break;
    }
    return {};
}

QVariant ExportListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Group:
        return tr("Group");
    case Server:
        return tr("Server");
    case Started:
        return tr("Started");
    case State:
        return tr("State");
    case Progress:
        return tr("Progress");
    case ServerSays:
        return tr("Server says");
    case NextCheck:
        return tr("Next check");
    case Files:
        return tr("Files");
    case Rate:
        return tr("Rate");
    case Eta:
        return tr("Time left");
    }
    return {};
}

int ExportListModel::overallProgress() const
{
    qint64 sum = 0;
    int counted = 0;
    for (const ExportEntry *e : m_manager->entries()) {
        if (!e->isRunning())
            continue;
        const int v = data(indexOf(e, Progress), ProgressValueRole).toInt();
        if (v < 0)
            continue;
        sum += v;
        ++counted;
    }
    return counted ? int(sum / counted) : -1;
}

} // namespace cohort::ui
