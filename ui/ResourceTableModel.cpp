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
    m_filtered = false;
    m_lines.clear();
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

void ResourceTableModel::setFiltered(bool filtered)
{
    beginResetModel();
    m_filtered = filtered;
    m_lines.clear();
    m_cache.clear();
    m_rows = filtered || !m_index ? 0 : int(qMin<qint64>(m_index->lineCount(), std::numeric_limits<int>::max()));
    endResetModel();
}

void ResourceTableModel::appendMatches(const std::vector<qint64> &lines)
{
    if (!m_filtered || lines.empty())
        return;
    const qint64 room = std::numeric_limits<int>::max() - qint64(m_rows);
    const int add = int(qMin<qint64>(qint64(lines.size()), room));
    if (add <= 0)
        return;
    beginInsertRows({}, m_rows, m_rows + add - 1);
    m_lines.insert(m_lines.end(), lines.begin(), lines.begin() + add);
    m_rows += add;
    endInsertRows();
}

qint64 ResourceTableModel::lineOf(int row) const
{
    if (row < 0 || row >= m_rows)
        return -1;
    return m_filtered ? m_lines[size_t(row)] : row;
}

QString ResourceTableModel::csvHeader()
{
    return QStringLiteral("line,resourceType,id,lastUpdated,patient,code,status,date,value\r\n");
}

QString ResourceTableModel::csvRow(qint64 line, const review::ResourceSummary &s)
{
    auto quote = [](const QString &v) {
        if (!v.contains(QLatin1Char(',')) && !v.contains(QLatin1Char('"')) &&
            !v.contains(QLatin1Char('\n')) && !v.contains(QLatin1Char('\r')))
            return v;
        QString q = v;
        q.replace(QLatin1String("\""), QLatin1String("\"\""));
        return QLatin1Char('"') + q + QLatin1Char('"');
    };
    const QStringList fields{QString::number(line + 1), s.resourceType, s.id, s.lastUpdated,
                             s.subject, s.code, s.status, s.date, s.value};
    QStringList quoted;
    for (const QString &f : fields)
        quoted << quote(f);
    return quoted.join(QLatin1Char(',')) + QStringLiteral("\r\n");
}

void ResourceTableModel::grow(qint64 lines)
{
    if (m_filtered)
        return;
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
    const qint64 line = lineOf(row);
    return m_index && line >= 0 ? m_index->readLine(line) : QByteArray();
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
            return QLocale().toString(lineOf(row) + 1);
        case Type: {
            const quint8 id = m_index->typeIdOf(lineOf(row));
            if (id == review::NdjsonIndex::EmptyLine)
                return tr("(empty line)");
            if (id == review::NdjsonIndex::NotAResource)
                return tr("(not a resource)");
            return m_index->typeOf(lineOf(row));
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
