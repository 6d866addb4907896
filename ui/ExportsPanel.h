#pragma once

#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTabWidget;
class QTableView;
class QTimer;

namespace cohort::session {
class ExportEntry;
class ExportManager;
} // namespace cohort::session

namespace cohort::ui {

class ExportListModel;
class FileListModel;

// Every export, running or not, with its actions; the selected one's files and log below.
class ExportsPanel : public QWidget
{
    Q_OBJECT
public:
    explicit ExportsPanel(session::ExportManager *manager, QWidget *parent = nullptr);

    ExportListModel *model() const { return m_model; }
    FileListModel *fileModel() const { return m_files; }
    QTableView *table() const { return m_table; }
    QPlainTextEdit *logView() const { return m_log; }
    session::ExportEntry *currentEntry() const;
    void select(session::ExportEntry *entry);

    QPushButton *cancelButton() const { return m_cancel; }
    QPushButton *checkNowButton() const { return m_checkNow; }
    QPushButton *retryButton() const { return m_retry; }
    QPushButton *openFolderButton() const { return m_openFolder; }
    QPushButton *removeButton() const { return m_remove; }
    QPushButton *reviewButton() const { return m_review; }

public slots:
    void cancelCurrent();
    void checkNowCurrent();
    void retryCurrent();
    void openFolderCurrent();
    void removeCurrent();
    void reviewCurrent();

signals:
    void actionsChanged();
    void reviewRequested(const QString &folder);

private:
    void onCurrentChanged();
    void updateActions();
    void showMessage();

    session::ExportManager *m_manager;
    ExportListModel *m_model;
    FileListModel *m_files;
    QTableView *m_table;
    QTableView *m_fileTable;
    QPlainTextEdit *m_log;
    QLabel *m_message;
    QTabWidget *m_tabs;
    QTimer *m_tick;
    QPushButton *m_cancel;
    QPushButton *m_checkNow;
    QPushButton *m_retry;
    QPushButton *m_openFolder;
    QPushButton *m_remove;
    QPushButton *m_review;
};

} // namespace cohort::ui
