#pragma once

#include "export/ExportJob.h"

#include <QList>
#include <QObject>

class QSettings;

namespace cohort::session {

class ExportEntry;
class ServerSession;

// Preferences that shape new and resumed exports (the Settings dialog).
struct ExportDefaults
{
    QString folder;                 // where new export folders go
    int parallelDownloads = 4;      // when the profile does not say
    int pollCapSeconds = 60;
    bool deleteOnServerAfterDownload = false;

    static ExportDefaults load(QSettings *settings);
    void save(QSettings *settings) const;
    static QString standardFolder(); // Documents/Cohort Export
};

// Every export the user started in this and earlier runs (folders remembered in settings, their
// journals read back), and the jobs of this process. Unfinished ones are resumed on request.
class ExportManager : public QObject
{
    Q_OBJECT
public:
    ExportManager(ServerSession *session, QSettings *settings, QObject *parent = nullptr);
    ~ExportManager() override;

    ServerSession *session() const { return m_session; }
    ExportDefaults defaults() const { return m_defaults; }
    void setDefaults(const ExportDefaults &defaults);

    const QList<ExportEntry *> &entries() const { return m_entries; }
    int indexOf(const ExportEntry *entry) const;
    ExportEntry *entryForFolder(const QString &folder) const;

    // Reads the remembered folders' journals (a folder that is gone is forgotten).
    void load();
    // Resumes every entry whose journal is not final.
    void resumeUnfinished();
    bool hasRunning() const;

    // A new folder for an export of label: <defaults.folder or profile folder>/<label>/<date-time>,
    // never one that exists.
    QString suggestFolder(const QString &label, const QString &profileFolder) const;

    // Starts an export with the current profile of the session. The request must validate;
    // folder must not hold an export. nullptr + error otherwise.
    ExportEntry *startExport(const bulk::ExportRequest &request, const QString &folder,
                             const QString &label, QString *error);
    // Failed/cancelled/unfinished: downloads what is missing when the manifest is known, else
    // starts the same request again in a new folder (a new entry).
    ExportEntry *retry(ExportEntry *entry);
    void resume(ExportEntry *entry);
    void remove(ExportEntry *entry); // from the list; the files stay
    // An export folder from elsewhere (File → Add), or nullptr + error when it holds none.
    ExportEntry *addExisting(const QString &folder, QString *error);

    // The transactionTime of the last complete export of groupId from profileId, if any.
    QDateTime lastTransactionTime(const QString &profileId, const QString &groupId) const;

    bulk::ExportJobOptions jobOptions(int profileParallel) const;

signals:
    void entryAboutToBeAdded(int index);
    void entryAdded(int index);
    void entryAboutToBeRemoved(int index);
    void entryRemoved();
    void entryChanged(int index);
    void exportFinished(cohort::session::ExportEntry *entry, cohort::bulk::ExportState state);

private:
    ExportEntry *addEntry(const QString &folder, const bulk::ExportJournal &journal);
    void saveFolders();
    void launch(ExportEntry *entry, const bulk::ExportRequest &request, const QString &label,
                const QString &profileId);

    ServerSession *m_session;
    QSettings *m_settings;
    ExportDefaults m_defaults;
    QList<ExportEntry *> m_entries;
};

} // namespace cohort::session
