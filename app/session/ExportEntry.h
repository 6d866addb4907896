#pragma once

#include "export/ExportJob.h"

#include <QObject>
#include <QPointer>
#include <QStringList>
#include <memory>

namespace cohort::fhir {
class FhirClient;
}

namespace cohort::session {

class ExportManager;

// One row of the exports list: an export folder with its journal, and the job working on it
// when it runs in this process (after a restart an unfinished one is resumed).
class ExportEntry : public QObject
{
    Q_OBJECT
public:
    struct FileProgress
    {
        qint64 received = 0;
        qint64 total = -1;
    };

    ExportEntry(ExportManager *manager, QString folder, bulk::ExportJournal journal);
    ~ExportEntry() override;

    QString folder() const { return m_folder; }
    const bulk::ExportJournal &journal() const;
    bulk::ExportState state() const;
    bulk::ExportJob::Progress progress() const;
    bool isRunning() const;   // a job of this process is working on it
    bool isConnecting() const { return m_connecting; }
    QString problem() const { return m_problem; } // why it could not start or resume
    QStringList log() const { return m_log; }
    FileProgress fileProgress(int index) const { return m_files.value(index); }

    bool canCancel() const;
    bool canCheckNow() const;
    bool canRetry() const;
    bool canRemove() const { return !isRunning() && !m_connecting; }

    void cancel();
    void checkNow();

signals:
    void changed();
    void fileChanged(int index);
    void logAppended(const QString &line);
    void finished(cohort::bulk::ExportState state);

private:
    friend class ExportManager;
    void attach(std::unique_ptr<fhir::FhirClient> client, bulk::ExportJob *job);
    void setConnecting(bool connecting);
    void setProblem(const QString &problem);
    void appendLog(const QString &line);

    ExportManager *m_manager;
    QString m_folder;
    bulk::ExportJournal m_journal; // as loaded; the job's once attached
    std::unique_ptr<fhir::FhirClient> m_client;
    QPointer<bulk::ExportJob> m_job;
    bool m_connecting = false;
    QString m_problem;
    QStringList m_log;
    QList<FileProgress> m_files;
};

} // namespace cohort::session
