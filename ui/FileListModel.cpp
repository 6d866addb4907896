#include "FileListModel.h"

#include "ExportListModel.h"
#include "session/ExportEntry.h"

#include <QLocale>

namespace cohort::ui {

using JournalFile = bulk::ExportJournal::File;

FileListModel::FileListModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void FileListModel::setEntry(session::ExportEntry *entry)
{
    beginResetModel();
    if (m_entry)
        m_entry->disconnect(this);
    m_entry = entry;
    m_rows = entry ? int(entry->journal().files.size()) : 0;
    endResetModel();
    if (!entry)
        return;
    connect(entry, &session::ExportEntry::changed, this, &FileListModel::refresh);
    connect(entry, &session::ExportEntry::fileChanged, this, [this](int row) {
        if (row >= 0 && row < m_rows)
            emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
    });
    connect(entry, &QObject::destroyed, this, [this] {
        beginResetModel();
        m_rows = 0;
        endResetModel();
    });
}

void FileListModel::refresh()
{
    const int rows = m_entry ? int(m_entry->journal().files.size()) : 0;
    if (rows > m_rows) {
        beginInsertRows({}, m_rows, rows - 1);
        m_rows = rows;
        endInsertRows();
    } else if (rows < m_rows) {
        beginResetModel();
        m_rows = rows;
        endResetModel();
    }
    if (m_rows > 0)
        emit dataChanged(index(0, 0), index(m_rows - 1, ColumnCount - 1));
}

int FileListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_rows;
}

int FileListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant FileListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid) ||
        !m_entry)
        return {};
    const auto &files = m_entry->journal().files;
    if (index.row() >= files.size())
        return {};
    const JournalFile &f = files[index.row()];
    const auto progress = m_entry->fileProgress(index.row());
    const bool done = f.status == JournalFile::Status::Done;
    const bool failed = f.status == JournalFile::Status::Failed;
    const bool active = !done && !failed && progress.received > 0 && m_entry->isRunning();

    auto statusText = [&] {
        if (done)
            return f.problemCount ? tr("Done, %n problem(s)", nullptr, int(f.problemCount)) : tr("Done");
        if (failed)
            return tr("Failed");
        if (active)
            return tr("Downloading");
        return m_entry->isRunning() ? tr("Waiting") : tr("Not downloaded");
    };

    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case File:
            return f.task.relativePath;
        case Type:
            return f.task.type;
        case Status:
            return statusText();
        case Progress:
            return data(index, ProgressTextRole);
        case Lines:
            if (done)
                return QLocale().toString(f.lines);
            return f.task.expectedCount >= 0 ? tr("%1 expected").arg(QLocale().toString(f.task.expectedCount))
                                             : QString();
        case Message:
            return f.message;
        }
        break;
    case ProgressVisibleRole:
        return index.column() == Progress;
    case ProgressValueRole:
        if (done)
            return 1000;
        if (progress.total > 0)
            return int(qBound<qint64>(0, 1000 * progress.received / progress.total, qint64(1000)));
        return active ? -1 : 0;
    case ProgressTextRole: {
        const QLocale locale;
        if (done)
            return locale.formattedDataSize(f.bytes, 1, QLocale::DataSizeSIFormat);
        if (progress.received > 0 && progress.total > 0)
            return tr("%1 of %2").arg(locale.formattedDataSize(progress.received, 1, QLocale::DataSizeSIFormat),
                                      locale.formattedDataSize(progress.total, 1, QLocale::DataSizeSIFormat));
        if (progress.received > 0)
            return locale.formattedDataSize(progress.received, 1, QLocale::DataSizeSIFormat);
        return statusText();
    }
    case Qt::ToolTipRole:
        if (index.column() == Message || failed)
            return f.message;
        return f.task.url.toString(QUrl::RemoveQuery);
    default:
        break;
    }
    return {};
}

QVariant FileListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case File:
        return tr("File");
    case Type:
        return tr("Type");
    case Status:
        return tr("Status");
    case Progress:
        return tr("Progress");
    case Lines:
        return tr("Lines");
    case Message:
        return tr("Message");
    }
    return {};
}

} // namespace cohort::ui
