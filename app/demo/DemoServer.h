#pragma once

#include "DemoServerOptions.h"

#include <QDateTime>
#include <QHash>
#include <QObject>
#include <QUrl>
#include <memory>

namespace cohort::demo {

class SyntheticCohort;
struct DemoExportJob;
struct HttpRequest;
struct HttpResponse;
struct OutputFile;

// A FHIR R4 Bulk Data Access server on 127.0.0.1 over a synthetic cohort: the app's default
// server for new users and the real peer of the integration tests. Single-threaded (it lives
// in the thread that created it); file generation runs on the global thread pool.
class DemoServer : public QObject
{
    Q_OBJECT
public:
    explicit DemoServer(DemoServerOptions options = {}, QObject *parent = nullptr);
    ~DemoServer() override;

    bool start(QString *error = nullptr);
    bool isRunning() const;
    QUrl baseUrl() const;         // e.g. http://127.0.0.1:8080/fhir
    QUrl secondOriginUrl() const; // the other loopback origin used by some faults
    QUrl tokenUrl() const;

    const DemoServerOptions &options() const;
    const SyntheticCohort &cohort() const;
    void setFault(Fault fault, bool enabled);

    struct LoggedRequest
    {
        QByteArray method;
        QString path;
        int status = 0;
        bool hadAuthorization = false;
        bool secondOrigin = false;
    };
    QList<LoggedRequest> requestLog() const;
    int secondOriginRequests() const;
    int secondOriginRequestsWithAuthorization() const;
    int tokensIssued() const;
    // How often a fault changed an answer (for modes such as slow-files: answers affected).
    int faultsStruck(Fault fault) const;

signals:
    void requestHandled(const QString &method, const QString &path, int status);

private:
    class Listener;

    void handle(const HttpRequest &request, bool secondOrigin);
    void respond(const HttpRequest &request, const HttpResponse &response, bool secondOrigin);
    bool strike(Fault fault, const QString &target);
    bool authorize(const HttpRequest &request, QString *why) const;

    HttpResponse capabilityStatement() const;
    HttpResponse smartConfiguration() const;
    HttpResponse tokenEndpoint(const HttpRequest &request);
    HttpResponse searchGroups(const HttpRequest &request) const;
    void kickOff(const HttpRequest &request, int level, const QString &groupId);
    void status(const HttpRequest &request, const QString &jobId);
    void serveFile(const HttpRequest &request, const QString &fileId, bool secondOrigin);
    void writeFileBody(const HttpRequest &request, const OutputFile &file, bool secondOrigin);
    QByteArray manifestJson(const DemoExportJob &job, int page) const;
    void registerFiles(DemoExportJob &job);
    QUrl fileUrl(const QString &fileId, int version) const;

    DemoServerOptions m_options;
    std::unique_ptr<SyntheticCohort> m_cohort;
    Listener *m_main = nullptr;
    Listener *m_second = nullptr;
    quint16 m_port = 0;
    quint16 m_secondPort = 0;

    QHash<QString, std::shared_ptr<DemoExportJob>> m_jobs;
    struct FileRef
    {
        std::shared_ptr<DemoExportJob> job;
        qsizetype index = 0;
    };
    QHash<QString, FileRef> m_files;
    QHash<QString, QByteArray> m_gzipCache;

    QHash<QByteArray, QDateTime> m_tokens; // access token -> expiry
    QHash<QString, qint64> m_seenJti;      // jti -> exp, to refuse replays
    QHash<QString, int> m_strikes;         // "fault|target" -> times struck
    QHash<int, int> m_struckByFault;
    QList<LoggedRequest> m_log;
    int m_secondOriginRequests = 0;
    int m_secondOriginAuthorized = 0;
    int m_tokensIssued = 0;
};

} // namespace cohort::demo
