#include "MainWindow.h"

#include "demo/DemoServer.h"
#include "demo/SyntheticCohort.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QDateTime>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScreen>
#include <QSplitter>
#include <QStatusBar>
#include <QTableWidget>
#include <QVBoxLayout>

namespace cohort::ui {

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
{
    setWindowTitle(tr("Cohort Export"));
    setMinimumSize(640, 420);
    // Fit small screens: never open larger than the available desktop.
    const QSize available = screen() ? screen()->availableSize() : QSize(1280, 800);
    resize(QSize(1100, 720).boundedTo(available * 0.9));

    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);

    auto *serverBox = new QGroupBox(tr("Demo server"), central);
    auto *serverLayout = new QVBoxLayout(serverBox);
    auto *statusRow = new QHBoxLayout;
    m_status = new QLabel(tr("Starting…"), serverBox);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status->setObjectName(QStringLiteral("serverStatus"));
    m_copy = new QPushButton(tr("&Copy URL"), serverBox);
    m_copy->setEnabled(false);
    m_copy->setToolTip(tr("Copy the FHIR base URL of the demo server"));
    statusRow->addWidget(m_status, 1);
    statusRow->addWidget(m_copy);
    serverLayout->addLayout(statusRow);
    m_summary = new QLabel(serverBox);
    m_summary->setWordWrap(true);
    serverLayout->addWidget(m_summary);
    layout->addWidget(serverBox);

    auto *splitter = new QSplitter(Qt::Horizontal, central);
    auto *groupsBox = new QGroupBox(tr("Groups"), splitter);
    auto *groupsLayout = new QVBoxLayout(groupsBox);
    m_groups = new QTableWidget(0, 3, groupsBox);
    m_groups->setObjectName(QStringLiteral("demoGroups"));
    m_groups->setAccessibleName(tr("Groups served by the demo server"));
    m_groups->setHorizontalHeaderLabels({tr("Name"), tr("Members"), tr("Id")});
    m_groups->verticalHeader()->hide();
    m_groups->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_groups->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_groups->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_groups->horizontalHeader()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    m_groups->horizontalHeader()->setSectionResizeMode(2, QHeaderView::ResizeToContents);
    groupsLayout->addWidget(m_groups);

    auto *logBox = new QGroupBox(tr("Requests served"), splitter);
    auto *logLayout = new QVBoxLayout(logBox);
    m_log = new QPlainTextEdit(logBox);
    m_log->setReadOnly(true);
    m_log->setMaximumBlockCount(5000);
    m_log->setObjectName(QStringLiteral("requestLog"));
    m_log->setAccessibleName(tr("Requests served by the demo server"));
    m_log->setPlaceholderText(tr("Requests to the demo server will appear here."));
    logLayout->addWidget(m_log);
    splitter->addWidget(groupsBox);
    splitter->addWidget(logBox);
    splitter->setStretchFactor(0, 2);
    splitter->setStretchFactor(1, 3);
    layout->addWidget(splitter, 1);
    setCentralWidget(central);

    auto *fileMenu = menuBar()->addMenu(tr("&File"));
    auto *quit = fileMenu->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);
    auto *helpMenu = menuBar()->addMenu(tr("&Help"));
    helpMenu->addAction(tr("&About Cohort Export"), this, [this] {
        QMessageBox::about(
            this, tr("About Cohort Export"),
            tr("<b>Cohort Export</b> %1<br>Exports patient cohorts from FHIR Bulk "
               "Data servers and reviews them offline.<br>Built with Qt %2.")
                .arg(QApplication::applicationVersion(), QString::fromLatin1(qVersion())));
    });

    connect(m_copy, &QPushButton::clicked, this, [this] {
        if (m_server)
            QApplication::clipboard()->setText(m_server->baseUrl().toString());
        statusBar()->showMessage(tr("URL copied"), 3000);
    });

    startDemoServer();
}

MainWindow::~MainWindow() = default;

void MainWindow::startDemoServer()
{
    m_server = new demo::DemoServer({}, this);
    QString error;
    if (!m_server->start(&error)) {
        m_status->setText(tr("The demo server could not start: %1").arg(error));
        return;
    }
    connect(m_server, &demo::DemoServer::requestHandled, this, &MainWindow::appendRequest);
    const QString url = m_server->baseUrl().toString();
    m_status->setText(tr("Running at <b>%1</b>").arg(url.toHtmlEscaped()));
    m_copy->setEnabled(true);
    const auto &cohort = m_server->cohort();
    m_summary->setText(tr("%n synthetic patients in %1 groups, the same every time (seed %2). "
                          "Point any FHIR Bulk Data client at the URL above.",
                          nullptr, cohort.patientCount())
                           .arg(cohort.groups().size())
                           .arg(cohort.seed()));
    m_groups->setRowCount(int(cohort.groups().size()));
    int row = 0;
    for (const auto &g : cohort.groups()) {
        const QString name = g.active ? g.name : tr("%1 (inactive)").arg(g.name);
        m_groups->setItem(row, 0, new QTableWidgetItem(name));
        auto *members = new QTableWidgetItem(QString::number(g.members.size()));
        members->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        m_groups->setItem(row, 1, members);
        m_groups->setItem(row, 2, new QTableWidgetItem(g.id));
        ++row;
    }
    statusBar()->showMessage(tr("Demo server ready"), 5000);
}

void MainWindow::appendRequest(const QString &method, const QString &path, int status)
{
    const QString time = QDateTime::currentDateTime().toString(QStringLiteral("HH:mm:ss"));
    const QString result = status < 0 ? tr("connection dropped") : QString::number(status);
    m_log->appendPlainText(QStringLiteral("%1  %2 %3  →  %4").arg(time, method, path, result));
}

} // namespace cohort::ui
