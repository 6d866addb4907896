#pragma once

#include <QAbstractTableModel>

namespace cohort::session {
class ExportEntry;
class ExportManager;
} // namespace cohort::session

namespace cohort::ui {

// Roles shared by the models whose rows carry a progress bar (ProgressDelegate draws them).
enum ProgressRole
{
    ProgressValueRole = Qt::UserRole + 100, // 0..1000, or -1 for "busy, no percentage"
    ProgressTextRole,                       // the text on the bar
    ProgressVisibleRole,                    // false: plain text
};

// One row per export of the ExportManager, newest first.
class ExportListModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        Group,
        Server,
        Started,
        State,
        Progress,
        ServerSays,
        NextCheck,
        Files,
        Rate,
        Eta,
        ColumnCount
    };

    explicit ExportListModel(session::ExportManager *manager, QObject *parent = nullptr);

    session::ExportEntry *entry(const QModelIndex &index) const;
    QModelIndex indexOf(const session::ExportEntry *entry, int column = 0) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    // "Downloading", "Waiting for the server"... for people.
    static QString stateText(const session::ExportEntry *entry);
    // 0..1000 over every running export, -1 when none reports a fraction.
    int overallProgress() const;

private:
    int rowOf(int managerIndex) const;
    int managerIndexOf(int row) const;

    session::ExportManager *m_manager;
};

} // namespace cohort::ui
