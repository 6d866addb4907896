#pragma once

#include <QStyledItemDelegate>

namespace cohort::ui {

// Draws a native progress bar in cells whose ProgressVisibleRole is true (ExportListModel,
// FileListModel); a value of -1 draws the busy (indeterminate) bar.
class ProgressDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
};

} // namespace cohort::ui
