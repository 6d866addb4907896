#include "MainWindow.h"

#include "AppInfo.h"
#include "CapabilityDialog.h"
#include "ExportForm.h"
#include "ExportListModel.h"
#include "ExportsPanel.h"
#include "GroupBrowser.h"
#include "ProfileDialog.h"
#include "ReviewWindow.h"
#include "ServerBar.h"
#include "SettingsDialog.h"
#include "auth/CredentialStore.h"
#include "auth/ProfileStore.h"
#include "session/ExportEntry.h"
#include "session/ExportManager.h"
#include "session/ServerSession.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QFileDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QSystemTrayIcon>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

// Resources of a static library must be registered by name, outside any namespace.
static void initResources()
{
    Q_INIT_RESOURCE(resources);
}

namespace cohort::ui {

using bulk::ExportState;
using session::ExportEntry;
using session::ServerSession;
using namespace Qt::StringLiterals;

MainWindow::MainWindow(QWidget *parent)
    : MainWindow(Options{}, parent)
{
}

MainWindow::MainWindow(const Options &options, QWidget *parent)
    : QMainWindow(parent)
    , m_options(options)
    , m_settings(new QSettings(this))
    , m_profiles(new auth::ProfileStore(m_settings, this))
    , m_credentials(new auth::CredentialStore(options.keychainService.isEmpty()
                                                  ? auth::CredentialStore::defaultService()
                                                  : options.keychainService,
                                              this))
    , m_session(new ServerSession(m_profiles, m_credentials, this))
    , m_exports(new session::ExportManager(m_session, m_settings, this))
    , m_serverBar(new ServerBar(m_session, this))
    , m_groups(new GroupBrowser(m_session, this))
    , m_form(new ExportForm(this))
    , m_panel(new ExportsPanel(m_exports, this))
    , m_mainSplit(new QSplitter(Qt::Vertical, this))
    , m_topSplit(new QSplitter(Qt::Horizontal, this))
    , m_statusText(new QLabel(this))
{
    initResources();
    setWindowTitle(tr("Cohort Export"));
    setWindowIcon(QIcon(u":/icons/cohort-export.svg"_s));
    setMinimumSize(900, 560);
    m_session->setDemoOptions(options.demo);
    if (options.demoServer)
        m_session->useDemoServer(options.demoServer);
    m_quitChoice = options.askBeforeQuit ? QuitChoice::StayOpen : QuitChoice::KeepForNextTime;
    m_logLevel = m_settings->value(u"log/level"_s, 0).toInt();
    if (m_logLevel != 0)
        SettingsDialog::applyLogLevel(m_logLevel);

    m_form->setMinimumWidth(300);
    m_groups->setMinimumWidth(360);
    m_topSplit->setObjectName(u"topSplitter"_s);
    m_topSplit->addWidget(m_groups);
    m_topSplit->addWidget(m_form);
    m_topSplit->setStretchFactor(0, 3);
    m_topSplit->setStretchFactor(1, 2);
    m_topSplit->setChildrenCollapsible(false);
    m_mainSplit->setObjectName(u"mainSplitter"_s);
    m_mainSplit->addWidget(m_topSplit);
    m_mainSplit->addWidget(m_panel);
    m_mainSplit->setStretchFactor(0, 3);
    m_mainSplit->setStretchFactor(1, 2);
    m_mainSplit->setChildrenCollapsible(false);

    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    layout->setContentsMargins(4, 0, 4, 0);
    layout->addWidget(m_serverBar);
    layout->addWidget(m_mainSplit, 1);
    setCentralWidget(central);
    statusBar()->addWidget(m_statusText, 1);

    buildMenus();

    connect(m_serverBar, &ServerBar::manageProfilesRequested, this, &MainWindow::showProfiles);
    connect(m_serverBar, &ServerBar::detailsRequested, this, &MainWindow::showCapabilities);
    connect(m_groups, &GroupBrowser::selectionChanged, this, &MainWindow::onGroupChanged);
    connect(m_form, &ExportForm::exportRequested, this, &MainWindow::onExportRequested);
    connect(m_form, &ExportForm::browseFolderRequested, this, &MainWindow::browseFolder);
    connect(m_session, &ServerSession::stateChanged, this, [this](ServerSession::State state) {
        const bool connected = state == ServerSession::State::Connected;
        m_form->setCapabilities(connected ? &m_session->capabilities() : nullptr);
        m_details->setEnabled(connected);
        switch (state) {
        case ServerSession::State::Connecting:
            m_statusText->setText(tr("Connecting to %1…").arg(m_session->profile().name));
            break;
        case ServerSession::State::Connected:
            m_statusText->setText(tr("Connected to %1.").arg(m_session->profile().name));
            m_settings->setValue(u"ui/lastProfile"_s, m_session->profile().id);
            break;
        case ServerSession::State::Failed:
            m_statusText->setText(m_session->errorMessage());
            break;
        case ServerSession::State::Disconnected:
            m_statusText->clear();
            break;
        }
        onGroupChanged();
    });
    connect(m_exports, &session::ExportManager::exportFinished, this,
            [this](ExportEntry *entry, ExportState state) { onExportFinished(entry, int(state)); });
    connect(m_exports, &session::ExportManager::entryChanged, this, &MainWindow::updateTitle);
    connect(m_exports, &session::ExportManager::entryAdded, this, &MainWindow::updateTitle);
    connect(m_panel, &ExportsPanel::actionsChanged, this, &MainWindow::updateActions);
    connect(m_panel, &ExportsPanel::reviewRequested, this,
            [this](const QString &folder) { openReview({folder}); });

    if (QSystemTrayIcon::isSystemTrayAvailable()) {
        m_tray = new QSystemTrayIcon(windowIcon(), this);
        m_tray->setToolTip(tr("Cohort Export"));
        connect(m_tray, &QSystemTrayIcon::activated, this, [this] {
            showNormal();
            raise();
            activateWindow();
        });
        m_tray->show();
    }

    restoreState();
    m_exports->load();
    if (options.resumeOnStart)
        m_exports->resumeUnfinished();
    const QString last = m_settings->value(u"ui/lastProfile"_s).toString();
    m_serverBar->selectProfile(m_profiles->profile(last) ? last : auth::ServerProfile::demoId());
    updateActions();
    updateTitle();
}

MainWindow::~MainWindow()
{
    // Running exports are torn down with the children below (an aborted request answers at once);
    // none of their signals may reach this half-destroyed window.
    for (QObject *sender : std::initializer_list<QObject *>{m_session, m_exports, m_panel, m_serverBar,
                                                            m_groups, m_form})
        QObject::disconnect(sender, nullptr, this, nullptr);
}

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *open = file->addAction(tr("&Add export folder to the list…"), this, &MainWindow::openExportFolder);
    open->setShortcut(QKeySequence::Open);
    file->addAction(tr("&Review export folder…"), this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Export folder to review"),
                                                              m_exports->defaults().folder);
        if (!dir.isEmpty())
            openReview({dir});
    });
    file->addAction(tr("Review &NDJSON files…"), this, [this] {
        const QStringList files = QFileDialog::getOpenFileNames(
            this, tr("NDJSON files to review"), m_exports->defaults().folder,
            tr("NDJSON (*.ndjson);;All files (*)"));
        if (!files.isEmpty())
            openReview(files);
    });
    file->addSeparator();
    QAction *settings = file->addAction(tr("&Settings…"), this, &MainWindow::showSettings);
    settings->setShortcut(QKeySequence::Preferences);
    settings->setMenuRole(QAction::PreferencesRole);
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);
    quit->setMenuRole(QAction::QuitRole);

    QMenu *server = menuBar()->addMenu(tr("&Server"));
    QAction *profiles = server->addAction(tr("&Manage profiles…"), this, &MainWindow::showProfiles);
    profiles->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P));
    QAction *reconnect = server->addAction(tr("&Reconnect"), m_session, &ServerSession::reconnect);
    reconnect->setShortcut(QKeySequence::Refresh);
    m_details = server->addAction(tr("Server &details…"), this, &MainWindow::showCapabilities);
    m_details->setEnabled(false);
    server->addSeparator();
    QAction *find = server->addAction(tr("&Find Group"), this, [this] {
        m_groups->searchField()->setFocus();
        m_groups->searchField()->selectAll();
    });
    find->setShortcut(QKeySequence::Find);

    QMenu *exportMenu = menuBar()->addMenu(tr("&Export"));
    m_startExport = exportMenu->addAction(tr("&Start export"), this, [this] {
        if (m_form->exportButton()->isEnabled())
            m_form->exportButton()->click();
    });
    m_startExport->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return));
    exportMenu->addSeparator();
    m_cancel = exportMenu->addAction(tr("&Cancel export"), m_panel, &ExportsPanel::cancelCurrent);
    m_checkNow = exportMenu->addAction(tr("Check &now"), m_panel, &ExportsPanel::checkNowCurrent);
    m_checkNow->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    m_retry = exportMenu->addAction(tr("Re&try"), m_panel, &ExportsPanel::retryCurrent);
    m_openFolder = exportMenu->addAction(tr("&Open folder"), m_panel, &ExportsPanel::openFolderCurrent);
    m_openFolder->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    m_remove = exportMenu->addAction(tr("Remo&ve from list"), m_panel, &ExportsPanel::removeCurrent);
    m_review = exportMenu->addAction(tr("Re&view"), m_panel, &ExportsPanel::reviewCurrent);
    m_review->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_V));
    exportMenu->addSeparator();
    QAction *focusExports = exportMenu->addAction(tr("Go to e&xports"), this, [this] { m_panel->table()->setFocus(); });
    focusExports->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    QAction *start = help->addAction(tr("&Getting started"), this, &MainWindow::showGettingStarted);
    start->setShortcut(QKeySequence::HelpContents);
    QAction *about = help->addAction(tr("&About Cohort Export"), this, &MainWindow::showAbout);
    about->setMenuRole(QAction::AboutRole);
    QAction *aboutQt = help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
    aboutQt->setMenuRole(QAction::AboutQtRole);
}

void MainWindow::restoreState()
{
    if (!restoreGeometry(m_settings->value(u"ui/geometry"_s).toByteArray()))
        resize(1280, 800);
    if (!m_mainSplit->restoreState(m_settings->value(u"ui/mainSplitter"_s).toByteArray()))
        m_mainSplit->setSizes({520, 260});
    if (!m_topSplit->restoreState(m_settings->value(u"ui/topSplitter"_s).toByteArray()))
        m_topSplit->setSizes({700, 500});
}

void MainWindow::saveState()
{
    m_settings->setValue(u"ui/geometry"_s, saveGeometry());
    m_settings->setValue(u"ui/mainSplitter"_s, m_mainSplit->saveState());
    m_settings->setValue(u"ui/topSplitter"_s, m_topSplit->saveState());
    m_settings->sync();
}

void MainWindow::onGroupChanged()
{
    const auto group = m_session->state() == ServerSession::State::Connected
                           ? m_groups->selectedGroup()
                           : std::nullopt;
    m_form->setGroup(group);
    if (!group) {
        m_form->setLastExportTime({});
        return;
    }
    const QString label = group->name.isEmpty() ? group->id : group->name;
    const QString lastParent = m_settings->value(u"ui/lastFolder"_s).toString();
    m_form->setSuggestedFolder(m_exports->suggestFolder(
        label, lastParent.isEmpty() ? m_session->profile().outputFolder : lastParent));
    m_form->setLastExportTime(m_exports->lastTransactionTime(m_session->profile().id, group->id));
}

void MainWindow::onExportRequested()
{
    auto request = m_form->buildRequest();
    const auto group = m_groups->selectedGroup();
    if (!request || !group)
        return;
    QString error;
    ExportEntry *entry = m_exports->startExport(*request, m_form->folder(),
                                                group->name.isEmpty() ? group->id : group->name, &error);
    if (!entry) {
        m_form->errorLabel()->setText(error);
        m_form->errorLabel()->show();
        return;
    }
    m_form->errorLabel()->hide();
    m_panel->select(entry);
    m_statusText->setText(tr("Export of “%1” started in %2.")
                              .arg(entry->journal().label, QDir::toNativeSeparators(entry->folder())));
    // The next export of this Group goes to a new folder.
    m_form->setSuggestedFolder({});
    onGroupChanged();
}

void MainWindow::browseFolder()
{
    const QString start = m_settings->value(u"ui/lastFolder"_s, m_exports->defaults().folder).toString();
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Where to put the export"), start);
    if (dir.isEmpty())
        return;
    m_settings->setValue(u"ui/lastFolder"_s, dir);
    const auto group = m_groups->selectedGroup();
    // An empty folder is used as it is; otherwise the export gets its own folder inside it.
    QString folder = dir;
    if (!QDir(dir).isEmpty() && group)
        folder = m_exports->suggestFolder(group->name.isEmpty() ? group->id : group->name, dir);
    m_form->folderEdit()->setText(QDir::toNativeSeparators(folder));
    emit m_form->folderEdit()->textEdited(m_form->folderEdit()->text());
}

void MainWindow::openExportFolder()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Export folder"),
                                                          m_exports->defaults().folder);
    if (dir.isEmpty())
        return;
    QString error;
    ExportEntry *entry = m_exports->addExisting(dir, &error);
    if (!entry) {
        QMessageBox::warning(this, tr("Not an export folder"), error);
        return;
    }
    m_panel->select(entry);
}

void MainWindow::showSettings()
{
    SettingsDialog dialog(m_exports->defaults(), m_logLevel, this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    m_exports->setDefaults(dialog.defaults());
    m_logLevel = dialog.logLevel();
    m_settings->setValue(u"log/level"_s, m_logLevel);
    SettingsDialog::applyLogLevel(m_logLevel);
    onGroupChanged();
}

void MainWindow::showProfiles()
{
    ProfileDialog dialog(m_session, this);
    dialog.selectProfile(m_serverBar->currentProfileId());
    dialog.exec();
}

void MainWindow::showCapabilities()
{
    if (m_session->state() != ServerSession::State::Connected)
        return;
    CapabilityDialog dialog(m_session->capabilities(), m_session->profile().name, this);
    dialog.exec();
}

void MainWindow::showAbout()
{
    QMessageBox::about(
        this, tr("About Cohort Export"),
        tr("<h3>Cohort Export %1</h3>"
           "<p>Exports patient cohorts from FHIR servers with the Bulk Data Access $export "
           "operation, and checks what came down.</p>"
           "<p>Built with Qt %2 (running on Qt %3).</p>"
           "<p>Cohort Export is free software: you can redistribute it and/or modify it under "
           "the terms of the GNU General Public License as published by the Free Software "
           "Foundation, either version 3 of the License, or (at your option) any later version "
           "(GPL-3.0-or-later). It comes with ABSOLUTELY NO WARRANTY.</p>"
           "<p><b>Licences of the components:</b> Qt (LGPL 3), Qt HTTP Server (GPL 3), "
           "QtKeychain (BSD 2-Clause), OpenSSL (Apache 2.0), libcurl (curl licence), "
           "simdjson (Apache 2.0), zlib (zlib licence).</p>")
            .arg(appVersion(), QStringLiteral(QT_VERSION_STR), QString::fromLatin1(qVersion())));
}

void MainWindow::showGettingStarted()
{
    QMessageBox box(this);
    box.setWindowTitle(tr("Getting started"));
    box.setIcon(QMessageBox::Information);
    box.setTextFormat(Qt::RichText);
    box.setText(tr("<h3>Try it in one minute</h3>"
                   "<ol>"
                   "<li>The <b>Demo server</b> profile is built in: it runs inside the app on "
                   "127.0.0.1 with a synthetic cohort, no account needed.</li>"
                   "<li>Pick a Group on the left (type in <i>Find Group</i> to search).</li>"
                   "<li>Choose resource types, optionally a since date, and a folder.</li>"
                   "<li>Press <b>Export</b>. The exports panel shows the server's progress, then "
                   "every file downloading. Files land as NDJSON next to manifest.json.</li>"
                   "</ol>"
                   "<p>For your own server, use <b>Server → Manage profiles…</b>: enter its base "
                   "URL and how to sign in, then <i>Test connection</i>.</p>"));
    box.exec();
}

void MainWindow::openReview(const QStringList &paths)
{
    auto *review = new ReviewWindow; // a window of its own, deleted on close
    if (!review->openPaths(paths)) {
        review->deleteLater();
        return;
    }
    review->show();
}

void MainWindow::onExportFinished(ExportEntry *entry, int stateValue)
{
    const auto state = ExportState(stateValue);
    const QString label = entry->journal().label;
    QString title, text;
    switch (state) {
    case ExportState::Completed:
        title = tr("Export finished");
        text = tr("“%1” is complete.").arg(label);
        break;
    case ExportState::PartiallyCompleted:
        title = tr("Export finished with errors");
        text = tr("“%1” finished; the server reported errors for some resources.").arg(label);
        break;
    case ExportState::Failed:
        title = tr("Export failed");
        text = tr("“%1”: %2").arg(label, entry->journal().message);
        break;
    default:
        updateTitle();
        return;
    }
    m_statusText->setText(text);
    if (m_tray && !isActiveWindow())
        m_tray->showMessage(title, text,
                            state == ExportState::Failed ? QSystemTrayIcon::Warning
                                                         : QSystemTrayIcon::Information);
    QApplication::alert(this);
    updateTitle();
}

void MainWindow::updateTitle()
{
    int running = 0;
    for (const ExportEntry *e : m_exports->entries())
        running += e->isRunning() ? 1 : 0;
    if (running == 0) {
        setWindowTitle(tr("Cohort Export"));
        return;
    }
    const int progress = m_panel->model()->overallProgress();
    setWindowTitle(progress >= 0 ? tr("%1% — %n export(s) running — Cohort Export", nullptr, running)
                                       .arg(progress / 10)
                                 : tr("%n export(s) running — Cohort Export", nullptr, running));
}

void MainWindow::updateActions()
{
    m_cancel->setEnabled(m_panel->cancelButton()->isEnabled());
    m_checkNow->setEnabled(m_panel->checkNowButton()->isEnabled());
    m_retry->setEnabled(m_panel->retryButton()->isEnabled());
    m_openFolder->setEnabled(m_panel->openFolderButton()->isEnabled());
    m_remove->setEnabled(m_panel->removeButton()->isEnabled());
    m_review->setEnabled(m_panel->reviewButton()->isEnabled());
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveState();
    if (m_quitting || !m_exports->hasRunning()) {
        event->accept();
        return;
    }
    QuitChoice choice = m_quitChoice;
    if (m_options.askBeforeQuit) {
        QMessageBox box(QMessageBox::Question, tr("Exports are running"),
                        tr("Some exports are still running. Keep them for next time (the app "
                           "checks on them when it starts again), or cancel them on the server?"),
                        QMessageBox::NoButton, this);
        QPushButton *keep = box.addButton(tr("&Keep for next time"), QMessageBox::AcceptRole);
        QPushButton *cancel = box.addButton(tr("&Cancel them on the server"), QMessageBox::DestructiveRole);
        box.addButton(tr("&Don't quit"), QMessageBox::RejectRole);
        box.setDefaultButton(keep);
        box.exec();
        choice = box.clickedButton() == keep     ? QuitChoice::KeepForNextTime
                 : box.clickedButton() == cancel ? QuitChoice::CancelOnServer
                                                 : QuitChoice::StayOpen;
    }
    if (choice == QuitChoice::StayOpen) {
        event->ignore();
        return;
    }
    if (choice == QuitChoice::KeepForNextTime) {
        event->accept(); // journals are saved on every transition
        return;
    }
    // Cancel on the server: wait (briefly) for the DELETEs, then close.
    event->ignore();
    m_quitting = true;
    m_statusText->setText(tr("Cancelling the running exports…"));
    for (ExportEntry *e : m_exports->entries())
        if (e->isRunning())
            e->cancel();
    auto *deadline = new QTimer(this);
    deadline->setSingleShot(true);
    connect(deadline, &QTimer::timeout, this, &QWidget::close);
    deadline->start(10000);
    connect(m_exports, &session::ExportManager::exportFinished, this, [this] {
        if (!m_exports->hasRunning())
            QMetaObject::invokeMethod(this, &QWidget::close, Qt::QueuedConnection);
    });
}

} // namespace cohort::ui
