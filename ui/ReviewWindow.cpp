#include "ReviewWindow.h"

#include "ResourceTableModel.h"
#include "WorkerPool.h"
#include "review/GzipCache.h"
#include "review/JsonSpans.h"
#include "review/LineFilter.h"
#include "review/NdjsonIndex.h"
#include "review/PatientIndex.h"
#include "review/ResourceSummary.h"
#include "review/ResourceScan.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QDir>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFontMetricsF>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QSaveFile>
#include <QTextBlock>
#include <QTimer>
#include <QtConcurrent/QtConcurrentRun>
#include <QLocale>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QScrollBar>
#include <QSettings>
#include <QSplitter>
#include <QStandardPaths>
#include <QStatusBar>
#include <QFutureWatcher>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTextBrowser>
#include <QTextCursor>
#include <QTextDocument>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <cmath>

namespace cohort::ui {

using namespace Qt::StringLiterals;

namespace {

const auto kRecentKey = u"review/recent"_s;

QTableWidgetItem *item(const QString &text, bool number = false)
{
    auto *it = new QTableWidgetItem(text);
    it->setFlags(Qt::ItemIsSelectable | Qt::ItemIsEnabled);
    if (number)
        it->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    return it;
}

// Limits that keep the GUI thread quick on large resources (measured offscreen: 128 KiB
// highlighted take about 40 ms, 512 KiB plain about 90 ms): lines longer than kLongLine (base64
// attachments) are shortened, pretty text longer than kHighlightLimit is shown plain (no
// colours, no links), and only its first kShowLimit characters are shown (the tree has all).
constexpr qsizetype kLongLine = 4096;
constexpr qsizetype kHighlightLimit = 128 * 1024;
constexpr qsizetype kShowLimit = 512 * 1024;

// WCAG contrast ratio of two colours, 1..21.
double contrast(const QColor &a, const QColor &b)
{
    auto luminance = [](const QColor &c) {
        auto channel = [](double v) { return v <= 0.03928 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4); };
        return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF());
    };
    const double la = luminance(a), lb = luminance(b);
    return (qMax(la, lb) + 0.05) / (qMin(la, lb) + 0.05);
}

// The JSON view's colours for this palette: one set for light backgrounds and one for dark
// ones (the palette's Base decides), each at least 4.5:1 against it; links in the palette's
// link colour, made lighter or darker when it is too faint on this background.
struct JsonColours
{
    QColor key, string, number, literal, punctuation, link;

    explicit JsonColours(const QPalette &palette)
    {
        const QColor base = palette.color(QPalette::Base);
        const bool dark = base.lightness() < 128;
        key = dark ? QColor(0xd2, 0xa8, 0xff) : QColor(0x6f, 0x42, 0xc1);
        string = dark ? QColor(0xce, 0x91, 0x78) : QColor(0xa3, 0x15, 0x15);
        number = dark ? QColor(0x7e, 0xe7, 0x87) : QColor(0x11, 0x63, 0x29);
        literal = dark ? QColor(0xff, 0xa6, 0x57) : QColor(0x95, 0x38, 0x00);
        const QColor text = palette.color(QPalette::Text);
        punctuation = QColor::fromRgbF(0.65f * text.redF() + 0.35f * base.redF(),
                                       0.65f * text.greenF() + 0.35f * base.greenF(),
                                       0.65f * text.blueF() + 0.35f * base.blueF());
        link = palette.color(QPalette::Link);
        for (int i = 0; i < 24 && contrast(link, base) < 4.5; ++i)
            link = dark ? link.lighter(112) : link.darker(112);
    }
    QColor of(review::JsonSpan::Kind kind) const
    {
        switch (kind) {
        case review::JsonSpan::Kind::Key:
            return key;
        case review::JsonSpan::Kind::String:
            return string;
        case review::JsonSpan::Kind::Number:
            return number;
        case review::JsonSpan::Kind::Literal:
            return literal;
        case review::JsonSpan::Kind::Punctuation:
            break;
        }
        return punctuation;
    }
};

// The members of a JSON object under root, from the text's tokens: in the text's order, numbers
// as written.
void addJsonTree(QTreeWidgetItem *root, QStringView text)
{
    struct Level
    {
        QTreeWidgetItem *item;
        bool array;
    };
    QList<Level> open;
    QString key;
    auto childName = [&] {
        return open.last().array ? QString::number(open.last().item->childCount()) : key;
    };
    for (const review::JsonSpan &span : review::JsonSpans::of(text)) {
        const QStringView token = text.mid(span.start, span.length);
        if (span.kind == review::JsonSpan::Kind::Key) {
            key = review::JsonSpans::unquoted(token);
            continue;
        }
        if (span.kind == review::JsonSpan::Kind::Punctuation) {
            const bool array = token == u"[";
            if (array || token == u"{") {
                if (open.isEmpty())
                    open.append({root, array}); // the resource itself
                else
                    open.append({new QTreeWidgetItem(open.last().item, {childName()}), array});
            } else if ((token == u"}" || token == u"]") && !open.isEmpty()) {
                const Level level = open.takeLast();
                if (level.array)
                    level.item->setText(
                        1, ReviewWindow::tr("[%n item(s)]", nullptr, level.item->childCount()));
            }
            continue;
        }
        if (open.isEmpty())
            continue;
        const QString value = span.kind == review::JsonSpan::Kind::String
                                  ? review::JsonSpans::unquoted(token)
                                  : token.toString();
        new QTreeWidgetItem(open.last().item, {childName(), value});
    }
}

} // namespace

ReviewWindow::ReviewWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_tabs(new QTabWidget(this))
    , m_meta(new QLabel(this))
    , m_progress(new QProgressBar(this))
    , m_files(new QTableWidget(this))
    , m_problems(new QTableWidget(this))
    , m_fileCombo(new QComboBox(this))
    , m_indexState(new QLabel(this))
    , m_filter(new QLineEdit(this))
    , m_filterDelay(new QTimer(this))
    , m_lineFilter(new review::LineFilter(this))
    , m_patients(new review::PatientIndex(this))
    , m_patientSearch(new QLineEdit(this))
    , m_patientState(new QLabel(this))
    , m_patientList(new QListWidget(this))
    , m_timeline(new QTableWidget(this))
    , m_table(new QTableView(this))
    , m_model(new ResourceTableModel(this))
    , m_detailTabs(new QTabWidget(this))
    , m_json(new QTextBrowser(this))
    , m_tree(new QTreeWidget(this))
{
    setAttribute(Qt::WA_DeleteOnClose);
    setWindowTitle(tr("Review — Cohort Export"));
    setAcceptDrops(true);
    resize(1200, 760);

    // Summary.
    m_meta->setWordWrap(true);
    m_meta->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_progress->setFormat(tr("Checking %p%"));
    m_files->setColumnCount(6);
    m_files->setHorizontalHeaderLabels({tr("File"), tr("Type"), tr("Resources"), tr("Expected"),
                                        tr("Size"), tr("Types found")});
    m_files->horizontalHeader()->setStretchLastSection(true); // "Types found"; the rest fit
    m_files->verticalHeader()->hide();
    m_files->setWordWrap(false);
    m_files->setAccessibleName(tr("Files and counts"));
    m_files->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_problems->setColumnCount(4);
    m_problems->setHorizontalHeaderLabels({tr("File"), tr("Line"), tr("Problem"), tr("Message")});
    m_problems->horizontalHeader()->setStretchLastSection(true); // the message
    m_problems->verticalHeader()->hide();
    m_problems->setWordWrap(false);
    m_problems->setAccessibleName(tr("Validation problems; Enter opens the line"));
    m_problems->setSelectionBehavior(QAbstractItemView::SelectRows);
    auto *summary = new QWidget(this);
    auto *summaryLayout = new QVBoxLayout(summary);
    summaryLayout->addWidget(m_meta);
    summaryLayout->addWidget(m_progress);
    auto *summarySplit = new QSplitter(Qt::Vertical, this);
    summarySplit->addWidget(m_files);
    auto *problemsBox = new QWidget(this);
    auto *problemsLayout = new QVBoxLayout(problemsBox);
    problemsLayout->setContentsMargins(0, 0, 0, 0);
    problemsLayout->addWidget(new QLabel(tr("<b>Validation problems</b> (double-click to see the line)"), this));
    problemsLayout->addWidget(m_problems);
    summarySplit->addWidget(problemsBox);
    summaryLayout->addWidget(summarySplit, 1);

    // Resources.
    m_fileCombo->setAccessibleName(tr("File to browse"));
    auto *fileLabel = new QLabel(tr("&File:"), this);
    fileLabel->setBuddy(m_fileCombo);
    auto *top = new QHBoxLayout;
    top->addWidget(fileLabel);
    top->addWidget(m_fileCombo, 2);
    auto *filterLabel = new QLabel(tr("F&ilter:"), this);
    filterLabel->setBuddy(m_filter);
    m_filter->setPlaceholderText(tr("text, id:ID or patient:ID"));
    m_filter->setClearButtonEnabled(true);
    m_filter->setAccessibleName(tr("Filter resources"));
    m_filterDelay->setSingleShot(true);
    m_filterDelay->setInterval(300);
    top->addWidget(filterLabel);
    top->addWidget(m_filter, 1);
    top->addWidget(m_indexState);
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->setWordWrap(false);
    m_table->setAccessibleName(tr("Resources"));
    m_table->horizontalHeader()->setSectionResizeMode(ResourceTableModel::Code, QHeaderView::Stretch);
    m_table->horizontalHeader()->resizeSection(ResourceTableModel::Line, 70);
    m_table->horizontalHeader()->resizeSection(ResourceTableModel::Id, 150);
    m_table->horizontalHeader()->resizeSection(ResourceTableModel::LastUpdated, 170);
    m_table->horizontalHeader()->resizeSection(ResourceTableModel::Subject, 130);
    // Read-only, links by mouse and keyboard (Tab, Enter); they are followed here, never opened.
    m_json->setOpenLinks(false);
    m_json->setOpenExternalLinks(false);
    m_json->setTextInteractionFlags(Qt::TextBrowserInteraction);
    m_json->setWordWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    m_json->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_json->setAccessibleName(tr("Resource JSON"));
    m_json->setAccessibleDescription(
        tr("References to resources in this export are links: Tab moves to the next one, Enter follows it."));
    connect(m_json, &QTextBrowser::anchorClicked, this, &ReviewWindow::followReference);
    m_json->installEventFilter(this);
    m_backAction = new QAction(style()->standardIcon(QStyle::SP_ArrowBack), tr("&Back"), this);
    m_backAction->setShortcuts(QKeySequence::Back);
    m_backAction->setToolTip(tr("Back to the resource you came from (%1)")
                                 .arg(QKeySequence(QKeySequence::Back).toString(QKeySequence::NativeText)));
    m_forwardAction = new QAction(style()->standardIcon(QStyle::SP_ArrowForward), tr("&Forward"), this);
    m_forwardAction->setShortcuts(QKeySequence::Forward);
    m_forwardAction->setToolTip(tr("Forward to the reference you followed (%1)")
                                    .arg(QKeySequence(QKeySequence::Forward).toString(QKeySequence::NativeText)));
    connect(m_backAction, &QAction::triggered, this, &ReviewWindow::goBack);
    connect(m_forwardAction, &QAction::triggered, this, &ReviewWindow::goForward);
    updateHistoryActions();
    auto *history = new QWidget(this);
    auto *historyLayout = new QHBoxLayout(history);
    historyLayout->setContentsMargins(0, 0, 0, 0);
    historyLayout->setSpacing(0);
    for (QAction *action : {m_backAction, m_forwardAction}) {
        auto *button = new QToolButton(history);
        button->setDefaultAction(action);
        button->setAutoRaise(true);
        button->setFocusPolicy(Qt::TabFocus);
        historyLayout->addWidget(button);
    }
    m_tree->setColumnCount(2);
    m_tree->setHeaderLabels({tr("Element"), tr("Value")});
    m_tree->setAccessibleName(tr("Resource tree"));
    // Names deeper in stay whole as branches open.
    // (Queued: a resize inside the expansion leaves the branch marks drawn closed.)
    connect(
        m_tree, &QTreeWidget::itemExpanded, this, [this] { m_tree->resizeColumnToContents(0); },
        Qt::QueuedConnection);
    m_detailTabs->addTab(m_json, tr("&JSON"));
    m_detailTabs->addTab(m_tree, tr("T&ree"));
    m_detailTabs->setCornerWidget(history, Qt::TopRightCorner);
    auto *resourceSplit = new QSplitter(Qt::Horizontal, this);
    resourceSplit->addWidget(m_table);
    resourceSplit->addWidget(m_detailTabs);
    resourceSplit->setStretchFactor(0, 3);
    resourceSplit->setStretchFactor(1, 2);
    auto *resources = new QWidget(this);
    auto *resourcesLayout = new QVBoxLayout(resources);
    resourcesLayout->addLayout(top);
    resourcesLayout->addWidget(resourceSplit, 1);

    // Patient view.
    m_patientSearch->setPlaceholderText(tr("Name or id"));
    m_patientSearch->setClearButtonEnabled(true);
    m_patientSearch->setAccessibleName(tr("Find a patient by name or id"));
    m_patientList->setAccessibleName(tr("Patients"));
    m_timeline->setColumnCount(7);
    m_timeline->setHorizontalHeaderLabels({tr("Date"), tr("Type"), tr("Id"), tr("Code"),
                                           tr("Value"), tr("File"), tr("Line")});
    m_timeline->horizontalHeader()->setSectionResizeMode(3, QHeaderView::Stretch);
    m_timeline->verticalHeader()->hide();
    m_timeline->setWordWrap(false);
    m_timeline->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_timeline->setAccessibleName(tr("The patient's resources by date; Enter opens one"));
    auto *patientLeft = new QWidget(this);
    auto *patientLeftLayout = new QVBoxLayout(patientLeft);
    patientLeftLayout->setContentsMargins(0, 0, 0, 0);
    auto *patientLabel = new QLabel(tr("&Patient:"), this);
    patientLabel->setBuddy(m_patientSearch);
    patientLeftLayout->addWidget(patientLabel);
    patientLeftLayout->addWidget(m_patientSearch);
    patientLeftLayout->addWidget(m_patientList, 1);
    patientLeftLayout->addWidget(m_patientState);
    m_patientState->setWordWrap(true);
    auto *patientSplit = new QSplitter(Qt::Horizontal, this);
    patientSplit->addWidget(patientLeft);
    patientSplit->addWidget(m_timeline);
    patientSplit->setStretchFactor(1, 3);

    m_tabs->addTab(summary, tr("&Summary"));
    m_tabs->addTab(resources, tr("Re&sources"));
    m_tabs->addTab(patientSplit, tr("Pa&tient"));
    connect(m_patientSearch, &QLineEdit::textChanged, this, &ReviewWindow::findPatients);
    connect(m_patients, &review::PatientIndex::progress, this, [this](qint64 done, qint64 total) {
        m_patientState->setText(tr("Finding patients… %1%").arg(total > 0 ? 100 * done / total : 0));
    });
    connect(m_patients, &review::PatientIndex::finished, this, &ReviewWindow::findPatients);
    connect(m_patientList, &QListWidget::currentItemChanged, this, [this](QListWidgetItem *item) {
        if (item)
            showPatient(item->data(Qt::UserRole).toString());
    });
    connect(m_timeline, &QTableWidget::cellActivated, this, [this](int row) {
        showLine(m_timeline->item(row, 5)->data(Qt::UserRole).toString(),
                 m_timeline->item(row, 6)->text().toLongLong());
    });
    setCentralWidget(m_tabs);
    statusBar(); // there from the start: a message ("Looking for Patient/x…") moves nothing
    buildMenus();

    connect(m_fileCombo, &QComboBox::currentIndexChanged, this, &ReviewWindow::showFile);
    connect(m_filter, &QLineEdit::textChanged, m_filterDelay, qOverload<>(&QTimer::start));
    connect(m_filterDelay, &QTimer::timeout, this, &ReviewWindow::applyFilter);
    connect(m_filter, &QLineEdit::returnPressed, this, &ReviewWindow::applyFilter);
    connect(m_lineFilter, &review::LineFilter::matchesAvailable, this,
            [this] { m_model->appendMatches(m_lineFilter->takeMatches()); });
    connect(m_lineFilter, &review::LineFilter::progress, this, &ReviewWindow::updateIndexState);
    connect(m_lineFilter, &review::LineFilter::finished, this, [this] {
        m_model->appendMatches(m_lineFilter->takeMatches());
        updateIndexState();
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &ReviewWindow::showResource);
    connect(m_problems, &QTableWidget::cellActivated, this, [this](int row) {
        const QString file = m_problems->item(row, 0)->data(Qt::UserRole).toString();
        showLine(file, m_problems->item(row, 1)->text().remove(QLocale().groupSeparator()).toLongLong());
    });
}

ReviewWindow::~ReviewWindow()
{
    for (auto &job : m_csvJobs)
        job.waitForFinished();
    m_model->setIndex(nullptr);
}

void ReviewWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("Open export &folder…"), QKeySequence::Open, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Export folder"));
        if (!dir.isEmpty())
            openPaths({dir});
    });
    file->addAction(tr("Open NDJSON &files…"), this, [this] {
        const QStringList files = QFileDialog::getOpenFileNames(
            this, tr("NDJSON files"), {}, tr("NDJSON (*.ndjson);;All files (*)"));
        if (!files.isEmpty())
            openPaths(files);
    });
    file->addAction(tr("&Export table as CSV…"), this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export table as CSV"),
                                                          u"resources.csv"_s, tr("CSV (*.csv)"));
        if (!path.isEmpty())
            exportCsv(path);
    });
    m_recent = file->addMenu(tr("&Recent"));
    updateRecentMenu();
    file->addSeparator();
    file->addAction(tr("&Close"), QKeySequence::Close, this, &QWidget::close);
    QMenu *edit = menuBar()->addMenu(tr("&Edit"));
    edit->addAction(tr("&Copy resource JSON"), QKeySequence::Copy, this, [this] {
        const QByteArray line = m_model->rawLine(m_table->currentIndex().row());
        if (!line.isEmpty())
            QApplication::clipboard()->setText(QString::fromUtf8(line));
    });
    QMenu *go = menuBar()->addMenu(tr("&Go"));
    go->addAction(m_backAction);
    go->addAction(m_forwardAction);
}

bool ReviewWindow::openPaths(const QStringList &paths, QString *error)
{
    if (std::any_of(paths.begin(), paths.end(), &review::GzipCache::isGzip)) {
        // Decompressed to the cache first (once), with progress; then opened like any file.
        const QString cache = QDir(QStandardPaths::writableLocation(QStandardPaths::CacheLocation))
                                  .filePath(u"gunzip"_s);
        auto *gunzip = new review::GzipCache(cache, this);
        for (const QString &p : paths)
            if (review::GzipCache::isGzip(p))
                m_originalNames.insert(gunzip->cachedPath(p), QFileInfo(p).fileName());
        m_opening = true;
        m_tabs->setCurrentIndex(0);
        m_meta->setText(tr("Decompressing %n file(s)…", nullptr,
                           int(std::count_if(paths.begin(), paths.end(), &review::GzipCache::isGzip))));
        m_progress->setFormat(tr("Decompressing %p%"));
        m_progress->setRange(0, 1000);
        m_progress->setValue(0);
        m_progress->show();
        connect(gunzip, &review::GzipCache::progress, this, [this](qint64 done, qint64 total) {
            m_progress->setValue(total > 0 ? int(1000 * done / total) : 0);
        });
        connect(gunzip, &review::GzipCache::finished, this,
                [this, gunzip, paths](const QStringList &plain, const QString &why) {
                    gunzip->deleteLater();
                    m_opening = false;
                    m_progress->setFormat(tr("Checking %p%"));
                    if (!why.isEmpty()) {
                        m_progress->hide();
                        m_meta->setText(why.toHtmlEscaped());
                        QMessageBox::warning(this, tr("Cannot open"), why);
                        return;
                    }
                    openPaths(plain);
                    rememberRecent(paths);
                });
        gunzip->start(paths);
        return true;
    }
    QString why;
    std::optional<review::ExportFolder> folder;
    if (paths.size() == 1 && QFileInfo(paths.first()).isDir())
        folder = review::ExportFolder::open(paths.first(), &why);
    else
        folder = review::ExportFolder::fromFiles(paths, &why);
    if (!folder) {
        if (error)
            *error = why;
        else
            QMessageBox::warning(this, tr("Cannot open"), why);
        return false;
    }
    m_folder = folder;
    if (!std::all_of(paths.begin(), paths.end(), [this](const QString &p) { return m_originalNames.contains(p); }))
        rememberRecent(paths); // a decompressed copy is remembered as its .gz

    setWindowTitle(tr("%1 — Review — Cohort Export")
                       .arg(folder->folder().isEmpty() ? QFileInfo(paths.first()).fileName()
                                                       : QDir(folder->folder()).dirName()));
    stopReferenceSearch();
    m_back.clear();
    m_forward.clear();
    updateHistoryActions();
    m_unresolved.clear();
    m_typesByFile.clear();
    for (const auto &f : folder->files())
        if (f.exists && f.output && !f.expectedType.isEmpty())
            m_typesByFile[f.path].insert(f.expectedType);
    m_model->setIndex(nullptr);
    m_indexes.clear();
    {
        const QSignalBlocker block(m_fileCombo);
        m_fileCombo->clear();
        for (const auto &f : folder->files()) {
            if (!f.exists)
                continue;
            m_fileCombo->addItem(m_originalNames.value(f.path, QDir(folder->folder()).relativeFilePath(f.path)), f.path);
            m_indexes.push_back(nullptr);
        }
    }
    showSummary();

    delete m_scan;
    const QString cache = QDir(QStandardPaths::writableLocation(QStandardPaths::CacheLocation))
                              .filePath(u"scans"_s);
    QDir().mkpath(cache);
    m_scan = new review::ResourceScan(cache, this);
    m_progress->setFormat(tr("Checking %p%"));
    m_progress->setRange(0, 1000);
    m_progress->setValue(0);
    m_progress->show();
    connect(m_scan, &review::ResourceScan::progress, this,
            [this, firstTotal = qint64(-1)](qint64 done, qint64 total) mutable {
                if (firstTotal < 0)
                    firstTotal = total;
                else if (total > firstTotal) // the second pass, over the files again
                    m_progress->setFormat(tr("Finding unresolved references %p%"));
                m_progress->setValue(total > 0 ? int(1000 * done / total) : 0);
            });
    connect(m_scan, &review::ResourceScan::finished, this, &ReviewWindow::onScanFinished);
    m_scan->start(folder->scanInputs());
    QStringList outputs;
    for (const auto &input : folder->scanInputs())
        outputs << input.path;
    m_patientList->clear();
    m_timeline->setRowCount(0);
    m_patients->start(outputs);
    if (m_fileCombo->count() > 0)
        showFile(0);
    return true;
}

bool ReviewWindow::isScanFinished() const
{
    return m_scan && m_scan->isFinished();
}

void ReviewWindow::showSummary()
{
    QStringList lines;
    if (!m_folder->folder().isEmpty())
        lines << tr("<b>Folder:</b> %1").arg(QDir::toNativeSeparators(m_folder->folder()).toHtmlEscaped());
    if (!m_folder->serverUrl().isEmpty())
        lines << tr("<b>Server:</b> %1").arg(m_folder->serverUrl().toHtmlEscaped());
    if (!m_folder->request().isEmpty())
        lines << tr("<b>Request:</b> %1").arg(m_folder->request().toHtmlEscaped());
    if (m_folder->transactionTime().isValid())
        lines << tr("<b>Transaction time:</b> %1")
                     .arg(QLocale().toString(m_folder->transactionTime().toLocalTime(), QLocale::LongFormat));
    m_meta->setText(lines.join(u"<br>"_s));
    m_files->setRowCount(0);
    for (const auto &f : m_folder->files()) {
        const int row = m_files->rowCount();
        m_files->insertRow(row);
        const QString name = m_folder->folder().isEmpty() ? f.path : QDir(m_folder->folder()).relativeFilePath(f.path);
        m_files->setItem(row, 0, item(name));
        m_files->setItem(row, 1, item(f.expectedType));
        m_files->setItem(row, 2, item(f.exists ? tr("checking…") : tr("missing")));
        m_files->setItem(row, 3, item(f.expectedCount >= 0 ? QLocale().toString(f.expectedCount) : QString(), true));
        m_files->setItem(row, 4, item(f.exists ? QLocale().formattedDataSize(QFileInfo(f.path).size()) : QString(), true));
        m_files->setItem(row, 5, item({}));
    }
    m_problems->setRowCount(0);
    fitColumns();
}

// Every column but the last (which stretches) as wide as its contents, within reason: file
// names and problem classes stay whole, long ones are cut at a third of the window.
void ReviewWindow::fitColumns()
{
    for (QTableWidget *table : {m_files, m_problems}) {
        const int most = qMax(120, width() / 3);
        for (int c = 0; c + 1 < table->columnCount(); ++c) {
            table->resizeColumnToContents(c);
            table->setColumnWidth(c, qMin(table->columnWidth(c), most));
        }
    }
}

void ReviewWindow::onScanFinished()
{
    m_progress->hide();
    const review::ScanResult result = m_scan->result();
    for (int row = 0; row < m_files->rowCount(); ++row) {
        const auto &f = m_folder->files()[row];
        const auto it = std::find_if(result.files.begin(), result.files.end(),
                                     [&](const review::ScanFileResult &r) { return r.path == f.path; });
        if (it == result.files.end()) {
            if (f.exists)
                m_files->item(row, 2)->setText(f.output ? tr("not checked") : tr("listed"));
            continue;
        }
        m_files->item(row, 2)->setText(QLocale().toString(it->resources));
        m_files->item(row, 2)->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        QStringList types;
        for (auto t = it->countsByType.begin(); t != it->countsByType.end(); ++t)
            types << u"%1 %2"_s.arg(t.key(), QLocale().toString(t.value()));
        m_files->item(row, 5)->setText(types.join(u", "_s));
        if (f.expectedCount >= 0 && f.expectedCount != it->resources) {
            for (int c = 0; c < m_files->columnCount(); ++c)
                m_files->item(row, c)->setBackground(QColor(230, 60, 40, 70)); // light and dark palettes
            m_files->item(row, 2)->setToolTip(tr("The manifest promised %1.").arg(f.expectedCount));
        }
    }
    for (const review::Problem &p : result.problems) {
        const int row = m_problems->rowCount();
        m_problems->insertRow(row);
        auto *fileItem = item(m_folder->folder().isEmpty() ? p.file : QDir(m_folder->folder()).relativeFilePath(p.file));
        fileItem->setData(Qt::UserRole, p.file);
        m_problems->setItem(row, 0, fileItem);
        m_problems->setItem(row, 1, item(p.line > 0 ? QString::number(p.line) : QString(), true));
        m_problems->setItem(row, 2, item(review::Problem::className(p.kind)));
        m_problems->setItem(row, 3, item(p.message));
    }
    fitColumns();
    QString state = result.problemCount == 0
                        ? tr("No problems found in %n resource(s).", nullptr,
                             int(std::accumulate(result.countsByType.begin(), result.countsByType.end(), qint64(0))))
                        : tr("%n problem(s) found.", nullptr, int(result.problemCount));
    if (!result.error.isEmpty())
        state += QLatin1Char(' ') + result.error;
    m_meta->setText(m_meta->text() + (m_meta->text().isEmpty() ? QString() : u"<br>"_s) +
                    u"<b>%1</b>"_s.arg(state.toHtmlEscaped()));

    // What the JSON view links: the types each file holds, and no reference the scan found
    // missing (when it read every file: otherwise a target may be in the file it could not read).
    for (const review::ScanFileResult &f : result.files)
        for (auto t = f.countsByType.begin(); t != f.countsByType.end(); ++t)
            m_typesByFile[f.path].insert(t.key());
    m_unresolved.clear();
    if (result.error.isEmpty() && !result.cancelled) {
        for (const review::Problem &p : result.problems) {
            if (p.kind != review::Problem::Class::UnresolvedReference)
                continue;
            // "Type/id is not in the export" (ResourceScan's message, not translated)
            if (const auto ref = review::LocalReference::parse(QStringView(p.message).left(p.message.indexOf(u' '))))
                m_unresolved.insert(ref->key());
        }
    }
    if (m_shownIsJson && !m_linksFromScan) {
        const int scroll = m_json->verticalScrollBar()->value();
        renderJson();
        m_json->verticalScrollBar()->setValue(scroll);
    }
}

void ReviewWindow::showFile(int comboIndex)
{
    QObject::disconnect(m_pendingSelection);
    if (comboIndex < 0 || comboIndex >= int(m_indexes.size()))
        return;
    auto &index = m_indexes[size_t(comboIndex)];
    if (!index) {
        index = std::make_unique<review::NdjsonIndex>(m_fileCombo->itemData(comboIndex).toString());
        auto *raw = index.get();
        connect(raw, &review::NdjsonIndex::progress, this, [this, raw](qint64 done, qint64 total) {
            if (m_model->ndjsonIndex() == raw)
                m_indexState->setText(tr("Indexing %1%").arg(total > 0 ? 100 * done / total : 0));
        });
        connect(raw, &review::NdjsonIndex::finished, this, [this, raw] {
            if (m_model->ndjsonIndex() == raw)
                m_indexState->setText(raw->errorString().isEmpty()
                                          ? tr("%n line(s)", nullptr, int(qMin<qint64>(raw->lineCount(), INT_MAX)))
                                          : raw->errorString());
        });
        raw->start();
    }
    m_lineFilter->cancel();
    m_model->setIndex(index.get());
    if (index->isFinished())
        m_indexState->setText(tr("%n line(s)", nullptr, int(qMin<qint64>(index->lineCount(), INT_MAX))));
    m_shownJson.clear();
    m_shownIsJson = false;
    m_json->clear();
    m_tree->clear();
    if (!m_filter->text().trimmed().isEmpty())
        applyFilter();
}

void ReviewWindow::applyFilter()
{
    m_filterDelay->stop();
    const QString query = m_filter->text().trimmed();
    m_lineFilter->cancel();
    if (query.isEmpty() || !m_model->ndjsonIndex()) {
        m_model->setFiltered(false);
        updateIndexState();
        return;
    }
    m_model->setFiltered(true);
    m_lineFilter->start(m_model->ndjsonIndex()->path(), query);
    updateIndexState();
}

bool ReviewWindow::isPatientIndexFinished() const
{
    return m_patients->isFinished();
}

void ReviewWindow::findPatients()
{
    if (!m_patients->isFinished())
        return;
    const QString text = m_patientSearch->text().trimmed();
    const auto found = m_patients->find(text);
    m_patientList->clear();
    for (const auto &p : found) {
        auto *item = new QListWidgetItem(p.name.isEmpty() ? p.id : tr("%1 (%2)").arg(p.name, p.id), m_patientList);
        item->setData(Qt::UserRole, p.id);
    }
    const int all = int(m_patients->patients().size());
    m_patientState->setText(found.isEmpty() ? (all ? tr("No patient matches.") : tr("No patients in these files."))
                                            : tr("%1 of %n patient(s)", nullptr, all).arg(found.size()));
}

struct ReviewWindow::TimelineRow
{
    review::ResourceSummary summary;
    review::PatientIndex::Location location;
};

void ReviewWindow::showPatient(const QString &id)
{
    const auto locations = m_patients->locations(id);
    const quint64 pick = ++m_patientPick;
    m_timeline->setRowCount(0); // no row of the last patient to open meanwhile
    const QString reading =
        tr("Reading %n resource(s) of the patient…", nullptr, int(locations.size()));
    statusBar()->showMessage(reading);
    // The job holds copies only: the window, or a new export's patient index, may come first.
    auto future = QtConcurrent::run(workerPool(), [files = m_patients->files(), locations] {
        QList<TimelineRow> rows;
        const QList<QByteArray> lines = review::PatientIndex::read(files, locations);
        for (qsizetype i = 0; i < locations.size(); ++i)
            rows.append({review::ResourceSummary::of(lines.at(i)), locations.at(i)});
        // By date; resources without one (Patient, ...) first.
        std::stable_sort(rows.begin(), rows.end(), [](const TimelineRow &a, const TimelineRow &b) {
            return a.summary.date < b.summary.date;
        });
        return rows;
    });
    auto *watcher = new QFutureWatcher<QList<TimelineRow>>(this);
    connect(watcher, &QFutureWatcher<QList<TimelineRow>>::finished, this,
            [this, watcher, pick, reading, files = m_patients->files()] {
                watcher->deleteLater();
                if (pick != m_patientPick)
                    return; // another patient was picked meanwhile
                if (statusBar()->currentMessage() == reading)
                    statusBar()->clearMessage();
                fillTimeline(watcher->result(), files);
            });
    watcher->setFuture(future);
}

void ReviewWindow::fillTimeline(const QList<TimelineRow> &rows, const QStringList &files)
{
    m_timeline->setSortingEnabled(false);
    m_timeline->setRowCount(int(rows.size()));
    for (int i = 0; i < rows.size(); ++i) {
        const TimelineRow &r = rows[i];
        const QString file = files.value(r.location.file);
        m_timeline->setItem(i, 0, item(r.summary.date));
        m_timeline->setItem(i, 1, item(r.summary.resourceType));
        m_timeline->setItem(i, 2, item(r.summary.id));
        m_timeline->setItem(i, 3, item(r.summary.code));
        m_timeline->setItem(i, 4, item(r.summary.value));
        auto *fileItem = item(m_folder && !m_folder->folder().isEmpty()
                                  ? QDir(m_folder->folder()).relativeFilePath(file)
                                  : QFileInfo(file).fileName());
        fileItem->setData(Qt::UserRole, file);
        m_timeline->setItem(i, 5, fileItem);
        m_timeline->setItem(i, 6, item(QString::number(r.location.line + 1), true));
    }
    // Dates, types, ids and lines whole; file and value within bounds; the code takes the rest.
    for (int c : {0, 1, 2, 4, 5, 6}) {
        m_timeline->resizeColumnToContents(c);
        if (c == 4 || c == 5)
            m_timeline->setColumnWidth(c, qMin(m_timeline->columnWidth(c), c == 4 ? 110 : 160));
    }
}

bool ReviewWindow::isFilterFinished() const
{
    return m_lineFilter->isFinished();
}

void ReviewWindow::updateIndexState()
{
    if (m_model->isFiltered()) {
        m_indexState->setText(m_lineFilter->isFinished()
                                  ? tr("%n match(es)", nullptr, int(qMin<qint64>(m_lineFilter->matchCount(), INT_MAX)))
                                  : tr("Filtering… %n match(es)", nullptr, int(qMin<qint64>(m_lineFilter->matchCount(), INT_MAX))));
    } else if (auto *index = m_model->ndjsonIndex(); index && index->isFinished()) {
        m_indexState->setText(tr("%n line(s)", nullptr, int(qMin<qint64>(index->lineCount(), INT_MAX))));
    }
}

void ReviewWindow::exportCsv(const QString &path)
{
    review::NdjsonIndex *index = m_model->ndjsonIndex();
    if (!index)
        return;
    std::vector<qint64> lines(size_t(m_model->rowCount()));
    for (int row = 0; row < m_model->rowCount(); ++row)
        lines[size_t(row)] = m_model->lineOf(row);
    statusBar()->showMessage(tr("Writing %n row(s) to %1…", nullptr, int(lines.size())).arg(path));
    // The index outlives the job: the window waits for it (QFuture) before the indexes go.
    auto future = QtConcurrent::run(workerPool(), [index, lines = std::move(lines), path]() -> QString {
        QSaveFile out(path);
        if (!out.open(QIODevice::WriteOnly))
            return out.errorString();
        out.write(ResourceTableModel::csvHeader().toUtf8());
        for (qint64 line : lines) {
            const auto summary = review::ResourceSummary::of(index->readLine(line));
            if (out.write(ResourceTableModel::csvRow(line, summary).toUtf8()) < 0)
                return out.errorString();
        }
        return out.commit() ? QString() : out.errorString();
    });
    m_csvJobs.append(future);
    auto *watcher = new QFutureWatcher<QString>(this);
    connect(watcher, &QFutureWatcher<QString>::finished, this, [this, watcher, path] {
        watcher->deleteLater();
        const QString error = watcher->result();
        const QString message = error.isEmpty() ? tr("Table written to %1.").arg(QDir::toNativeSeparators(path))
                                                : tr("The CSV file could not be written: %1").arg(error);
        statusBar()->showMessage(message, 10000);
        emit csvWritten(error.isEmpty(), message);
    });
    watcher->setFuture(future);
}

void ReviewWindow::showResource(const QModelIndex &index)
{
    m_tree->clear();
    if (!index.isValid()) {
        m_shownJson.clear();
        m_shownIsJson = false;
        renderJson();
        return;
    }
    const QByteArray line = m_model->rawLine(index.row());
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
    if (!doc.isObject()) {
        m_shownJson = tr("Line %1 is not a JSON object (%2):\n\n%3")
                          .arg(m_model->lineOf(index.row()) + 1)
                          .arg(error.errorString(), QString::fromUtf8(line.left(64 * 1024)));
        m_shownIsJson = false;
        renderJson();
        return;
    }
    // Laid out from the line itself: members in the file's order, numbers as written.
    m_shownJson = review::JsonSpans::elideLongLines(
        review::JsonSpans::indented(line), kLongLine, [](qsizetype omitted) {
            return tr("… %n character(s) not shown …", nullptr, int(qMin<qsizetype>(omitted, INT_MAX)));
        });
    if (m_shownJson.size() > kShowLimit) {
        const qsizetype cut = m_shownJson.lastIndexOf(u'\n', kShowLimit);
        const qsizetype rest = m_shownJson.size() - cut;
        m_shownJson.truncate(cut);
        m_shownJson += u'\n' + tr("… %n more character(s) not shown: Edit → Copy resource JSON copies the whole resource.",
                                   nullptr, int(qMin<qsizetype>(rest, INT_MAX)));
    }
    m_shownIsJson = true;
    renderJson();
    auto *root = new QTreeWidgetItem(m_tree, {doc.object().value("resourceType"_L1).toString()});
    addJsonTree(root, QString::fromUtf8(line));
    root->setExpanded(true);
    m_tree->resizeColumnToContents(0);
}

void ReviewWindow::showLine(const QString &file, qint64 line)
{
    const int i = m_fileCombo->findData(file);
    if (i < 0)
        return;
    m_tabs->setCurrentIndex(1);
    {
        const QSignalBlocker block(m_filter);
        m_filter->clear();
        m_filterDelay->stop();
    }
    m_fileCombo->setCurrentIndex(i);
    showFile(i);
    const int row = int(qMax<qint64>(0, line - 1));
    // The index may still be growing: select the row once it exists (only the latest wish).
    auto select = [this, row] {
        if (row >= m_model->rowCount())
            return false;
        m_table->setCurrentIndex(m_model->index(row, 0));
        m_table->scrollTo(m_model->index(row, 0), QAbstractItemView::PositionAtCenter);
        return true;
    };
    if (!select()) {
        m_pendingSelection = connect(m_model, &QAbstractItemModel::rowsInserted, this, [this, select] {
            if (select())
                QObject::disconnect(m_pendingSelection);
        });
    }
}

void ReviewWindow::renderJson()
{
    m_linksFromScan = isScanFinished();
    // Built apart from the view, which lays it out once when it gets it.
    auto *document = new QTextDocument(m_json);
    document->setUndoRedoEnabled(false);
    document->setDefaultFont(m_json->font());
    auto show = [this, document] {
        // The view deletes only the document it made itself; the ones made here go here.
        QTextDocument *previous = m_json->document()->parent() == m_json ? m_json->document() : nullptr;
        m_json->setDocument(document);
        if (previous)
            previous->deleteLater();
    };
    if (!m_shownIsJson || m_shownJson.size() > kHighlightLimit) {
        document->setPlainText(m_shownJson);
        if (m_shownJson.size() <= kHighlightLimit)
            hangIndents(document);
        show();
        return;
    }
    QSet<QString> exported;
    for (const QSet<QString> &types : std::as_const(m_typesByFile))
        exported.unite(types);
    const JsonColours colours(m_json->palette());
    QTextCharFormat formats[5];
    for (const auto kind : {review::JsonSpan::Kind::Key, review::JsonSpan::Kind::String,
                            review::JsonSpan::Kind::Number, review::JsonSpan::Kind::Literal,
                            review::JsonSpan::Kind::Punctuation})
        formats[int(kind)].setForeground(colours.of(kind));
    QTextCharFormat link;
    link.setForeground(colours.link);
    link.setFontUnderline(true);
    link.setAnchor(true);

    // Runs of one colour, with the whitespace after them, are inserted at once.
    QTextCursor cursor(document);
    cursor.beginEditBlock();
    const QString &text = m_shownJson;
    qsizetype runStart = 0;
    auto runKind = review::JsonSpan::Kind::Punctuation;
    auto flush = [&](qsizetype upTo) {
        if (upTo > runStart)
            cursor.insertText(text.mid(runStart, upTo - runStart), formats[int(runKind)]);
        runStart = upTo;
    };
    for (const review::JsonSpan &span : review::JsonSpans::of(text)) {
        const auto target = span.reference.isEmpty() ? std::nullopt : review::LocalReference::parse(span.reference);
        if (!target || span.length < 2 || !exported.contains(target->type) ||
            m_unresolved.contains(target->key())) {
            if (span.kind != runKind) {
                flush(span.start);
                runKind = span.kind;
            }
            continue;
        }
        // The quotes in the string colour, what is between them a link.
        if (runKind != review::JsonSpan::Kind::String) {
            flush(span.start);
            runKind = review::JsonSpan::Kind::String;
        }
        flush(span.start + 1);
        link.setAnchorHref(referenceUrl(span.reference).toString(QUrl::FullyEncoded));
        link.setToolTip(tr("Go to %1").arg(target->key()));
        cursor.insertText(text.mid(span.start + 1, span.length - 2), link);
        runStart = span.start + span.length - 1;
    }
    flush(text.size());
    cursor.endEditBlock();
    hangIndents(document);
    show();
}

void ReviewWindow::hangIndents(QTextDocument *document) const
{
    // A line too long for the view (a URL, a narrative) wraps under its own start, two columns
    // in, instead of back at the left edge where it would read as a line of its own.
    const qreal column = QFontMetricsF(document->defaultFont()).horizontalAdvance(u' ');
    QTextCursor cursor(document);
    cursor.beginEditBlock();
    for (QTextBlock block = document->begin(); block.isValid(); block = block.next()) {
        const QString line = block.text();
        qsizetype indent = 0;
        while (indent < line.size() && line.at(indent) == u' ')
            ++indent;
        QTextBlockFormat format = block.blockFormat();
        format.setLeftMargin(column * qreal(indent + 2));
        format.setTextIndent(-column * qreal(indent + 2));
        cursor.setPosition(block.position());
        cursor.setBlockFormat(format);
    }
    cursor.endEditBlock();
}

QUrl ReviewWindow::referenceUrl(const QString &reference)
{
    QUrl url;
    url.setScheme(u"cohort-ref"_s);
    url.setPath(reference);
    return url;
}

QStringList ReviewWindow::filesWithType(const QString &type) const
{
    QStringList files, unknown;
    if (!m_folder)
        return files;
    for (const auto &f : m_folder->files()) {
        if (!f.exists || !f.output || m_fileCombo->findData(f.path) < 0)
            continue;
        const QSet<QString> types = m_typesByFile.value(f.path);
        if (types.contains(type))
            files << f.path;
        else if (types.isEmpty())
            unknown << f.path; // loose files before the scan has counted them
    }
    return files.isEmpty() ? unknown : files;
}

std::optional<ReviewWindow::Location> ReviewWindow::currentLocation() const
{
    const int row = m_table->currentIndex().row();
    const review::NdjsonIndex *index = m_model->ndjsonIndex();
    if (row < 0 || !index)
        return std::nullopt;
    return Location{index->path(), m_model->lineOf(row) + 1};
}

void ReviewWindow::followReference(const QUrl &url)
{
    if (url.scheme() != "cohort-ref"_L1)
        return;
    const auto target = review::LocalReference::parse(url.path());
    if (!target)
        return;
    stopReferenceSearch(); // a new click replaces a search still running
    m_refType = target->type;
    m_refId = target->id;
    m_refFiles = filesWithType(target->type);
    m_refFrom = currentLocation();
    statusBar()->showMessage(tr("Looking for %1…").arg(target->key()));
    searchNextFile();
}

void ReviewWindow::searchNextFile()
{
    const QString key = m_refType + u'/' + m_refId;
    if (m_refFiles.isEmpty()) {
        m_refFrom.reset();
        statusBar()->showMessage(tr("%1 was not found in this export.").arg(key));
        return;
    }
    const QString file = m_refFiles.takeFirst();
    auto *finder = new review::LineFilter(this);
    m_refFinder = finder;
    const quint64 generation = ++m_refGeneration;
    // The first match ends the search; a file without one passes it on to the next file.
    auto handle = [this, finder, generation, file, key](bool finished) {
        if (generation != m_refGeneration)
            return; // a newer search, or this one is over: the finder is gone
        const std::vector<qint64> matches = finder->takeMatches();
        if (matches.empty() && !finished)
            return;
        ++m_refGeneration;
        finder->cancel();
        finder->deleteLater();
        m_refFinder = nullptr;
        if (matches.empty()) {
            searchNextFile();
            return;
        }
        const Location to{file, matches.front() + 1};
        if (m_refFrom && (m_refFrom->file != to.file || m_refFrom->line != to.line)) {
            m_back.append(*m_refFrom);
            m_forward.clear();
        }
        m_refFrom.reset();
        updateHistoryActions();
        showLine(to.file, to.line);
        statusBar()->showMessage(tr("%1: line %2 of %3").arg(key).arg(to.line).arg(m_fileCombo->currentText()), 10000);
    };
    connect(finder, &review::LineFilter::matchesAvailable, this, [handle] { handle(false); });
    connect(finder, &review::LineFilter::finished, this, [handle] { handle(true); });
    finder->start(file, review::LineFilter::resourceQuery(m_refType, m_refId));
}

void ReviewWindow::stopReferenceSearch()
{
    ++m_refGeneration;
    if (m_refFinder) {
        m_refFinder->cancel();
        m_refFinder->deleteLater(); // its destructor waits for the (cancelled) worker
        m_refFinder = nullptr;
        statusBar()->clearMessage();
    }
    m_refFiles.clear();
    m_refFrom.reset();
}

void ReviewWindow::goBack()
{
    if (m_back.isEmpty())
        return;
    stopReferenceSearch();
    if (const auto here = currentLocation())
        m_forward.append(*here);
    const Location to = m_back.takeLast();
    updateHistoryActions();
    showLine(to.file, to.line);
}

void ReviewWindow::goForward()
{
    if (m_forward.isEmpty())
        return;
    stopReferenceSearch();
    if (const auto here = currentLocation())
        m_back.append(*here);
    const Location to = m_forward.takeLast();
    updateHistoryActions();
    showLine(to.file, to.line);
}

void ReviewWindow::updateHistoryActions()
{
    m_backAction->setEnabled(!m_back.isEmpty());
    m_forwardAction->setEnabled(!m_forward.isEmpty());
}

bool ReviewWindow::eventFilter(QObject *watched, QEvent *event)
{
    // The JSON view's colours follow its palette, light or dark (it changes after the window's).
    if (watched == m_json && event->type() == QEvent::PaletteChange && m_shownIsJson) {
        const int scroll = m_json->verticalScrollBar()->value();
        renderJson();
        m_json->verticalScrollBar()->setValue(scroll);
    }
    return QMainWindow::eventFilter(watched, event);
}

void ReviewWindow::dragEnterEvent(QDragEnterEvent *event)
{
    if (event->mimeData()->hasUrls())
        event->acceptProposedAction();
}

void ReviewWindow::dropEvent(QDropEvent *event)
{
    QStringList paths;
    for (const QUrl &url : event->mimeData()->urls())
        if (url.isLocalFile())
            paths << url.toLocalFile();
    if (!paths.isEmpty())
        openPaths(paths);
}

void ReviewWindow::rememberRecent(const QStringList &paths)
{
    QSettings settings;
    QStringList recent = settings.value(kRecentKey).toStringList();
    const QString entry = paths.join(u'\n');
    recent.removeAll(entry);
    recent.prepend(entry);
    while (recent.size() > 10)
        recent.removeLast();
    settings.setValue(kRecentKey, recent);
    updateRecentMenu();
}

void ReviewWindow::updateRecentMenu()
{
    if (!m_recent)
        return;
    m_recent->clear();
    const QStringList recent = QSettings().value(kRecentKey).toStringList();
    for (const QString &entry : recent) {
        const QStringList paths = entry.split(u'\n');
        QString text = QDir::toNativeSeparators(paths.first());
        if (paths.size() > 1)
            text = tr("%1 and %n more", nullptr, int(paths.size() - 1)).arg(text);
        m_recent->addAction(text, this, [this, paths] { openPaths(paths); });
    }
    m_recent->setEnabled(!recent.isEmpty());
}

} // namespace cohort::ui
