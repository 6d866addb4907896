#include "GroupBrowser.h"

#include "GroupTableModel.h"
#include "session/GroupDetailsLoader.h"
#include "session/ServerSession.h"

#include <QApplication>
#include <QClipboard>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace cohort::ui {

using session::ServerSession;

GroupBrowser::GroupBrowser(ServerSession *session, QWidget *parent)
    : QWidget(parent)
    , m_session(session)
    , m_model(new GroupTableModel(this))
    , m_loader(new session::GroupDetailsLoader(this))
    , m_search(new QLineEdit(this))
    , m_debounce(new QTimer(this))
    , m_stack(new QStackedWidget(this))
    , m_table(new QTableView(this))
    , m_message(new QLabel(this))
    , m_retry(new QPushButton(tr("&Retry"), this))
    , m_footer(new QLabel(this))
    , m_more(new QPushButton(tr("Load &more"), this))
    , m_detailTitle(new QLabel(this))
    , m_detailText(new QLabel(this))
    , m_members(new QListWidget(this))
    , m_copyId(new QPushButton(tr("Copy &id"), this))
{
    setObjectName(QStringLiteral("groupBrowser"));
    auto *searchLabel = new QLabel(tr("&Find Group:"), this);
    searchLabel->setBuddy(m_search);
    m_search->setPlaceholderText(tr("Part of the name"));
    m_search->setClearButtonEnabled(true);
    m_search->setAccessibleName(tr("Find Group by name"));
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(300);

    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(false);
    m_table->horizontalHeader()->setSectionResizeMode(GroupTableModel::Name, QHeaderView::Stretch);
    m_table->horizontalHeader()->setSectionResizeMode(GroupTableModel::Id, QHeaderView::Interactive);
    for (int c : {GroupTableModel::Type, GroupTableModel::Actual, GroupTableModel::Members, GroupTableModel::Active})
        m_table->horizontalHeader()->setSectionResizeMode(c, QHeaderView::ResizeToContents);
    m_table->setAccessibleName(tr("Groups"));
    m_table->setTabKeyNavigation(false);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);

    auto *messagePage = new QWidget(this);
    auto *messageLayout = new QVBoxLayout(messagePage);
    m_message->setAlignment(Qt::AlignCenter);
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    messageLayout->addStretch();
    messageLayout->addWidget(m_message);
    messageLayout->addWidget(m_retry, 0, Qt::AlignCenter);
    messageLayout->addStretch();
    m_stack->addWidget(m_table);
    m_stack->addWidget(messagePage);

    auto *top = new QHBoxLayout;
    top->addWidget(searchLabel);
    top->addWidget(m_search, 1);
    auto *footer = new QHBoxLayout;
    footer->addWidget(m_footer, 1);
    footer->addWidget(m_more);
    m_footer->setWordWrap(true);

    auto *listPane = new QWidget(this);
    auto *listLayout = new QVBoxLayout(listPane);
    listLayout->setContentsMargins(0, 0, 0, 0);
    listLayout->addLayout(top);
    listLayout->addWidget(m_stack, 1);
    listLayout->addLayout(footer);

    auto *details = new QGroupBox(tr("Selected Group"), this);
    auto *detailLayout = new QVBoxLayout(details);
    m_detailTitle->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_detailTitle->setWordWrap(true);
    m_detailText->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_detailText->setWordWrap(true);
    m_members->setAccessibleName(tr("First members"));
    m_members->setMinimumHeight(48);
    m_members->setMaximumHeight(m_members->fontMetrics().lineSpacing() * 8 + 8);
    auto *titleRow = new QHBoxLayout;
    titleRow->addWidget(m_detailTitle, 1);
    titleRow->addWidget(m_copyId, 0, Qt::AlignTop);
    detailLayout->addLayout(titleRow);
    detailLayout->addWidget(m_detailText);
    detailLayout->addWidget(m_members);
    detailLayout->addStretch(1);

    auto *split = new QSplitter(Qt::Vertical, this);
    split->setObjectName(QStringLiteral("groupSplitter"));
    split->addWidget(listPane);
    split->addWidget(details);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 1);
    split->setChildrenCollapsible(false);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(split);

    connect(m_search, &QLineEdit::textEdited, m_debounce, qOverload<>(&QTimer::start));
    connect(m_search, &QLineEdit::returnPressed, this, [this] {
        m_debounce->stop();
        m_model->search(m_search->text());
    });
    connect(m_debounce, &QTimer::timeout, this, [this] {
        if (m_search->text().trimmed() != m_model->lastSearch())
            m_model->search(m_search->text());
    });
    connect(m_retry, &QPushButton::clicked, m_model, &GroupTableModel::retry);
    connect(m_more, &QPushButton::clicked, this, [this] { m_model->fetchMore({}); });
    connect(m_model, &GroupTableModel::statusChanged, this, &GroupBrowser::updateStatus);
    connect(m_model, &GroupTableModel::loadingMoreChanged, this, &GroupBrowser::updateStatus);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &GroupBrowser::updateStatus);
    connect(m_model, &QAbstractItemModel::modelReset, this, &GroupBrowser::onCurrentChanged);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &GroupBrowser::onCurrentChanged);
    connect(m_copyId, &QPushButton::clicked, this, [this] {
        if (auto g = selectedGroup())
            QApplication::clipboard()->setText(g->id);
    });
    connect(m_loader, &session::GroupDetailsLoader::groupLoaded, this,
            [this](const fhir::Group &group) {
                m_details = group;
                showDetails(group);
                emit selectionChanged();
            });
    connect(m_loader, &session::GroupDetailsLoader::memberNameResolved, this,
            [this](int index, const QString &name) {
                if (QListWidgetItem *item = m_members->item(index))
                    item->setText(tr("%1 — %2").arg(name, item->data(Qt::UserRole).toString()));
            });
    connect(m_loader, &session::GroupDetailsLoader::failed, this,
            [this](const fhir::FhirError &error) {
                m_detailText->setText(tr("The Group's details could not be read: %1").arg(error.message()));
            });
    connect(session, &ServerSession::stateChanged, this, &GroupBrowser::onSessionState);
    onSessionState();
}

std::optional<fhir::Group> GroupBrowser::selectedGroup() const
{
    const fhir::Group *g = m_model->group(m_table->currentIndex().row());
    if (!g)
        return std::nullopt;
    if (m_details && m_details->id == g->id)
        return m_details;
    return *g;
}

void GroupBrowser::onSessionState()
{
    const bool connected = m_session->state() == ServerSession::State::Connected;
    m_model->setClient(connected ? m_session->client() : nullptr);
    if (connected)
        m_model->search(m_search->text());
    updateStatus();
}

void GroupBrowser::updateStatus()
{
    const auto status = m_model->status();
    m_retry->setVisible(status == GroupTableModel::Error);
    const bool failedWithRows = status == GroupTableModel::Error && m_model->rowCount() > 0;
    switch (status) {
    case GroupTableModel::Idle:
        m_message->setText(m_session->state() == ServerSession::State::Connecting
                               ? tr("Connecting to the server…")
                           : m_session->state() == ServerSession::State::Failed
                               ? tr("Not connected: %1").arg(m_session->errorMessage())
                               : tr("Choose a server to see its Groups."));
        break;
    case GroupTableModel::Loading:
        m_message->setText(tr("Loading Groups…"));
        break;
    case GroupTableModel::Empty:
        m_message->setText(m_model->lastSearch().isEmpty()
                               ? tr("This server has no Groups.")
                               : tr("No Group name contains “%1”.").arg(m_model->lastSearch()));
        break;
    case GroupTableModel::Error:
        m_message->setText(tr("The Groups could not be loaded.\n%1").arg(m_model->errorMessage()));
        break;
    case GroupTableModel::Ready:
        break;
    }
    const bool showTable = status == GroupTableModel::Ready || failedWithRows;
    m_stack->setCurrentIndex(showTable ? 0 : 1);

    const int rows = m_model->rowCount();
    const int total = m_model->total();
    QString footer;
    if (failedWithRows)
        footer = tr("More Groups could not be loaded: %1").arg(m_model->errorMessage());
    else if (m_model->isLoadingMore())
        footer = tr("Loading more…");
    else if (rows > 0)
        footer = total >= 0 ? tr("%1 of %n Group(s)", nullptr, total).arg(rows)
                            : tr("%n Group(s)", nullptr, rows);
    m_footer->setText(footer);
    const bool more = m_model->canFetchMore({}) || failedWithRows;
    m_more->setVisible(more);
    m_more->setText(failedWithRows ? tr("&Retry") : tr("Load &more"));
    if (failedWithRows) {
        m_more->disconnect();
        connect(m_more, &QPushButton::clicked, m_model, &GroupTableModel::retry);
    } else {
        m_more->disconnect();
        connect(m_more, &QPushButton::clicked, this, [this] { m_model->fetchMore({}); });
    }
}

void GroupBrowser::onCurrentChanged()
{
    const fhir::Group *g = m_model->group(m_table->currentIndex().row());
    m_details.reset();
    m_loader->cancel();
    m_members->clear();
    m_copyId->setEnabled(g);
    if (!g) {
        m_detailTitle->setText(tr("No Group selected."));
        m_detailText->clear();
        m_members->hide();
        emit selectionChanged();
        return;
    }
    showDetails(*g);
    m_detailText->setText(m_detailText->text() + QLatin1Char('\n') + tr("Loading members…"));
    m_loader->load(m_session->client(), g->id);
    emit selectionChanged();
}

void GroupBrowser::showDetails(const fhir::Group &g)
{
    m_detailTitle->setText(QStringLiteral("<b>%1</b><br><span>%2</span>")
                               .arg((g.name.isEmpty() ? tr("(no name)") : g.name).toHtmlEscaped(),
                                    tr("Id: %1").arg(g.id).toHtmlEscaped()));
    QStringList lines;
    if (!g.type.isEmpty())
        lines << tr("Type: %1%2").arg(g.type, g.actual.value_or(false) ? tr(", actual") : QString());
    if (g.quantity)
        lines << tr("Quantity: %1").arg(*g.quantity);
    lines << tr("Members listed: %1").arg(g.memberCount());
    for (const auto &id : g.identifiers)
        lines << tr("Identifier: %1 %2").arg(id.system, id.value).trimmed();
    m_detailText->setText(lines.join(QLatin1Char('\n')));
    m_members->clear();
    const int shown = qMin(session::GroupDetailsLoader::kNamedMembers, g.memberCount());
    for (int i = 0; i < shown; ++i) {
        auto *item = new QListWidgetItem(g.memberReferences[i], m_members);
        item->setData(Qt::UserRole, g.memberReferences[i]);
    }
    if (g.memberCount() > shown)
        new QListWidgetItem(tr("… and %n more", nullptr, g.memberCount() - shown), m_members);
    m_members->setVisible(m_members->count() > 0);
}

} // namespace cohort::ui
