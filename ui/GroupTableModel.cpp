#include "GroupTableModel.h"

#include "fhir/FhirClient.h"
#include "fhir/GroupSearch.h"

namespace cohort::ui {

namespace {

QString yesNo(const std::optional<bool> &value)
{
    if (!value)
        return {};
    return *value ? GroupTableModel::tr("Yes") : GroupTableModel::tr("No");
}

} // namespace

GroupTableModel::GroupTableModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

GroupTableModel::~GroupTableModel() = default;

void GroupTableModel::setClient(fhir::FhirClient *client)
{
    beginResetModel();
    m_groups.clear();
    delete m_search;
    m_search = nullptr;
    m_client = client;
    endResetModel();
    if (!client) {
        setStatus(Idle);
        return;
    }
    m_search = new fhir::GroupSearch(client, this);
    connect(m_search, &fhir::GroupSearch::pageLoaded, this,
            [this](const QList<fhir::Group> &groups, bool) {
                if (!groups.isEmpty()) {
                    beginInsertRows({}, int(m_groups.size()), int(m_groups.size() + groups.size() - 1));
                    m_groups.append(groups);
                    endInsertRows();
                }
                emit loadingMoreChanged(false);
                setStatus(m_groups.isEmpty() ? Empty : Ready);
            });
    connect(m_search, &fhir::GroupSearch::failed, this, [this](const fhir::FhirError &error) {
        if (error.kind == fhir::FhirError::Kind::Cancelled)
            return;
        m_error = error;
        emit loadingMoreChanged(false);
        // A failed later page keeps the rows already shown; the error is still reported.
        setStatus(Error);
    });
}

void GroupTableModel::search(const QString &nameContains)
{
    m_text = nameContains.trimmed();
    if (!m_search)
        return;
    beginResetModel();
    m_groups.clear();
    endResetModel();
    setStatus(Loading);
    m_search->start(m_text);
}

void GroupTableModel::retry()
{
    if (!m_search)
        return;
    if (!m_groups.isEmpty() && m_search->hasMore()) {
        setStatus(Ready);
        fetchMore({});
        return;
    }
    search(m_text);
}

bool GroupTableModel::isLoadingMore() const
{
    return m_search && m_search->isLoading() && !m_groups.isEmpty();
}

int GroupTableModel::total() const
{
    return m_search ? m_search->total() : -1;
}

const fhir::Group *GroupTableModel::group(int row) const
{
    return row >= 0 && row < m_groups.size() ? &m_groups[row] : nullptr;
}

int GroupTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_groups.size());
}

int GroupTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant GroupTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const fhir::Group &g = m_groups[index.row()];
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case Name:
            return g.name.isEmpty() ? tr("(no name)") : g.name;
        case Type:
            return g.type;
        case Actual:
            return yesNo(g.actual);
        case Members:
            if (g.quantity)
                return QString::number(*g.quantity);
            return g.memberReferences.isEmpty() ? QString() : QString::number(g.memberCount());
        case Active:
            return yesNo(g.active);
        case Id:
            return g.id;
        }
    }
    if (role == Qt::TextAlignmentRole && index.column() == Members)
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ToolTipRole && index.column() == Name)
        return g.name;
    if (role == Qt::UserRole)
        return g.id;
    return {};
}

QVariant GroupTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Name:
        return tr("Name");
    case Type:
        return tr("Type");
    case Actual:
        return tr("Actual");
    case Members:
        return tr("Members");
    case Active:
        return tr("Active");
    case Id:
        return tr("Id");
    }
    return {};
}

bool GroupTableModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && m_search && m_status == Ready && m_search->hasMore() &&
           !m_search->isLoading();
}

void GroupTableModel::fetchMore(const QModelIndex &parent)
{
    if (!canFetchMore(parent))
        return;
    m_search->fetchMore();
    emit loadingMoreChanged(true);
}

void GroupTableModel::setStatus(Status status)
{
    if (m_status == status)
        return;
    m_status = status;
    emit statusChanged(status);
}

} // namespace cohort::ui
