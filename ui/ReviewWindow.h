#pragma once

#include "review/ExportFolder.h"

#include <QFuture>
#include <QHash>
#include <QMainWindow>
#include <QSet>
#include <memory>
#include <optional>

class QAction;
class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QTimer;
class QMenu;
class QProgressBar;
class QTabWidget;
class QTextDocument;
class QTableView;
class QTableWidget;
class QTextBrowser;
class QTreeWidget;
class QUrl;

namespace cohort::review {
class LineFilter;
class PatientIndex;
class NdjsonIndex;
class ResourceScan;
} // namespace cohort::review

namespace cohort::ui {

class ResourceTableModel;

// Offline review of an export folder or NDJSON files: a summary (counts against the manifest,
// validation problems), a virtual table over each file and the JSON of the selected resource:
// highlighted, with references into the export as links (followed in the background, with
// Back and Forward), and as a tree.
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
    QTextBrowser *jsonView() const { return m_json; }
    QTreeWidget *resourceTree() const { return m_tree; }
    QAction *backAction() const { return m_backAction; }
    QAction *forwardAction() const { return m_forwardAction; }
    bool isFollowingReference() const { return m_refFinder != nullptr; }
    // The href of a link to a reference ("Type/id"), as the JSON view's links carry it.
    static QUrl referenceUrl(const QString &reference);
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
    bool eventFilter(QObject *watched, QEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    void buildMenus();
    void showSummary();
    void fitColumns();
    void onScanFinished();
    void showFile(int comboIndex);
    void showResource(const QModelIndex &index);
    void rememberRecent(const QStringList &paths);
    void updateRecentMenu();
    void applyFilter();
    void updateIndexState();
    void findPatients();
    // A patient's resources are read and summarised on workerPool(); the newest pick wins.
    void showPatient(const QString &id);
    struct TimelineRow; // a resource of the patient: its summary and place
    void fillTimeline(const QList<TimelineRow> &rows, const QStringList &files);
    // The resource detail: m_shownJson highlighted into m_json, references as links.
    void renderJson();
    void hangIndents(QTextDocument *document) const;
    // Following a reference: a background search of the files that hold its type, then the
    // line is shown; Back and Forward return along the way.
    struct Location
    {
        QString file;
        qint64 line = 0; // 1-based
    };
    void followReference(const QUrl &url);
    void searchNextFile();
    void stopReferenceSearch();
    std::optional<Location> currentLocation() const;
    void goBack();
    void goForward();
    void updateHistoryActions();
    QStringList filesWithType(const QString &type) const;

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
    QTextBrowser *m_json;
    QTreeWidget *m_tree;
    QAction *m_backAction = nullptr;
    QAction *m_forwardAction = nullptr;
    QString m_shownJson;          // the pretty text of the resource shown, or a message
    bool m_shownIsJson = false;   // m_shownJson is a resource (highlighted), not a message
    bool m_linksFromScan = false; // m_json was rendered with the scan's results
    QHash<QString, QSet<QString>> m_typesByFile; // output file -> the types it holds
    QSet<QString> m_unresolved;   // "Type/id" that ResourceScan found missing
    review::LineFilter *m_refFinder = nullptr; // the running search for a reference
    quint64 m_refGeneration = 0;  // results of an older search are dropped
    QString m_refType, m_refId;
    QStringList m_refFiles;       // still to search
    std::optional<Location> m_refFrom;
    QList<Location> m_back, m_forward;
    QMetaObject::Connection m_pendingSelection; // showLine() waiting for its row to be indexed
    QMenu *m_recent = nullptr;
    bool m_opening = false; // .gz files being decompressed
    QList<QFuture<QString>> m_csvJobs;
    quint64 m_patientPick = 0; // showPatient() calls so far
    QHash<QString, QString> m_originalNames; // decompressed copy -> the .gz it came from
};

} // namespace cohort::ui
