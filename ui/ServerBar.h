#pragma once

#include <QWidget>

class QComboBox;
class QLabel;
class QPushButton;
class QToolButton;

namespace cohort::session {
class ServerSession;
}

namespace cohort::ui {

// The strip at the top of the main window: which server profile, whether it is connected, and
// what the server is (from its CapabilityStatement).
class ServerBar : public QWidget
{
    Q_OBJECT
public:
    explicit ServerBar(session::ServerSession *session, QWidget *parent = nullptr);

    QComboBox *profileCombo() const { return m_profiles; }
    QString currentProfileId() const;
    void selectProfile(const QString &id); // connects to it

signals:
    void manageProfilesRequested();
    void detailsRequested();

private:
    void reloadProfiles();
    void updateState();

    session::ServerSession *m_session;
    QComboBox *m_profiles;
    QLabel *m_state;
    QLabel *m_info;
    QToolButton *m_reconnect;
    QPushButton *m_details;
    QPushButton *m_manage;
    bool m_reloading = false;
};

} // namespace cohort::ui
