// The main window driven like a user would, against the in-process demo server: connect,
// search and select a Group, choose types and a since date, export, watch the row; cancel;
// an injected fault; a restart that resumes an unfinished export; the review window (problems,
// filters, CSV, references followed and Back/Forward).
#include "ExportForm.h"
#include "ExportListModel.h"
#include "ExportsPanel.h"
#include "FileListModel.h"
#include "GroupBrowser.h"
#include "GroupTableModel.h"
#include "MainWindow.h"
#include "ProfileDialog.h"
#include "ResourceTableModel.h"
#include "ReviewWindow.h"
#include "ServerBar.h"
#include "TestFiles.h"
#include "auth/ProfileStore.h"
#include "demo/DemoServer.h"
#include "demo/HttpUtil.h"
#include "session/ExportEntry.h"
#include "session/ExportManager.h"
#include "session/ServerSession.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScopeGuard>
#include <QSet>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBlock>
#include <QTextBrowser>
#include <QTextDocument>
#include <QTimer>
#include <QTranslator>
#include <QTreeWidget>

#include <cmath>

using namespace cohort;
using namespace Qt::StringLiterals;
using bulk::ExportState;
using session::ExportEntry;
using session::ServerSession;

namespace {

// The links of the review window's JSON view, in document order.
QStringList linksIn(const QTextDocument *document)
{
    QStringList links;
    for (QTextBlock block = document->begin(); block.isValid(); block = block.next())
        for (auto it = block.begin(); !it.atEnd(); ++it)
            if (it.fragment().charFormat().isAnchor())
                links << it.fragment().charFormat().anchorHref();
    return links;
}

ui::ReviewWindow *openReviewWindow()
{
    for (QWidget *w : QApplication::topLevelWidgets())
        if (auto *r = qobject_cast<ui::ReviewWindow *>(w); r && r->isVisible())
            return r;
    return nullptr;
}

} // namespace

class TestMainWindow : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();
    void exportFlow();
    void invalidInputIsPointedAt();
    void suggestedFolderIsReplacedWhole();
    void aboutNamesTheLicence();
    void cancelMidExport();
    void serverFaultShowsInRow();
    void restartResumesUnfinishedExport();
    void profileEditorSavesProfile();
    void reviewShowsProblems();
    void reviewFollowsReferences();
    void reviewLinksOnlyResolvableReferences();
    void screenshots();

private:
    std::unique_ptr<ui::MainWindow> openWindow();
    // The review table written as CSV through the window, then read back line by line.
    bool writeCsv(ui::ReviewWindow *review, const QString &name, QList<QByteArray> *rows);
    void selectGroupNamed(ui::MainWindow &window, const QString &text);
    ExportEntry *startExport(ui::MainWindow &window, const QStringList &types);

    std::unique_ptr<QTemporaryDir> m_home;
    std::unique_ptr<demo::DemoServer> m_server;
};

void TestMainWindow::initTestCase()
{
    QCoreApplication::setOrganizationName(u"Cohort Export Tests"_s);
    QCoreApplication::setApplicationName(u"tst_MainWindow"_s);
    // The app's English plural forms, so texts read "5 patients" as in the app.
    auto *english = new QTranslator(this);
    QVERIFY(english->load(u"cohort-export_en"_s, u":/i18n"_s));
    QCoreApplication::installTranslator(english);
}

void TestMainWindow::init()
{
    // A fresh settings file and export root per test: nothing leaks between tests.
    m_home = std::make_unique<QTemporaryDir>();
    QVERIFY(m_home->isValid());
    // An INI file on every OS (the Windows registry would ignore the path).
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope,
                       QDir(m_home->path()).filePath(u"config"_s));
    QSettings settings;
    settings.setValue(u"exports/defaultFolder"_s, QDir(m_home->path()).filePath(u"exports"_s));
    settings.sync();

    demo::DemoServerOptions options;
    options.patients = 30;
    options.resourcesPerFile = 200;
    options.exportSeconds = 0.5;
    m_server = std::make_unique<demo::DemoServer>(options);
    QString error;
    QVERIFY2(m_server->start(&error), qPrintable(error));
}

void TestMainWindow::cleanup()
{
    m_server.reset();
    m_home.reset();
}

bool TestMainWindow::writeCsv(ui::ReviewWindow *review, const QString &name,
                              QList<QByteArray> *rows)
{
    const QString path = QDir(m_home->path()).filePath(name);
    QSignalSpy written(review, &ui::ReviewWindow::csvWritten);
    review->exportCsv(path);
    if (!written.wait(20000) || !written.first().first().toBool())
        return false;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return false;
    *rows = file.readAll().split('\n');
    return true;
}

std::unique_ptr<ui::MainWindow> TestMainWindow::openWindow()
{
    ui::MainWindow::Options options;
    options.keychainService = u"cohort-export-gui-test"_s;
    options.demoServer = m_server.get();
    options.askBeforeQuit = false;
    auto window = std::make_unique<ui::MainWindow>(options);
    window->resize(1280, 800);
    window->show();
    return window;
}

void TestMainWindow::selectGroupNamed(ui::MainWindow &window, const QString &text)
{
    ui::GroupBrowser *browser = window.groupBrowser();
    QTRY_COMPARE_WITH_TIMEOUT(window.session()->state(), ServerSession::State::Connected, 20000);
    QTRY_VERIFY_WITH_TIMEOUT(browser->model()->rowCount() > 0, 20000);
    const int all = browser->model()->rowCount();
    QTest::keyClicks(browser->searchField(), text);
    QTest::keyClick(browser->searchField(), Qt::Key_Return);
    QTRY_COMPARE_WITH_TIMEOUT(browser->model()->status(), ui::GroupTableModel::Ready, 20000);
    QVERIFY(browser->model()->rowCount() >= 1);
    QVERIFY(browser->model()->rowCount() <= all);
    for (int row = 0; row < browser->model()->rowCount(); ++row)
        QVERIFY(browser->model()->group(row)->name.contains(text, Qt::CaseInsensitive));
    browser->table()->setFocus();
    browser->table()->setCurrentIndex(browser->model()->index(0, 0));
    // The details (members) arrive from GET Group/{id}.
    QTRY_VERIFY_WITH_TIMEOUT(browser->selectedGroup() && browser->selectedGroup()->memberCount() > 0, 20000);
    QTRY_VERIFY(window.exportForm()->exportButton()->isEnabled());
}

ExportEntry *TestMainWindow::startExport(ui::MainWindow &window, const QStringList &types)
{
    ui::ExportForm *form = window.exportForm();
    form->setCheckedTypes(types);
    const QString label = form->exportButton()->text().remove(u'&');
    if (!label.contains(u"%1 resource type"_s.arg(types.size())))
        qWarning() << "button says" << label;
    const int before = int(window.exports()->entries().size());
    QTest::mouseClick(form->exportButton(), Qt::LeftButton);
    if (int(window.exports()->entries().size()) != before + 1) {
        qWarning() << "form error:" << form->errorLabel()->text();
        return nullptr;
    }
    return window.exports()->entries().last();
}

void TestMainWindow::exportFlow()
{
    auto window = openWindow();
    QAbstractItemModelTester groupTester(window->groupBrowser()->model(),
                                         QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester exportTester(window->exportsPanel()->model(),
                                          QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester fileTester(window->exportsPanel()->fileModel(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(window->serverBar()->currentProfileId(), auth::ServerProfile::demoId());

    selectGroupNamed(*window, u"pilot"_s);

    ui::ExportForm *form = window->exportForm();
    form->sinceEnabled()->setChecked(true);
    form->sinceEdit()->setDateTime(QDateTime::currentDateTime().addYears(-20));
    const QString folder = form->folder();
    QVERIFY(folder.startsWith(QDir::toNativeSeparators(m_home->path())));

    form->setCheckedTypes({u"Patient"_s, u"Observation"_s});
    QCOMPARE(form->exportButton()->text().remove(u'&'), u"Export 2 resource types for 5 patients"_s);
    ExportEntry *entry = startExport(*window, {u"Patient"_s, u"Observation"_s});
    QVERIFY(entry);
    QCOMPARE(window->exportsPanel()->currentEntry(), entry);
    QTRY_COMPARE_WITH_TIMEOUT(entry->state(), ExportState::Completed, 60000);

    // The files on disk are what the manifest promised.
    QVERIFY(QFileInfo::exists(QDir(folder).filePath(u"manifest.json"_s)));
    QVERIFY(QFileInfo::exists(QDir(folder).filePath(u"export.json"_s)));
    const auto files = test::ndjsonFilesIn(folder);
    QVERIFY(!files.isEmpty());
    for (auto it = files.begin(); it != files.end(); ++it)
        QVERIFY2(it.key().startsWith(u"Patient."_s) || it.key().startsWith(u"Observation."_s) ||
                     it.key().startsWith(u"deleted/"_s),
                 qPrintable(it.key()));
    qint64 patientLines = 0;
    for (auto it = files.begin(); it != files.end(); ++it)
        if (it.key().startsWith(u"Patient."_s))
            patientLines += it.value().count('\n');
    QCOMPARE(patientLines, qint64(window->groupBrowser()->selectedGroup()->memberCount()));
    QVERIFY(entry->journal().request.since.endsWith(u"Z"_s) || entry->journal().request.since.contains(u'+') ||
            entry->journal().request.since.count(u'-') > 2);

    // The row's final state, and the file list of the selected export.
    ui::ExportListModel *model = window->exportsPanel()->model();
    const QModelIndex row = model->indexOf(entry, ui::ExportListModel::State);
    QCOMPARE(row.data().toString(), u"Completed"_s);
    QCOMPARE(model->indexOf(entry, ui::ExportListModel::Progress).data(ui::ProgressValueRole).toInt(), 1000);
    QCOMPARE(window->exportsPanel()->fileModel()->rowCount(), int(entry->journal().files.size()));
    QCOMPARE(window->exportsPanel()->fileModel()->index(0, ui::FileListModel::Status).data().toString(), u"Done"_s);
    QVERIFY(!window->exportsPanel()->logView()->toPlainText().isEmpty());
    QVERIFY(!window->exportsPanel()->cancelButton()->isEnabled());
    QVERIFY(window->exportsPanel()->openFolderButton()->isEnabled());

    // "Since my last export" now has a transactionTime to offer, and the next export of the
    // same Group gets a new folder.
    QVERIFY(form->folder() != folder);
    QVERIFY(entry->journal().transactionTime.isValid());

    // Review: the export opens in the review window, counted and browsable.
    QVERIFY(window->exportsPanel()->reviewButton()->isEnabled());
    QTest::mouseClick(window->exportsPanel()->reviewButton(), Qt::LeftButton);
    ui::ReviewWindow *review = nullptr;
    for (QWidget *w : QApplication::topLevelWidgets())
        if (auto *r = qobject_cast<ui::ReviewWindow *>(w))
            review = r;
    QVERIFY(review);
    QTRY_VERIFY_WITH_TIMEOUT(review->isScanFinished(), 30000);
    QCOMPARE(review->problemsTable()->rowCount(), 0);
    QVERIFY(review->filesTable()->rowCount() >= files.size());
    const int patientCombo = review->fileCombo()->findText(u"Patient.001.ndjson"_s);
    QVERIFY(patientCombo >= 0);
    review->fileCombo()->setCurrentIndex(patientCombo);
    QTRY_COMPARE(review->resourceModel()->rowCount(), int(patientLines));
    review->resourceTable()->setCurrentIndex(review->resourceModel()->index(0, 0));
    QVERIFY(review->jsonView()->toPlainText().contains(u"\"resourceType\": \"Patient\""_s));
    QCOMPARE(review->resourceModel()->index(0, ui::ResourceTableModel::Type).data().toString(), u"Patient"_s);
    QVERIFY(!review->resourceModel()->index(0, ui::ResourceTableModel::Id).data().toString().isEmpty());

    // Patient view: one patient's resources across the files, by date.
    const QString patientId = review->resourceModel()->index(0, ui::ResourceTableModel::Id).data().toString();
    QTRY_VERIFY_WITH_TIMEOUT(review->isPatientIndexFinished(), 30000);
    review->patientSearch()->setText(patientId);
    QTRY_VERIFY(review->patientList()->count() >= 1);
    review->patientList()->setCurrentRow(0);
    QCOMPARE(review->patientList()->currentItem()->data(Qt::UserRole).toString(), patientId);
    int expected = 0; // the Patient itself, and every line referencing it
    for (auto it = files.begin(); it != files.end(); ++it)
        if (!it.key().contains(u'/'))
            for (const QByteArray &line : it.value().split('\n'))
                expected += (line.contains("\"Patient/" + patientId.toUtf8() + '"') ||
                             line.contains("\"id\":\"" + patientId.toUtf8() + "\",\"resourceType\":\"Patient\"") ||
                             (line.contains("\"resourceType\":\"Patient\"") &&
                              line.contains("\"id\":\"" + patientId.toUtf8() + '"')))
                                ? 1 : 0;
    QVERIFY(expected > 1);
    QTRY_COMPARE(review->patientTimeline()->rowCount(), expected); // read in the background
    for (int row = 1; row < review->patientTimeline()->rowCount(); ++row)
        QVERIFY(review->patientTimeline()->item(row - 1, 0)->text() <= review->patientTimeline()->item(row, 0)->text());
    review->close();

    // Remove from list: the row goes, the files stay.
    window->exportsPanel()->removeCurrent();
    QCOMPARE(model->rowCount(), 0);
    QVERIFY(QFileInfo::exists(QDir(folder).filePath(u"manifest.json"_s)));
}

void TestMainWindow::invalidInputIsPointedAt()
{
    auto window = openWindow();
    selectGroupNamed(*window, u"Pilot"_s);
    ui::ExportForm *form = window->exportForm();
    QSignalSpy requested(form, &ui::ExportForm::exportRequested);

    // No type chosen.
    form->setCheckedTypes({});
    QTest::mouseClick(form->exportButton(), Qt::LeftButton);
    QCOMPARE(requested.count(), 0);
    QVERIFY(form->errorLabel()->isVisible());
    QVERIFY(form->errorLabel()->text().contains(u"resource type"_s));

    // A since date in the future and a type filter that is not one.
    form->setCheckedTypes({u"Patient"_s});
    form->sinceEnabled()->setChecked(true);
    form->sinceEdit()->setDateTime(QDateTime::currentDateTime().addDays(3));
    form->advancedBox()->setChecked(true);
    form->typeFiltersEdit()->setPlainText(u"category=laboratory"_s);
    QTest::mouseClick(form->exportButton(), Qt::LeftButton);
    QCOMPARE(requested.count(), 0);
    QVERIFY(form->errorLabel()->text().contains(u"future"_s));
    QVERIFY(form->errorLabel()->text().contains(u"type filter"_s));
    // Each rule marks its field, the request's rules (ExportRequest::validate) as the form's.
    QVERIFY(!form->sinceEdit()->styleSheet().isEmpty());
    QVERIFY(!form->typeFiltersEdit()->styleSheet().isEmpty());
    QVERIFY(form->patientsEdit()->styleSheet().isEmpty());

    // A patient that is no reference: the request's rule, on the patients field.
    form->sinceEnabled()->setChecked(false);
    form->typeFiltersEdit()->clear();
    form->patientsEdit()->setText(u"Patient/"_s);
    QTest::mouseClick(form->exportButton(), Qt::LeftButton);
    QCOMPARE(requested.count(), 0);
    QVERIFY2(form->errorLabel()->text().contains(u"Patient/123"_s),
             qPrintable(form->errorLabel()->text()));
    QVERIFY(!form->patientsEdit()->styleSheet().isEmpty());
    QVERIFY(form->typeFiltersEdit()->styleSheet().isEmpty());
    form->patientsEdit()->clear();

    // A folder that already holds an export.
    const QString taken = QDir(m_home->path()).filePath(u"taken"_s);
    QVERIFY(QDir().mkpath(taken));
    QFile journal(QDir(taken).filePath(u"export.json"_s));
    QVERIFY(journal.open(QIODevice::WriteOnly));
    journal.close();
    form->sinceEnabled()->setChecked(false);
    form->typeFiltersEdit()->clear();
    form->folderEdit()->setText(taken);
    QTest::mouseClick(form->exportButton(), Qt::LeftButton);
    QCOMPARE(requested.count(), 0);
    QVERIFY(form->errorLabel()->text().contains(u"already holds an export"_s));
    QVERIFY(window->exports()->entries().isEmpty());
    // Nothing was asked of the server but reads.
    for (const auto &r : m_server->requestLog())
        QVERIFY2(!r.path.contains(u"$export"_s), qPrintable(r.path));
}

void TestMainWindow::suggestedFolderIsReplacedWhole()
{
    auto window = openWindow();
    window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(window.get()));
    selectGroupNamed(*window, u"Pilot"_s);
    QLineEdit *edit = window->exportForm()->folderEdit();
    const QString suggested = edit->text();
    QVERIFY(!suggested.isEmpty());

    // A click into the middle of the suggestion selects all of it: typing replaces it.
    QTest::mouseClick(edit, Qt::LeftButton, {}, edit->rect().center());
    QVERIFY(edit->hasFocus());
    QTRY_COMPARE(edit->selectedText(), suggested);
    const QString own = QDir(m_home->path()).filePath(u"mine"_s);
    QTest::keyClicks(edit, own);
    QCOMPARE(edit->text(), own);

    // The user's own text is edited like any other: a click places the cursor, and a new
    // suggestion (another Group) does not overwrite it.
    window->groupBrowser()->table()->setFocus();
    QTest::mouseClick(edit, Qt::LeftButton, {}, edit->rect().center());
    QVERIFY(edit->hasFocus());
    QCoreApplication::processEvents();
    QVERIFY(edit->selectedText().isEmpty());
    window->exportForm()->setSuggestedFolder(suggested);
    QCOMPARE(edit->text(), own);
}

void TestMainWindow::aboutNamesTheLicence()
{
    auto window = openWindow();
    QString text;
    // The About box is modal: read and close it from inside its own event loop.
    QTimer::singleShot(0, this, [&text] {
        QTRY_VERIFY(qobject_cast<QMessageBox *>(QApplication::activeModalWidget()));
        auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
        text = box->text();
        box->accept();
    });
    window->showAbout();
    QVERIFY(text.contains(u"GPL-3.0-or-later"_s));
    QVERIFY(text.contains(u"GNU General Public License"_s));
    QVERIFY(text.contains(u"libcurl"_s));
}

void TestMainWindow::cancelMidExport()
{
    m_server.reset();
    demo::DemoServerOptions options;
    options.patients = 20;
    options.exportSeconds = 600; // the server keeps working until cancelled
    m_server = std::make_unique<demo::DemoServer>(options);
    QVERIFY(m_server->start());

    auto window = openWindow();
    selectGroupNamed(*window, u"Pilot"_s);
    ExportEntry *entry = startExport(*window, {u"Patient"_s});
    QVERIFY(entry);
    QTRY_COMPARE_WITH_TIMEOUT(entry->state(), ExportState::Polling, 20000);
    ui::ExportsPanel *panel = window->exportsPanel();
    QTRY_VERIFY(panel->cancelButton()->isEnabled());
    QVERIFY(panel->checkNowButton()->isEnabled());
    const QModelIndex progress = panel->model()->indexOf(entry, ui::ExportListModel::Progress);
    QVERIFY(progress.data(ui::ProgressTextRole).toString().size() > 0);

    // The confirmation is answered like a user would.
    QTimer::singleShot(0, this, [] {
        QTRY_VERIFY(qobject_cast<QMessageBox *>(QApplication::activeModalWidget()));
        auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
        box->button(QMessageBox::Yes)->click();
    });
    QTest::mouseClick(panel->cancelButton(), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(entry->state(), ExportState::Cancelled, 20000);
    QCOMPARE(panel->model()->indexOf(entry, ui::ExportListModel::State).data().toString(), u"Cancelled"_s);
    // The server was asked to drop the job.
    bool deleted = false;
    for (const auto &r : m_server->requestLog())
        deleted = deleted || (r.method == "DELETE");
    QVERIFY(deleted);
    QVERIFY(panel->retryButton()->isEnabled());
    QVERIFY(!panel->cancelButton()->isEnabled());
}

void TestMainWindow::serverFaultShowsInRow()
{
    auto window = openWindow();
    selectGroupNamed(*window, u"Pilot"_s);
    m_server->setFault(demo::Fault::Fatal, true);
    ExportEntry *entry = startExport(*window, {u"Patient"_s});
    QVERIFY(entry);
    QTRY_COMPARE_WITH_TIMEOUT(entry->state(), ExportState::Failed, 30000);
    ui::ExportsPanel *panel = window->exportsPanel();
    const QModelIndex state = panel->model()->indexOf(entry, ui::ExportListModel::State);
    QCOMPARE(state.data().toString(), u"Failed"_s);
    // The server's OperationOutcome text reaches the row's tooltip and the details.
    const QString message = entry->journal().message;
    QVERIFY(!message.isEmpty());
    QCOMPARE(state.data(Qt::ToolTipRole).toString(), message);
    auto *shown = panel->findChild<QLabel *>(u"exportMessage"_s);
    QVERIFY(shown);
    QCOMPARE(shown->text(), message);
    QVERIFY(panel->retryButton()->isEnabled());

    // Retry after the fault is gone: a new export that completes.
    m_server->setFault(demo::Fault::Fatal, false);
    QTest::mouseClick(panel->retryButton(), Qt::LeftButton);
    QCOMPARE(window->exports()->entries().size(), 2);
    ExportEntry *again = window->exports()->entries().last();
    QVERIFY(again != entry);
    QCOMPARE(panel->currentEntry(), again);
    QTRY_COMPARE_WITH_TIMEOUT(again->state(), ExportState::Completed, 60000);
}

void TestMainWindow::restartResumesUnfinishedExport()
{
    m_server.reset();
    demo::DemoServerOptions options;
    options.patients = 20;
    options.exportSeconds = 3;
    m_server = std::make_unique<demo::DemoServer>(options);
    QVERIFY(m_server->start());

    QString folder;
    {
        auto window = openWindow();
        selectGroupNamed(*window, u"Pilot"_s);
        ExportEntry *entry = startExport(*window, {u"Patient"_s, u"Condition"_s});
        QVERIFY(entry);
        folder = entry->folder();
        QTRY_COMPARE_WITH_TIMEOUT(entry->state(), ExportState::Polling, 20000);
        window->setQuitChoice(ui::MainWindow::QuitChoice::KeepForNextTime);
        QVERIFY(window->close());
    }
    // The journal says it is unfinished; a new window picks it up and finishes it.
    auto journal = bulk::ExportJournal::load(folder);
    QVERIFY(journal);
    QCOMPARE(journal->state, ExportState::Polling);

    auto window = openWindow();
    QCOMPARE(window->exports()->entries().size(), 1);
    ExportEntry *resumed = window->exports()->entries().first();
    QCOMPARE(resumed->folder(), folder);
    QTRY_COMPARE_WITH_TIMEOUT(resumed->state(), ExportState::Completed, 60000);
    QVERIFY(!test::ndjsonFilesIn(folder).isEmpty());
    QVERIFY(test::partFilesIn(folder).isEmpty());
    // Exactly one kick-off: the second window polled the first one's job.
    int kickoffs = 0;
    for (const auto &r : m_server->requestLog())
        kickoffs += r.path.endsWith(u"$export"_s) ? 1 : 0;
    QCOMPARE(kickoffs, 1);
}

void TestMainWindow::profileEditorSavesProfile()
{
    auto window = openWindow();
    QTRY_COMPARE_WITH_TIMEOUT(window->session()->state(), ServerSession::State::Connected, 20000);
    // The profile editor is modal: drive it from inside its event loop.
    bool checked = false;
    QTimer::singleShot(0, this, [&] {
        QWidget *modal = nullptr;
        QTRY_VERIFY((modal = QApplication::activeModalWidget()));
        auto *dialog = qobject_cast<ui::ProfileDialog *>(modal);
        QVERIFY(dialog);
        dialog->findChild<QPushButton *>()->window();
        // New profile pointing at the demo server's address, no auth.
        for (QPushButton *b : dialog->findChildren<QPushButton *>())
            if (b->text() == u"&New"_s)
                b->click();
        dialog->nameEdit()->setText(u"Loopback"_s);
        emit dialog->nameEdit()->textEdited(u"Loopback"_s);
        dialog->urlEdit()->setText(m_server->baseUrl().toString());
        emit dialog->urlEdit()->textEdited(dialog->urlEdit()->text());
        QVERIFY(dialog->saveButton()->isEnabled());
        QVERIFY2(dialog->save(), qPrintable(dialog->testOutput()->toPlainText()));
        // Test connection reads /metadata.
        dialog->testButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(dialog->testOutput()->toPlainText().contains(u"Server found"_s), 20000);
        QTRY_VERIFY(dialog->testOutput()->toPlainText().contains(u"open"_s));
        checked = true;
        dialog->reject();
    });
    window->serverBar()->findChild<QPushButton *>(); // the bar exists
    emit window->serverBar()->manageProfilesRequested();
    QVERIFY(checked);
    const auto saved = window->session()->profiles()->profileByName(u"Loopback"_s);
    QVERIFY(saved);
    QCOMPARE(saved->baseUrl, m_server->baseUrl());
    // It is in the server picker and connects.
    window->serverBar()->selectProfile(saved->id);
    QTRY_COMPARE_WITH_TIMEOUT(window->session()->state(), ServerSession::State::Connected, 20000);
    QCOMPARE(window->session()->profile().id, saved->id);
}

void TestMainWindow::reviewShowsProblems()
{
    const QString file = QDir(m_home->path()).filePath(u"Patient.001.ndjson"_s);
    QFile out(file);
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write(R"({"resourceType":"Patient","id":"p1","birthDate":"1970-01-01"})" "\n"
              R"({"resourceType":"Patient","id":)" "\n"
              R"({"resourceType":"Patient","gender":"female"})" "\n");
    out.close();

    auto *review = new ui::ReviewWindow;
    QAbstractItemModelTester tableTester(review->resourceModel(),
                                         QAbstractItemModelTester::FailureReportingMode::QtTest);
    QVERIFY(review->openPaths({file}));
    review->show();
    QTRY_VERIFY_WITH_TIMEOUT(review->isScanFinished(), 30000);
    QTableWidget *problems = review->problemsTable();
    QCOMPARE(problems->rowCount(), 2);
    QCOMPARE(problems->item(0, 1)->text(), u"2"_s);
    QCOMPARE(problems->item(0, 2)->text(), u"invalid-json"_s);
    QCOMPARE(problems->item(1, 1)->text(), u"3"_s);
    QCOMPARE(problems->item(1, 2)->text(), u"missing-id"_s);
    QCOMPARE(review->filesTable()->item(0, 2)->text(), u"3"_s);

    // Activating a problem shows its line.
    emit problems->cellActivated(0, 0);
    QCOMPARE(review->tabs()->currentIndex(), 1);
    QTRY_COMPARE(review->resourceTable()->currentIndex().row(), 1);
    QVERIFY(review->jsonView()->toPlainText().startsWith(u"Line 2 is not a JSON object"_s));
    QCOMPARE(review->resourceModel()->index(0, ui::ResourceTableModel::Date).data().toString(),
             u"1970-01-01"_s);

    // The filter box: text (case-insensitive), id:, patient:, in the background.
    auto filterBy = [&](const QString &text) {
        review->filterEdit()->setText(text);
        QTest::keyClick(review->filterEdit(), Qt::Key_Return); // no need to wait for the pause
        QTRY_VERIFY(review->resourceModel()->isFiltered() == !text.isEmpty() && review->isFilterFinished());
    };
    filterBy(u"FEMALE"_s);
    QTRY_COMPARE(review->resourceModel()->rowCount(), 1);
    QCOMPARE(review->resourceModel()->index(0, ui::ResourceTableModel::Line).data().toString(), u"3"_s);
    filterBy(u"id:p1"_s);
    QTRY_COMPARE(review->resourceModel()->rowCount(), 1);
    QCOMPARE(review->resourceModel()->lineOf(0), 0);
    filterBy(u"patient:p1"_s);
    QTRY_COMPARE(review->resourceModel()->rowCount(), 1);
    filterBy(u"id:nobody"_s);
    QTRY_VERIFY(review->isFilterFinished());
    QCOMPARE(review->resourceModel()->rowCount(), 0);
    filterBy({});
    QTRY_COMPARE(review->resourceModel()->rowCount(), 3);

    // The same file gzipped opens the same way (decompressed to the cache first).
    {
        QFile plain(file);
        QVERIFY(plain.open(QIODevice::ReadOnly));
        const QByteArray compressed = demo::gzipCompress(plain.readAll());
        QVERIFY(!compressed.isEmpty());
        QFile gz(file + u".gz"_s);
        QVERIFY(gz.open(QIODevice::WriteOnly));
        QCOMPARE(gz.write(compressed), compressed.size());
    }
    auto *zipped = new ui::ReviewWindow;
    QVERIFY(zipped->openPaths({file + u".gz"_s}));
    QTRY_VERIFY_WITH_TIMEOUT(!zipped->isOpening() && zipped->isScanFinished(), 30000);
    QCOMPARE(zipped->problemsTable()->rowCount(), 2);
    QCOMPARE(zipped->fileCombo()->currentText(), u"Patient.001.ndjson.gz"_s);
    QTRY_COMPARE(zipped->resourceModel()->rowCount(), 3);
    zipped->close();

    // CSV of the table: a header and one row per line.
    QList<QByteArray> rows;
    QVERIFY(writeCsv(review, u"table.csv"_s, &rows));
    QCOMPARE(rows.size(), 5); // header, 3 rows, nothing after the last CRLF
    QVERIFY(rows[0].startsWith("line,resourceType,id"));
    QVERIFY(rows[1].startsWith("1,Patient,p1,"));
    QVERIFY(rows[2].startsWith("2,,,"));
    review->close();
}

// The issue's review flow on a generated export: filter, open a resource, follow a reference to
// its Patient by keyboard and by mouse, Back and Forward, export the table as CSV.
void TestMainWindow::reviewFollowsReferences()
{
    auto window = openWindow();
    selectGroupNamed(*window, u"pilot"_s);
    ExportEntry *entry = startExport(*window, {u"Patient"_s, u"Observation"_s});
    QVERIFY(entry);
    QTRY_COMPARE_WITH_TIMEOUT(entry->state(), ExportState::Completed, 60000);
    QTest::mouseClick(window->exportsPanel()->reviewButton(), Qt::LeftButton);
    ui::ReviewWindow *review = openReviewWindow();
    QVERIFY(review);
    review->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(review));
    auto closeReview = qScopeGuard([review] { review->close(); });
    QTRY_VERIFY_WITH_TIMEOUT(review->isScanFinished(), 30000);
    QCOMPARE(review->problemsTable()->rowCount(), 0);

    // The Observations of the last one's patient (not the first Patient of its file).
    review->fileCombo()->setCurrentIndex(review->fileCombo()->findText(u"Observation.001.ndjson"_s));
    review->tabs()->setCurrentIndex(1);
    QTRY_VERIFY(review->resourceModel()->rowCount() > 0);
    const int last = review->resourceModel()->rowCount() - 1;
    const QString patientRef = review->resourceModel()->index(last, ui::ResourceTableModel::Subject).data().toString();
    QVERIFY2(patientRef.startsWith(u"Patient/"_s), qPrintable(patientRef));
    const QString patientId = patientRef.mid(8);
    int matches = 0;
    {
        QFile file(review->fileCombo()->currentData().toString());
        QVERIFY(file.open(QIODevice::ReadOnly));
        for (const QByteArray &line : file.readAll().split('\n'))
            matches += line.contains('"' + patientRef.toUtf8() + '"') ? 1 : 0;
    }
    QVERIFY(matches >= 1);
    QTest::keyClicks(review->filterEdit(), u"patient:"_s + patientId);
    QTest::keyClick(review->filterEdit(), Qt::Key_Return);
    QTRY_VERIFY(review->resourceModel()->isFiltered() && review->isFilterFinished());
    QTRY_COMPARE(review->resourceModel()->rowCount(), matches);
    review->resourceTable()->setFocus();
    review->resourceTable()->setCurrentIndex(review->resourceModel()->index(matches - 1, 0));
    const qint64 observationLine = review->resourceModel()->lineOf(matches - 1);
    const QString observationId = review->resourceModel()->index(matches - 1, ui::ResourceTableModel::Id).data().toString();
    QTextBrowser *json = review->jsonView();
    QVERIFY(json->toPlainText().contains(u"\"resourceType\": \"Observation\""_s));
    // The Patient is a link; the Encounter is not (no Encounters in this export).
    QVERIFY(json->toPlainText().contains(u"\"Encounter/"_s));
    QCOMPARE(linksIn(json->document()), QStringList{u"cohort-ref:"_s + patientRef});

    // Keyboard: Tab reaches the link, Enter follows it.
    json->setFocus();
    QTest::keyClick(json, Qt::Key_Tab);
    QCOMPARE(json->textCursor().selectedText(), patientRef);
    QVERIFY(!review->backAction()->isEnabled());
    QTest::keyClick(json, Qt::Key_Return);
    QCOMPARE(review->statusBar()->currentMessage(), u"Looking for %1…"_s.arg(patientRef));
    auto showsPatient = [&] {
        const QModelIndex current = review->resourceTable()->currentIndex();
        return review->fileCombo()->currentText() == u"Patient.001.ndjson"_s && current.isValid() &&
               current.siblingAtColumn(ui::ResourceTableModel::Id).data().toString() == patientId &&
               json->toPlainText().contains(u"\"id\": \"%1\""_s.arg(patientId)) &&
               json->toPlainText().contains(u"\"resourceType\": \"Patient\""_s);
    };
    QTRY_VERIFY_WITH_TIMEOUT(showsPatient(), 20000);
    QVERIFY(!review->isFollowingReference());
    QVERIFY(review->resourceTable()->currentIndex().row() > 0);
    QVERIFY(review->statusBar()->currentMessage().startsWith(patientRef + u": line "_s));
    QVERIFY(review->backAction()->isEnabled());
    QVERIFY(!review->forwardAction()->isEnabled());

    // Back (Alt+Left) returns to the Observation, Forward (Alt+Right) to the Patient again.
    auto showsObservation = [&] {
        const QModelIndex current = review->resourceTable()->currentIndex();
        return review->fileCombo()->currentText() == u"Observation.001.ndjson"_s && current.isValid() &&
               review->resourceModel()->lineOf(current.row()) == observationLine &&
               json->toPlainText().contains(u"\"id\": \"%1\""_s.arg(observationId));
    };
    QTest::keySequence(review, QKeySequence::Back);
    QTRY_VERIFY(showsObservation());
    QVERIFY(!review->backAction()->isEnabled());
    QVERIFY(review->forwardAction()->isEnabled());
    QTest::keySequence(review, QKeySequence::Forward);
    QTRY_VERIFY(showsPatient());
    review->backAction()->trigger(); // the toolbar button's action
    QTRY_VERIFY(showsObservation());

    // Mouse: a click on the link.
    QTextCursor link = json->document()->find(patientRef);
    QVERIFY(!link.isNull());
    QCOMPARE(linksIn(json->document()).size(), 1);
    link.setPosition(link.selectionStart() + 2);
    json->setTextCursor(link);
    json->ensureCursorVisible();
    const QPoint at = json->cursorRect(link).center();
    QCOMPARE(json->anchorAt(at), u"cohort-ref:"_s + patientRef);
    QTest::mouseClick(json->viewport(), Qt::LeftButton, {}, at);
    QTRY_VERIFY_WITH_TIMEOUT(showsPatient(), 20000);
    QVERIFY(!review->forwardAction()->isEnabled()); // a new way forward
    QTest::keySequence(review, QKeySequence::Back);
    QTRY_VERIFY(showsObservation());

    // The table filtered again, as CSV.
    review->filterEdit()->setText(u"patient:"_s + patientId);
    QTest::keyClick(review->filterEdit(), Qt::Key_Return);
    QTRY_VERIFY(review->resourceModel()->isFiltered() && review->isFilterFinished());
    QTRY_COMPARE(review->resourceModel()->rowCount(), matches);
    QList<QByteArray> rows;
    QVERIFY(writeCsv(review, u"observations.csv"_s, &rows));
    QCOMPARE(rows.size(), matches + 2); // the header, the rows, nothing after the last CRLF
    for (int i = 1; i <= matches; ++i)
        QVERIFY2(rows[i].contains(',' + patientRef.toUtf8() + ','), rows[i].constData());
}

// Only references that can be followed are links: not one the scan found missing, not one to a
// type the export does not have, not contained, absolute or urn:uuid references.
void TestMainWindow::reviewLinksOnlyResolvableReferences()
{
    const QDir dir(m_home->path());
    const QString patients = dir.filePath(u"Patient.001.ndjson"_s);
    const QString observations = dir.filePath(u"Observation.001.ndjson"_s);
    auto write = [](const QString &path, const QByteArray &data) {
        QFile out(path);
        return out.open(QIODevice::WriteOnly) && out.write(data) == data.size();
    };
    QVERIFY(write(patients, R"({"resourceType":"Patient","id":"p0"})" "\n"
                            R"({"resourceType":"Patient","id":"p1","name":[{"family":"One"}]})" "\n"));
    QVERIFY(write(observations,
        R"({"resourceType":"Observation","id":"o1","subject":{"reference":"Patient/p1"},)"
        R"("focus":[{"reference":"Patient/gone"},{"reference":"Practitioner/x"},{"reference":"#c1"},)"
        R"({"reference":"urn:uuid:0b4e3f4a-6a5e-4c3b-9d9a-1c2b3a4d5e6f"},{"reference":"http://example.org/fhir/Patient/p1"},)"
        R"({"reference":"Patient/p1/_history/2"},{"display":"Patient/p0"}],)"
        R"("component":[{"valueInteger":7},{"valueBoolean":true}]})" "\n"));

    auto *review = new ui::ReviewWindow;
    auto closeReview = qScopeGuard([review] { review->close(); });
    QVERIFY(review->openPaths({patients, observations}));
    review->show();
    QTRY_VERIFY_WITH_TIMEOUT(review->isScanFinished(), 30000);
    QCOMPARE(review->problemsTable()->rowCount(), 1);
    QCOMPARE(review->problemsTable()->item(0, 2)->text(), u"unresolved-reference"_s);
    review->fileCombo()->setCurrentIndex(review->fileCombo()->findData(observations));
    QTRY_COMPARE(review->resourceModel()->rowCount(), 1);
    review->resourceTable()->setCurrentIndex(review->resourceModel()->index(0, 0));
    QTextBrowser *json = review->jsonView();
    QVERIFY(json->toPlainText().contains(u"\"Patient/gone\""_s));
    // The tree too: members in the line's order, array items numbered, values as written.
    QTreeWidgetItem *root = review->resourceTree()->topLevelItem(0);
    QVERIFY(root);
    QStringList members;
    for (int i = 0; i < root->childCount(); ++i)
        members << root->child(i)->text(0);
    QCOMPARE(members, (QStringList{u"resourceType"_s, u"id"_s, u"subject"_s, u"focus"_s, u"component"_s}));
    QCOMPARE(root->child(3)->text(1), u"[7 items]"_s);
    QCOMPARE(root->child(3)->child(6)->child(0)->text(0), u"display"_s);
    QCOMPARE(root->child(3)->child(6)->child(0)->text(1), u"Patient/p0"_s);
    QCOMPARE(root->child(4)->child(1)->text(0), u"1"_s);
    QCOMPARE(root->child(4)->child(1)->child(0)->text(1), u"true"_s);
    // Laid out in the line's own order: resourceType and id first, then subject, then focus.
    QVERIFY2(json->toPlainText().startsWith(
                 u"{\n    \"resourceType\": \"Observation\",\n    \"id\": \"o1\",\n    \"subject\""_s),
             qPrintable(json->toPlainText().left(200)));
    QCOMPARE(linksIn(json->document()),
             (QStringList{u"cohort-ref:Patient/p1"_s, u"cohort-ref:Patient/p1/_history/2"_s}));

    // Colours with enough contrast in a light and in a dark palette; links underlined.
    QSet<QRgb> colours;
    auto checkColours = [&] {
        colours.clear();
        const QColor base = json->palette().color(QPalette::Base);
        auto luminance = [](const QColor &c) {
            auto f = [](double v) { return v <= 0.03928 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4); };
            return 0.2126 * f(c.redF()) + 0.7152 * f(c.greenF()) + 0.0722 * f(c.blueF());
        };
        for (QTextBlock block = json->document()->begin(); block.isValid(); block = block.next()) {
            for (auto it = block.begin(); !it.atEnd(); ++it) {
                const QTextCharFormat f = it.fragment().charFormat();
                if (f.isAnchor())
                    QVERIFY(f.fontUnderline());
                if (!f.hasProperty(QTextFormat::ForegroundBrush))
                    continue;
                const QColor c = f.foreground().color();
                const double l1 = luminance(c), l2 = luminance(base);
                const double ratio = (qMax(l1, l2) + 0.05) / (qMin(l1, l2) + 0.05);
                QVERIFY2(ratio >= 4.5, qPrintable(u"%1 on %2: %3"_s.arg(c.name(), base.name()).arg(ratio)));
                colours.insert(c.rgb());
            }
        }
    };
    checkColours();
    QCOMPARE(colours.size(), 6); // keys, strings, numbers, literals, punctuation, links
    const QSet<QRgb> light = colours;
    QPalette dark = review->palette();
    dark.setColor(QPalette::Base, QColor(0x1e, 0x1e, 0x1e));
    dark.setColor(QPalette::Window, QColor(0x2d, 0x2d, 0x2d));
    dark.setColor(QPalette::Text, QColor(0xe6, 0xe6, 0xe6));
    dark.setColor(QPalette::WindowText, QColor(0xe6, 0xe6, 0xe6));
    dark.setColor(QPalette::Link, QColor(0x00, 0x00, 0xff)); // too dark on that Base: lightened
    review->setPalette(dark);
    QCOMPARE(json->palette().color(QPalette::Base), QColor(0x1e, 0x1e, 0x1e));
    checkColours();
    QCOMPARE(colours.size(), 6);
    QVERIFY(!colours.intersects(light));
    QCOMPARE(linksIn(json->document()).size(), 2);
    // Each resource gets a new document; the view keeps only the one it shows.
    QTRY_COMPARE(json->findChildren<QTextDocument *>(QString(), Qt::FindDirectChildrenOnly).size(), 1);
    QCOMPARE(json->document()->defaultTextOption().wrapMode(), QTextOption::WrapAtWordBoundaryOrAnywhere);

    // Following one that is not in the export (the scan did not see it go): said so; a second
    // click replaces the first search.
    emit json->anchorClicked(ui::ReviewWindow::referenceUrl(u"Patient/gone"_s));
    QTRY_COMPARE(review->statusBar()->currentMessage(), u"Patient/gone was not found in this export."_s);
    QCOMPARE(review->fileCombo()->currentData().toString(), observations);
    QVERIFY(!review->backAction()->isEnabled());
    emit json->anchorClicked(ui::ReviewWindow::referenceUrl(u"Patient/gone"_s));
    emit json->anchorClicked(ui::ReviewWindow::referenceUrl(u"Patient/p1/_history/2"_s));
    QTRY_COMPARE(review->fileCombo()->currentData().toString(), patients);
    QTRY_COMPARE(review->resourceTable()->currentIndex().row(), 1);
    QVERIFY(json->toPlainText().contains(u"\"family\": \"One\""_s));
    QVERIFY(!review->statusBar()->currentMessage().contains(u"gone"_s));
}

// Not a check: with COHORT_SCREENSHOT_DIR set (tests/gui/take-screenshots.sh), saves the main
// window idle, browsing, exporting, finished and failed, at 1280x800 and 1024x640.
void TestMainWindow::screenshots()
{
    const QString dir = qEnvironmentVariable("COHORT_SCREENSHOT_DIR");
    if (dir.isEmpty())
        QSKIP("COHORT_SCREENSHOT_DIR is not set");
    QVERIFY(QDir().mkpath(dir));
    m_server.reset();
    demo::DemoServerOptions options;
    options.patients = 400;
    options.exportSeconds = 4;
    options.faults.insert(demo::Fault::SlowFiles);
    options.faultStrikes = 1000;
    options.slowChunkBytes = 256; // gzip makes the files small: keep them downloading a while
    options.slowChunkIntervalMs = 50;
    m_server = std::make_unique<demo::DemoServer>(options);
    QVERIFY(m_server->start());

    for (const QSize size : {QSize(1280, 800), QSize(1024, 640)}) {
        QSettings().clear();
        QSettings().setValue(u"exports/defaultFolder"_s, QDir(m_home->path()).filePath(u"exports"_s));
        auto window = openWindow();
        window->setMinimumSize(0, 0);
        window->resize(size);
        auto shot = [&](const QString &name) {
            QTest::qWait(300); // let the layout and repaint settle for the picture
            QVERIFY(window->grab().save(
                QDir(dir).filePath(u"%1-%2x%3.png"_s.arg(name).arg(size.width()).arg(size.height()))));
        };
        QTRY_COMPARE_WITH_TIMEOUT(window->session()->state(), ServerSession::State::Connected, 20000);
        QTRY_VERIFY_WITH_TIMEOUT(window->groupBrowser()->model()->rowCount() > 0, 20000);
        shot(u"idle"_s);
        selectGroupNamed(*window, u"Registry"_s);
        QTest::qWait(500);
        shot(u"browsing"_s);
        {
            // Problems pointed at: a rule of the form (since in the future) and one of the
            // request (a patient that is no reference), each on its field.
            ui::ExportForm *form = window->exportForm();
            form->sinceEnabled()->setChecked(true);
            form->sinceEdit()->setDateTime(QDateTime::currentDateTime().addDays(3));
            form->advancedBox()->setChecked(true);
            form->patientsEdit()->setText(u"Patient/"_s);
            QTest::mouseClick(form->exportButton(), Qt::LeftButton);
            shot(u"invalid-input"_s);
            form->sinceEnabled()->setChecked(false);
            form->patientsEdit()->clear();
            form->advancedBox()->setChecked(false);
        }
        ExportEntry *entry = startExport(*window, ui::ExportForm::clinicalCore());
        QVERIFY(entry);
        QTRY_COMPARE_WITH_TIMEOUT(entry->state(), ExportState::Polling, 20000);
        QTest::qWait(1500);
        shot(u"preparing"_s);
        QTRY_COMPARE_WITH_TIMEOUT(entry->state(), ExportState::Downloading, 30000);
        QTest::qWait(2500);
        shot(u"exporting"_s);
        QTRY_VERIFY_WITH_TIMEOUT(bulk::isFinal(entry->state()), 120000);
        shot(u"finished"_s);
        QTest::mouseClick(window->exportsPanel()->reviewButton(), Qt::LeftButton);
        ui::ReviewWindow *review = nullptr;
        for (QWidget *w : QApplication::topLevelWidgets())
            if (auto *r = qobject_cast<ui::ReviewWindow *>(w))
                review = r;
        QVERIFY(review);
        review->resize(size);
        QTRY_VERIFY_WITH_TIMEOUT(review->isScanFinished(), 30000);
        QTest::qWait(300);
        QVERIFY(review->grab().save(QDir(dir).filePath(u"review-summary-%1x%2.png"_s.arg(size.width()).arg(size.height()))));
        review->fileCombo()->setCurrentIndex(review->fileCombo()->findText(u"Observation.001.ndjson"_s));
        review->tabs()->setCurrentIndex(1);
        QTRY_VERIFY(review->resourceModel()->rowCount() > 0);
        review->resourceTable()->setCurrentIndex(review->resourceModel()->index(0, 0));
        QTest::qWait(300);
        QVERIFY(review->grab().save(QDir(dir).filePath(u"review-resources-%1x%2.png"_s.arg(size.width()).arg(size.height()))));
        // The same resource as a tree.
        auto *detailTabs = qobject_cast<QTabWidget *>(review->resourceTree()->parentWidget()->parentWidget());
        QVERIFY(detailTabs);
        detailTabs->setCurrentWidget(review->resourceTree());
        review->resourceTree()->expandAll();
        QTest::qWait(300);
        QVERIFY(review->grab().save(QDir(dir).filePath(u"review-tree-%1x%2.png"_s.arg(size.width()).arg(size.height()))));
        detailTabs->setCurrentIndex(0);
        // The patient view: the first patient's resources across the files, by date.
        review->tabs()->setCurrentIndex(2);
        QTRY_VERIFY_WITH_TIMEOUT(review->isPatientIndexFinished(), 30000);
        QTRY_VERIFY(review->patientList()->count() > 0);
        review->patientList()->setCurrentRow(0);
        QTRY_VERIFY(review->patientTimeline()->rowCount() > 0);
        QTest::qWait(300);
        QVERIFY(review->grab().save(QDir(dir).filePath(u"review-patient-%1x%2.png"_s.arg(size.width()).arg(size.height()))));
        review->close();

        // A broken copy of the export: the summary shows every problem class but an overlong
        // line (those start at 64 MiB; tst_ResourceScan has one).
        const QString broken = QDir(m_home->path()).filePath(u"broken-%1"_s.arg(size.width()));
        QVERIFY(QDir().mkpath(broken));
        for (const QFileInfo &f : QDir(entry->folder()).entryInfoList(QDir::Files))
            QVERIFY(QFile::copy(f.filePath(), QDir(broken).filePath(f.fileName())));
        {
            QFile patients(QDir(broken).filePath(u"Patient.001.ndjson"_s));
            QVERIFY(patients.open(QIODevice::ReadOnly));
            QList<QByteArray> lines = patients.readAll().split('\n');
            patients.close();
            QVERIFY(lines.size() > 3);
            lines.removeFirst();         // a patient the other files reference: unresolved, count
            lines.insert(2, lines.at(1)); // a duplicate id
            lines.insert(4, "{\"resourceType\":\"Patient\",\"gender\":\"female\"}");         // no id
            lines.insert(6, "{\"resourceType\":\"Patient\",\"id\":\"x\",\"gender\":}");   // not JSON
            lines.insert(8, "{\"resourceType\":\"Observation\",\"id\":\"o-in-patients\"}"); // wrong type
            QVERIFY(patients.open(QIODevice::WriteOnly | QIODevice::Truncate));
            QVERIFY(patients.write(lines.join('\n')) > 0);
        }
        auto *brokenReview = new ui::ReviewWindow;
        brokenReview->resize(size);
        QVERIFY(brokenReview->openPaths({broken}));
        brokenReview->show();
        QTRY_VERIFY_WITH_TIMEOUT(brokenReview->isScanFinished(), 30000);
        QTRY_VERIFY(brokenReview->problemsTable()->rowCount() >= 6);
        QTest::qWait(300);
        QVERIFY(brokenReview->grab().save(QDir(dir).filePath(u"review-problems-%1x%2.png"_s.arg(size.width()).arg(size.height()))));
        brokenReview->close();
        m_server->setFault(demo::Fault::Fatal, true);
        ExportEntry *failed = startExport(*window, {u"Patient"_s});
        QVERIFY(failed);
        QTRY_COMPARE_WITH_TIMEOUT(failed->state(), ExportState::Failed, 30000);
        shot(u"error"_s);
        m_server->setFault(demo::Fault::Fatal, false);
    }
}

QTEST_MAIN(TestMainWindow)
#include "tst_MainWindow.moc"
