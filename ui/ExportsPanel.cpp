#include "ExportsPanel.h"

#include "ExportListModel.h"
#include "FileListModel.h"
#include "ProgressDelegate.h"
#include "session/ExportEntry.h"
#include "session/ExportManager.h"

#include <QDesktopServices>
#include <QFontDatabase>
#include <QDir>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QUrl>
#include <QVBoxLayout>

namespace cohort::ui {

using session::ExportEntry;

ExportsPanel::ExportsPanel(session::ExportManager *manager, QWidget *parent)
    : QWidget(parent)
    , m_manager(manager)
    , m_model(new ExportListModel(manager, this))
    , m_files(new FileListModel(this))
    , m_table(new QTableView(this))
    , m_fileTable(new QTableView(this))
    , m_log(new QPlainTextEdit(this))
    , m_message(new QLabel(this))
    , m_tabs(new QTabWidget(this))
    , m_tick(new QTimer(this))
    , m_cancel(new QPushButton(tr("&Cancel export"), this))
    , m_checkNow(new QPushButton(tr("Check &now"), this))
    , m_retry(new QPushButton(tr("Re&try"), this))
    , m_openFolder(new QPushButton(tr("&Open folder"), this))
    , m_remove(new QPushButton(tr("Remo&ve from list"), this))
    , m_review(new QPushButton(tr("Re&view"), this))
{
    setObjectName(QStringLiteral("exportsPanel"));
    auto *delegate = new ProgressDelegate(this);
    m_table->setModel(m_model);
    m_table->setItemDelegate(delegate);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    m_table->setAccessibleName(tr("Exports"));
    m_table->setTabKeyNavigation(false);
    m_table->setWordWrap(false);
    auto *header = m_table->horizontalHeader();
    header->setSectionResizeMode(QHeaderView::Interactive);
    header->setSectionResizeMode(ExportListModel::ServerSays, QHeaderView::Stretch);
    header->resizeSection(ExportListModel::Group, 170);
    header->resizeSection(ExportListModel::Server, 120);
    header->resizeSection(ExportListModel::Started, 140);
    header->resizeSection(ExportListModel::State, 150);
    header->resizeSection(ExportListModel::Progress, 170);
    header->resizeSection(ExportListModel::NextCheck, 80);
    header->resizeSection(ExportListModel::Files, 70);
    header->resizeSection(ExportListModel::Rate, 80);
    header->resizeSection(ExportListModel::Eta, 80);
    header->setMinimumSectionSize(40);

    m_fileTable->setModel(m_files);
    m_fileTable->setItemDelegate(delegate);
    m_fileTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_fileTable->verticalHeader()->hide();
    m_fileTable->setAccessibleName(tr("Files of the selected export"));
    m_fileTable->setTabKeyNavigation(false);
    m_fileTable->setWordWrap(false);
    m_fileTable->horizontalHeader()->setSectionResizeMode(FileListModel::Message, QHeaderView::Stretch);
    m_fileTable->horizontalHeader()->resizeSection(FileListModel::File, 220);
    m_fileTable->horizontalHeader()->resizeSection(FileListModel::Progress, 170);
    m_fileTable->horizontalHeader()->resizeSection(FileListModel::Status, 130);
    m_log->setReadOnly(true);
    m_log->setMaximumBlockCount(5000);
    m_log->setAccessibleName(tr("Log of the selected export"));
    m_log->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_log->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_message->setObjectName(QStringLiteral("exportMessage"));
    m_message->hide();

    auto *filesPage = new QWidget(this);
    auto *filesLayout = new QVBoxLayout(filesPage);
    filesLayout->setContentsMargins(0, 0, 0, 0);
    filesLayout->addWidget(m_message);
    filesLayout->addWidget(m_fileTable);
    m_tabs->addTab(filesPage, tr("&Files"));
    m_tabs->addTab(m_log, tr("Lo&g"));

    auto *buttons = new QHBoxLayout;
    auto *title = new QLabel(tr("<b>Exports</b>"), this);
    buttons->addWidget(title);
    buttons->addStretch();
    for (QPushButton *b : {m_cancel, m_checkNow, m_retry, m_review, m_openFolder, m_remove})
        buttons->addWidget(b);
    m_checkNow->setToolTip(tr("Ask the server for the export's status now instead of waiting"));
    m_retry->setToolTip(tr("Download what is missing, or start the same export again"));
    m_review->setToolTip(tr("Check the downloaded files offline: counts, problems, resources"));
    m_remove->setToolTip(tr("Forget this export in the list; its files stay on disk"));

    auto *split = new QSplitter(Qt::Vertical, this);
    split->setObjectName(QStringLiteral("exportsSplitter"));
    split->addWidget(m_table);
    split->addWidget(m_tabs);
    split->setChildrenCollapsible(false);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 1);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(buttons);
    layout->addWidget(split, 1);

    connect(m_cancel, &QPushButton::clicked, this, &ExportsPanel::cancelCurrent);
    connect(m_checkNow, &QPushButton::clicked, this, &ExportsPanel::checkNowCurrent);
    connect(m_retry, &QPushButton::clicked, this, &ExportsPanel::retryCurrent);
    connect(m_openFolder, &QPushButton::clicked, this, &ExportsPanel::openFolderCurrent);
    connect(m_remove, &QPushButton::clicked, this, &ExportsPanel::removeCurrent);
    connect(m_review, &QPushButton::clicked, this, &ExportsPanel::reviewCurrent);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &ExportsPanel::onCurrentChanged);
    connect(m_model, &QAbstractItemModel::dataChanged, this, &ExportsPanel::updateActions);
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, &ExportsPanel::onCurrentChanged);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, [this] {
        if (!m_table->currentIndex().isValid())
            m_table->setCurrentIndex(m_model->index(0, 0));
    });
    // Countdowns ("next check in 12 s") and rates move without a model change.
    m_tick->setInterval(1000);
    connect(m_tick, &QTimer::timeout, m_table->viewport(), qOverload<>(&QWidget::update));
    m_tick->start();
    onCurrentChanged();
}

ExportEntry *ExportsPanel::currentEntry() const
{
    return m_model->entry(m_table->currentIndex());
}

void ExportsPanel::select(ExportEntry *entry)
{
    const QModelIndex index = m_model->indexOf(entry);
    if (index.isValid())
        m_table->setCurrentIndex(index);
}

void ExportsPanel::onCurrentChanged()
{
    ExportEntry *entry = currentEntry();
    if (m_files->entry() != entry) {
        if (m_files->entry())
            m_files->entry()->disconnect(this);
        m_files->setEntry(entry);
        m_log->setPlainText(entry ? entry->log().join(QLatin1Char('\n')) : QString());
        m_log->verticalScrollBar()->setValue(m_log->verticalScrollBar()->maximum());
        if (entry) {
            connect(entry, &ExportEntry::logAppended, this, [this](const QString &line) {
                m_log->appendPlainText(line);
            });
            connect(entry, &ExportEntry::changed, this, &ExportsPanel::showMessage);
        }
    }
    showMessage();
    updateActions();
}

void ExportsPanel::showMessage()
{
    ExportEntry *e = currentEntry();
    QString text;
    if (e) {
        if (!e->problem().isEmpty())
            text = e->problem();
        else if (bulk::isFinal(e->state()))
            text = e->journal().message;
        else if (e->journal().files.isEmpty() && (e->isRunning() || e->isConnecting()))
            text = tr("The server is preparing the export; its files are listed here once it "
                      "is ready.");
    }
    m_message->setText(text);
    m_message->setVisible(!text.isEmpty());
    const bool bad = e && (e->state() == bulk::ExportState::Failed || !e->problem().isEmpty() ||
                           e->state() == bulk::ExportState::PartiallyCompleted);
    m_message->setStyleSheet(bad ? QStringLiteral("QLabel#exportMessage { color: #c0392b; }") : QString());
}

void ExportsPanel::updateActions()
{
    ExportEntry *e = currentEntry();
    m_cancel->setEnabled(e && e->canCancel());
    m_checkNow->setEnabled(e && e->canCheckNow());
    m_retry->setEnabled(e && e->canRetry());
    m_openFolder->setEnabled(e);
    m_remove->setEnabled(e && e->canRemove());
    m_review->setEnabled(e && !e->isRunning() && e->progress().filesDone > 0);
    emit actionsChanged();
}

void ExportsPanel::cancelCurrent()
{
    ExportEntry *e = currentEntry();
    if (!e || !e->canCancel())
        return;
    const auto answer = QMessageBox::question(
        this, tr("Cancel export"),
        tr("Cancel the export of “%1”? The server is asked to stop and discard it; files already "
           "downloaded stay in the folder.")
            .arg(e->journal().label),
        QMessageBox::Yes | QMessageBox::No, QMessageBox::No);
    if (answer == QMessageBox::Yes)
        e->cancel();
}

void ExportsPanel::checkNowCurrent()
{
    if (ExportEntry *e = currentEntry())
        e->checkNow();
}

void ExportsPanel::retryCurrent()
{
    ExportEntry *e = currentEntry();
    if (!e)
        return;
    if (ExportEntry *again = m_manager->retry(e))
        select(again);
}

void ExportsPanel::openFolderCurrent()
{
    if (ExportEntry *e = currentEntry())
        QDesktopServices::openUrl(QUrl::fromLocalFile(e->folder()));
}

void ExportsPanel::reviewCurrent()
{
    if (ExportEntry *e = currentEntry())
        emit reviewRequested(e->folder());
}

void ExportsPanel::removeCurrent()
{
    if (ExportEntry *e = currentEntry())
        m_manager->remove(e);
}

} // namespace cohort::ui
