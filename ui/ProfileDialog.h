#pragma once

#include "auth/ServerProfile.h"

#include <QDialog>
#include <optional>

class QComboBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;

namespace cohort::session {
class ConnectionTest;
class ServerSession;
} // namespace cohort::session

namespace cohort::ui {

// "Manage profiles…": the server profiles with every field of the auth layer. Secrets go to the
// keychain on Save and are never shown back; "Test connection" uses the values as typed.
class ProfileDialog : public QDialog
{
    Q_OBJECT
public:
    explicit ProfileDialog(session::ServerSession *session, QWidget *parent = nullptr);

    void selectProfile(const QString &id);
    QString currentProfileId() const { return m_currentId; }

    // For tests.
    QLineEdit *nameEdit() const { return m_name; }
    QLineEdit *urlEdit() const { return m_url; }
    QComboBox *authCombo() const { return m_auth; }
    QLineEdit *secretEdit() const { return m_secret; }
    QPushButton *saveButton() const { return m_save; }
    QPushButton *testButton() const { return m_test; }
    QPlainTextEdit *testOutput() const { return m_testOutput; }
    bool save(); // false after showing why

private:
    void reload(const QString &selectId);
    void load(const std::optional<auth::ServerProfile> &profile);
    std::optional<auth::ServerProfile> fromForm(QString *error) const;
    void updateAuthRows();
    void setDirty(bool dirty);
    void newProfile();
    void removeProfile();
    void importProfiles();
    void exportProfiles();
    void testConnection();
    void generateKey();
    void loadKeyFile();
    void showPublicKey(const QByteArray &privateKey);
    bool confirmDiscard();
    void done(int result) override;

    session::ServerSession *m_session;
    session::ConnectionTest *m_tester;
    QString m_currentId;
    bool m_builtIn = false;
    bool m_dirty = false;
    bool m_loading = false;
    QByteArray m_newSecret; // typed or generated, not yet saved to the keychain
    QByteArray m_caPem;

    QListWidget *m_list;
    QPushButton *m_remove;
    QFormLayout *m_form;
    QLineEdit *m_name;
    QLineEdit *m_environment;
    QLineEdit *m_url;
    QComboBox *m_auth;
    QLineEdit *m_secret;
    QLineEdit *m_clientId;
    QLineEdit *m_scopes;
    QLineEdit *m_keyId;
    QComboBox *m_algorithm;
    QLineEdit *m_tokenUrl;
    QWidget *m_keyRow;
    QLabel *m_keyState;
    QPlainTextEdit *m_jwks;
    QLabel *m_caState;
    QSpinBox *m_parallel;
    QLineEdit *m_folder;
    QPushButton *m_test;
    QPushButton *m_save;
    QPlainTextEdit *m_testOutput;
};

} // namespace cohort::ui
