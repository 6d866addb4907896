#pragma once

#include "review/NdjsonIndex.h"
#include "review/ResourceSummary.h"

#include <QAbstractTableModel>
#include <QCache>
#include <QPointer>
#include <vector>

namespace cohort::ui {

// A virtual table over one NDJSON file's line index: rows appear as the index grows, and only
// the rows a view asks for are read and parsed (a small cache keeps scrolling smooth).
class ResourceTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        Line,
        Type,
        Id,
        LastUpdated,
        Subject,
        Code,
        Status,
        Date,
        Value,
        ColumnCount
    };

    explicit ResourceTableModel(QObject *parent = nullptr);

    void setIndex(review::NdjsonIndex *index); // not owned; nullptr: empty
    review::NdjsonIndex *ndjsonIndex() const { return m_index; }
    QByteArray rawLine(int row) const;
    qint64 lineOf(int row) const; // 0-based line of the file shown in row

    // Filtered mode: only the lines given by appendMatches() are rows.
    void setFiltered(bool filtered);
    bool isFiltered() const { return m_filtered; }
    void appendMatches(const std::vector<qint64> &lines);

    // The CSV header and one row per given line, for "Export table as CSV".
    static QString csvHeader();
    static QString csvRow(qint64 line, const review::ResourceSummary &s);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    void grow(qint64 lines);
    const review::ResourceSummary *summary(int row) const;

    QPointer<review::NdjsonIndex> m_index;
    int m_rows = 0;
    bool m_filtered = false;
    std::vector<qint64> m_lines; // filtered mode: row -> line
    mutable QCache<int, review::ResourceSummary> m_cache{1024};
};

} // namespace cohort::ui
