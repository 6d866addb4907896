#pragma once

#include "session/ExportEntry.h"

#include <QAbstractTableModel>
#include <QPointer>

namespace cohort::ui {

// The files of one export: per-file progress while downloading, then lines, problems, errors.
class FileListModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        File,
        Type,
        Status,
        Progress,
        Lines,
        Message,
        ColumnCount
    };

    explicit FileListModel(QObject *parent = nullptr);

    void setEntry(session::ExportEntry *entry);
    session::ExportEntry *entry() const { return m_entry; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    void refresh();

    QPointer<session::ExportEntry> m_entry;
    int m_rows = 0;
};

} // namespace cohort::ui
