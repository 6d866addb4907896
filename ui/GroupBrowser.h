#pragma once

#include "fhir/Group.h"

#include <QWidget>
#include <optional>

class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QStackedWidget;
class QTableView;
class QTimer;

namespace cohort::session {
class GroupDetailsLoader;
class ServerSession;
} // namespace cohort::session

namespace cohort::ui {

class GroupTableModel;

// The Groups of the connected server: a searchable table filled page by page, with a details
// pane for the selected one.
class GroupBrowser : public QWidget
{
    Q_OBJECT
public:
    explicit GroupBrowser(session::ServerSession *session, QWidget *parent = nullptr);

    GroupTableModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    QLineEdit *searchField() const { return m_search; }
    std::optional<fhir::Group> selectedGroup() const; // with members once its details arrived

signals:
    void selectionChanged();

private:
    void onSessionState();
    void updateStatus();
    void onCurrentChanged();
    void showDetails(const fhir::Group &group);

    session::ServerSession *m_session;
    GroupTableModel *m_model;
    session::GroupDetailsLoader *m_loader;
    QLineEdit *m_search;
    QTimer *m_debounce;
    QStackedWidget *m_stack;
    QTableView *m_table;
    QLabel *m_message;
    QPushButton *m_retry;
    QLabel *m_footer;
    QPushButton *m_more;
    QLabel *m_detailTitle;
    QLabel *m_detailText;
    QListWidget *m_members;
    QPushButton *m_copyId;
    std::optional<fhir::Group> m_details;
};

} // namespace cohort::ui
