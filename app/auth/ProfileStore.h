#pragma once

#include "auth/ServerProfile.h"

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QStringList>
#include <QUrl>

#include <optional>

class QSettings;

namespace cohort::auth {

// The user's server profiles, kept in QSettings (no secrets: those are in the keychain, see
// CredentialStore). The built-in demo server profile is synthesized rather than stored: it is
// always first, cannot be removed or renamed, and only its preferences (parallel downloads,
// output folder) are saved.
class ProfileStore : public QObject
{
    Q_OBJECT
public:
    // Version of the export file format ({"cohortExportProfiles": 1, "profiles": [...]}).
    static constexpr int kExportFormatVersion = 1;

    // settings is not owned; tests pass a QSettings on a temporary INI file.
    explicit ProfileStore(QSettings *settings, QObject *parent = nullptr);

    // Not translated: profile names are also what scripts pass to `cohort-export profile`.
    static QString demoName();

    // The demo profile first, then the user's profiles sorted by name (case-insensitively).
    QList<ServerProfile> profiles() const;
    std::optional<ServerProfile> profile(const QString &id) const;
    // Case-insensitive, ignoring surrounding spaces.
    std::optional<ServerProfile> profileByName(const QString &name) const;

    // The app starts the demo server at run time and reports its address here.
    void setDemoBaseUrl(const QUrl &url);
    QUrl demoBaseUrl() const;

    // Inserts or updates by id. Names are unique (case-insensitively). For the demo profile only
    // the preferences are stored, and renaming it is refused.
    bool save(const ServerProfile &profile, QString *error = nullptr);
    // Refuses the demo profile. Secrets in the keychain are the caller's to remove.
    bool remove(const QString &id, QString *error = nullptr);

    // The given user profiles (all of them when ids is empty; the demo profile and unknown ids
    // are skipped) as an indented JSON document. Never contains secrets.
    QByteArray exportJson(const QStringList &ids = {}) const;
    // Validates the whole file first and imports nothing when any profile is invalid. Clashing
    // ids get new ones; taken names get " (2)", " (3)", ... Returns the profiles as stored; on
    // failure returns an empty list and sets *error (an empty file clears *error).
    QList<ServerProfile> importJson(const QByteArray &json, QString *error = nullptr);

signals:
    void profilesChanged();

private:
    ServerProfile demoProfile() const;
    QList<ServerProfile> userProfiles() const;
    bool isNameTaken(const QString &name, const QString &exceptId) const;
    void writeProfile(const ServerProfile &profile);
    bool sync(QString *error);

    QSettings *m_settings;
    QUrl m_demoBaseUrl;
};

} // namespace cohort::auth
