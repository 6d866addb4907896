#pragma once

#include "demo/DemoServerOptions.h"

#include <QMainWindow>
#include <QPointer>

class QAction;
class QLabel;
class QSettings;
class QSplitter;
class QSystemTrayIcon;

namespace cohort::auth {
class CredentialStore;
class ProfileStore;
} // namespace cohort::auth
namespace cohort::demo {
class DemoServer;
}
namespace cohort::session {
class ExportEntry;
class ExportManager;
class ServerSession;
} // namespace cohort::session

namespace cohort::ui {

class ExportForm;
class ExportsPanel;
class GroupBrowser;
class ServerBar;

// The main window: server bar, Group browser, export form and the exports panel.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    struct Options
    {
        QString keychainService;        // empty: CredentialStore::defaultService()
        demo::DemoServerOptions demo;   // the built-in server's cohort and faults
        demo::DemoServer *demoServer = nullptr; // a running one to use instead (not owned)
        bool resumeOnStart = true;      // resume unfinished exports from earlier runs
        bool askBeforeQuit = true;      // tests answer the quit question themselves
    };

    explicit MainWindow(QWidget *parent = nullptr);
    explicit MainWindow(const Options &options, QWidget *parent = nullptr);
    ~MainWindow() override;

    session::ServerSession *session() const { return m_session; }
    session::ExportManager *exports() const { return m_exports; }
    ServerBar *serverBar() const { return m_serverBar; }
    GroupBrowser *groupBrowser() const { return m_groups; }
    ExportForm *exportForm() const { return m_form; }
    ExportsPanel *exportsPanel() const { return m_panel; }

    enum class QuitChoice
    {
        KeepForNextTime,
        CancelOnServer,
        StayOpen
    };
    // What to do with running exports on quit; asks the user unless options say otherwise.
    void setQuitChoice(QuitChoice choice) { m_quitChoice = choice; }
    void showAbout(); // Help › About (modal)

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void buildMenus();
    void restoreState();
    void saveState();
    void onGroupChanged();
    void onExportRequested();
    void browseFolder();
    void openExportFolder();
    void showSettings();
    void showProfiles();
    void showCapabilities();
    void showGettingStarted();
    void openReview(const QStringList &paths);
    void onExportFinished(session::ExportEntry *entry, int state);
    void updateTitle();
    void updateActions();

    Options m_options;
    QSettings *m_settings;
    auth::ProfileStore *m_profiles;
    auth::CredentialStore *m_credentials;
    session::ServerSession *m_session;
    session::ExportManager *m_exports;
    ServerBar *m_serverBar;
    GroupBrowser *m_groups;
    ExportForm *m_form;
    ExportsPanel *m_panel;
    QSplitter *m_mainSplit;
    QSplitter *m_topSplit;
    QLabel *m_statusText;
    QSystemTrayIcon *m_tray = nullptr;
    QAction *m_startExport = nullptr;
    QAction *m_cancel = nullptr;
    QAction *m_checkNow = nullptr;
    QAction *m_retry = nullptr;
    QAction *m_openFolder = nullptr;
    QAction *m_remove = nullptr;
    QAction *m_review = nullptr;
    QAction *m_details = nullptr;
    QuitChoice m_quitChoice = QuitChoice::StayOpen;
    bool m_quitting = false;
    int m_logLevel = 0;
};

} // namespace cohort::ui
