#include "ExportEntry.h"

#include "fhir/FhirClient.h"

#include <QDir>
#include <QFile>

namespace cohort::session {

using bulk::ExportState;

namespace {

constexpr int kMaxLogLines = 2000;

// The tail of export.log: what happened before this process took the export on.
QStringList readLogTail(const QString &folder)
{
    QFile file(QDir(folder).filePath(QStringLiteral("export.log")));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    constexpr qint64 kTail = 64 * 1024;
    if (file.size() > kTail)
        file.seek(file.size() - kTail);
    QStringList lines = QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    if (file.size() > kTail && !lines.isEmpty())
        lines.removeFirst(); // cut mid-line
    return lines;
}

} // namespace

ExportEntry::ExportEntry(ExportManager *manager, QString folder, bulk::ExportJournal journal)
    : m_manager(manager)
    , m_folder(std::move(folder))
    , m_journal(std::move(journal))
    , m_log(readLogTail(m_folder))
{
    m_files.resize(m_journal.files.size());
}

ExportEntry::~ExportEntry()
{
    // The job goes before the client it uses.
    delete m_job;
}

const bulk::ExportJournal &ExportEntry::journal() const
{
    return m_job ? m_job->journal() : m_journal;
}

ExportState ExportEntry::state() const
{
    return journal().state;
}

bulk::ExportJob::Progress ExportEntry::progress() const
{
    if (m_job)
        return m_job->progress();
    bulk::ExportJob::Progress p;
    p.state = m_journal.state;
    p.filesTotal = int(m_journal.files.size());
    for (const auto &f : m_journal.files) {
        if (f.status == bulk::ExportJournal::File::Status::Done)
            ++p.filesDone;
        else if (f.status == bulk::ExportJournal::File::Status::Failed)
            ++p.filesFailed;
    }
    return p;
}

bool ExportEntry::isRunning() const
{
    return m_job && !bulk::isFinal(m_job->state());
}

bool ExportEntry::canCancel() const
{
    return isRunning();
}

bool ExportEntry::canCheckNow() const
{
    return isRunning() && m_job->state() == ExportState::Polling;
}

bool ExportEntry::canRetry() const
{
    if (isRunning() || m_connecting)
        return false;
    const ExportState s = state();
    return s == ExportState::Failed || s == ExportState::Cancelled ||
           s == ExportState::PartiallyCompleted || !bulk::isFinal(s);
}

void ExportEntry::cancel()
{
    if (m_job)
        m_job->cancel();
}

void ExportEntry::checkNow()
{
    if (m_job)
        m_job->checkNow();
}

void ExportEntry::attach(std::unique_ptr<fhir::FhirClient> client, bulk::ExportJob *job)
{
    delete m_job;
    m_client = std::move(client);
    m_job = job;
    m_problem.clear();
    m_connecting = false;
    m_files = QList<FileProgress>(job->journal().files.size());
    connect(job, &bulk::ExportJob::logMessage, this, &ExportEntry::appendLog);
    connect(job, &bulk::ExportJob::stateChanged, this, [this] {
        if (m_files.size() != m_job->journal().files.size())
            m_files.resize(m_job->journal().files.size());
        m_journal = m_job->journal();
        emit changed();
    });
    connect(job, &bulk::ExportJob::progressChanged, this, &ExportEntry::changed);
    connect(job, &bulk::ExportJob::fileProgress, this,
            [this](int index, qint64 received, qint64 total) {
                if (index < 0)
                    return;
                if (index >= m_files.size())
                    m_files.resize(index + 1);
                m_files[index] = {received, total};
                emit fileChanged(index);
            });
    connect(job, &bulk::ExportJob::fileFinished, this,
            [this](int index, const bulk::FileResult &result) {
                if (index >= 0 && index < m_files.size())
                    m_files[index] = {result.bytes, result.bytes};
                emit fileChanged(index);
            });
    connect(job, &bulk::ExportJob::finished, this, [this](ExportState state) {
        m_journal = m_job->journal();
        emit changed();
        emit finished(state);
    });
    emit changed();
}

void ExportEntry::setConnecting(bool connecting)
{
    m_connecting = connecting;
    emit changed();
}

void ExportEntry::setProblem(const QString &problem)
{
    m_problem = problem;
    m_connecting = false;
    if (!problem.isEmpty())
        appendLog(problem);
    emit changed();
}

void ExportEntry::appendLog(const QString &line)
{
    m_log.append(line);
    if (m_log.size() > kMaxLogLines)
        m_log.erase(m_log.begin(), m_log.begin() + (m_log.size() - kMaxLogLines));
    emit logAppended(line);
}

} // namespace cohort::session
