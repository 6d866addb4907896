#include "ResourceTableModel.h"

#include "review/NdjsonIndex.h"

#include <QLocale>

namespace cohort::ui {

ResourceTableModel::ResourceTableModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void ResourceTableModel::setIndex(review::NdjsonIndex *index)
{
    beginResetModel();
    if (m_index)
        m_index->disconnect(this);
    m_index = index;
    m_rows = 0;
    m_cache.clear();
    endResetModel();
    if (!index)
        return;
    connect(index, &review::NdjsonIndex::linesAvailable, this, &ResourceTableModel::grow);
    connect(index, &review::NdjsonIndex::finished, this, [this] {
        if (m_index)
            grow(m_index->lineCount());
    });
    grow(index->lineCount());
}

void ResourceTableModel::grow(qint64 lines)
{
    // A view's rows are ints: beyond 2^31-1 lines the rest is reachable through the index only.
    const int rows = int(qMin<qint64>(lines, std::numeric_limits<int>::max()));
    if (rows <= m_rows)
        return;
    beginInsertRows({}, m_rows, rows - 1);
    m_rows = rows;
    endInsertRows();
}

QByteArray ResourceTableModel::rawLine(int row) const
{
    return m_index && row >= 0 && row < m_rows ? m_index->readLine(row) : QByteArray();
}

const review::ResourceSummary *ResourceTableModel::summary(int row) const
{
    if (auto *cached = m_cache.object(row))
        return cached;
    auto *s = new review::ResourceSummary(review::ResourceSummary::of(rawLine(row)));
    m_cache.insert(row, s);
    return s;
}

int ResourceTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_rows;
}

int ResourceTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ResourceTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid) ||
        !m_index)
        return {};
    const int row = index.row();
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case Line:
            return QLocale().toString(row + 1);
        case Type: {
            const quint8 id = m_index->typeIdOf(row);
            if (id == review::NdjsonIndex::EmptyLine)
                return tr("(empty line)");
            if (id == review::NdjsonIndex::NotAResource)
                return tr("(not a resource)");
            return m_index->typeOf(row);
        }
        default:
            break;
        }
        const review::ResourceSummary *s = summary(row);
        switch (index.column()) {
        case Id:
            return s->id;
        case LastUpdated:
            return s->lastUpdated;
        case Subject:
            return s->subject;
        case Code:
            return s->code;
        case Status:
            return s->status;
        case Date:
            return s->date;
        case Value:
            return s->value;
        }
    }
    if (role == Qt::TextAlignmentRole && index.column() == Line)
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QVariant ResourceTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Line:
        return tr("Line");
    case Type:
        return tr("Type");
    case Id:
        return tr("Id");
    case LastUpdated:
        return tr("Last updated");
    case Subject:
        return tr("Patient");
    case Code:
        return tr("Code");
    case Status:
        return tr("Status");
    case Date:
        return tr("Date");
    case Value:
        return tr("Value");
    }
    return {};
}

} // namespace cohort::ui
