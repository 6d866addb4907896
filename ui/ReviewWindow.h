#pragma once

#include "review/ExportFolder.h"

#include <QFuture>
#include <QHash>
#include <QMainWindow>
#include <memory>
#include <optional>

class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QTimer;
class QMenu;
class QPlainTextEdit;
class QProgressBar;
class QTabWidget;
class QTableView;
class QTableWidget;
class QTreeWidget;

namespace cohort::review {
class LineFilter;
class PatientIndex;
class NdjsonIndex;
class ResourceScan;
} // namespace cohort::review

namespace cohort::ui {

class ResourceTableModel;

// Offline review of an export folder or NDJSON files: a summary (counts against the manifest,
// validation problems), a virtual table over each file and the JSON of the selected resource.
class ReviewWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit ReviewWindow(QWidget *parent = nullptr);
    ~ReviewWindow() override;

    // A folder, or one or more .ndjson files; false + a message box when nothing can be opened.
    bool openPaths(const QStringList &paths, QString *error = nullptr);

    // For tests.
    QTableWidget *filesTable() const { return m_files; }
    QTableWidget *problemsTable() const { return m_problems; }
    QTableView *resourceTable() const { return m_table; }
    ResourceTableModel *resourceModel() const { return m_model; }
    QComboBox *fileCombo() const { return m_fileCombo; }
    QPlainTextEdit *jsonView() const { return m_json; }
    QLineEdit *filterEdit() const { return m_filter; }
    bool isFilterFinished() const;
    bool isPatientIndexFinished() const;
    QLineEdit *patientSearch() const { return m_patientSearch; }
    QListWidget *patientList() const { return m_patientList; }
    QTableWidget *patientTimeline() const { return m_timeline; }
    // Writes the table (filtered or not) as CSV on the thread pool; finished via csvWritten.
    void exportCsv(const QString &path);

signals:
    void csvWritten(bool ok, const QString &message);

public:
    QTabWidget *tabs() const { return m_tabs; }
    bool isScanFinished() const;
    bool isOpening() const { return m_opening; }
    void showLine(const QString &file, qint64 line); // 1-based

protected:
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    void buildMenus();
    void showSummary();
    void onScanFinished();
    void showFile(int comboIndex);
    void showResource(const QModelIndex &index);
    void rememberRecent(const QStringList &paths);
    void updateRecentMenu();
    void applyFilter();
    void updateIndexState();
    void findPatients();
    void showPatient(const QString &id);

    std::optional<review::ExportFolder> m_folder;
    review::ResourceScan *m_scan = nullptr;
    std::vector<std::unique_ptr<review::NdjsonIndex>> m_indexes; // per output file
    QTabWidget *m_tabs;
    QLabel *m_meta;
    QProgressBar *m_progress;
    QTableWidget *m_files;
    QTableWidget *m_problems;
    QComboBox *m_fileCombo;
    QLabel *m_indexState;
    QLineEdit *m_filter;
    QTimer *m_filterDelay;
    review::LineFilter *m_lineFilter;
    review::PatientIndex *m_patients;
    QLineEdit *m_patientSearch;
    QLabel *m_patientState;
    QListWidget *m_patientList;
    QTableWidget *m_timeline;
    QTableView *m_table;
    ResourceTableModel *m_model;
    QTabWidget *m_detailTabs;
    QPlainTextEdit *m_json;
    QTreeWidget *m_tree;
    QMenu *m_recent = nullptr;
    bool m_opening = false; // .gz files being decompressed
    QList<QFuture<QString>> m_csvJobs;
    QHash<QString, QString> m_originalNames; // decompressed copy -> the .gz it came from
};

} // namespace cohort::ui
