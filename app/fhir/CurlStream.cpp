// The libcurl transport of FhirClient::stream(). Why it exists: over TLS, Qt 6.4's HTTP stack
// copies each TLS record (<= 16 KB) through its socket buffer, its HTTP thread and a queued
// signal, and spent about twice curl's CPU per byte (four times its user time), too slow for
// plain HTTPS downloads on two cores; the bulk of an export is file bodies.
//
// Shape: one worker thread per FhirClient runs curl's multi interface for all of its streams.
// It stages what curl delivers in 1 MiB batches and hands them to the stream's thread under a
// mutex, with at most one notification queued at a time, so the consumer gets one readyRead()
// per batch (or per network round when data trickles), not one per TLS record. A bounded
// buffer gives back-pressure: above kHighWaterBytes the next write pauses the transfer
// (CURL_WRITEFUNC_PAUSE), and read() asks the worker to resume it once the consumer has
// drained it to kLowWaterBytes. HTTP/1.1 only, so that pausing one transfer stops its socket
// (TCP flow control) instead of curl buffering a multiplexed HTTP/2 stream without bound.
//
// Everything protocol-level (tokens, which headers go where, redirects, 401, the final
// response, error texts) is StreamBase's, shared with the Qt transport; curl only carries one
// hop at a time: no CURLOPT_FOLLOWLOCATION, no content decoding (the app inflates gzip itself).

#include "CurlStream.h"

#include <QMetaObject>
#include <QSslError>

#include <curl/curl.h>
#include <openssl/opensslv.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#ifdef Q_OS_LINUX
#include <pthread.h>
#endif

namespace cohort::fhir::detail {

using namespace Qt::StringLiterals;

namespace {

// What the worker stages before handing it over (less when the network pauses): large enough
// that the per-batch costs (a lock, a queued event, a file write call) vanish next to the bytes.
constexpr qsizetype kBatchBytes = 1024 * 1024;
// Buffered for the consumer per transfer: above it curl is paused; resumed at the low mark.
constexpr qint64 kHighWaterBytes = 4 * 1024 * 1024;
constexpr qint64 kLowWaterBytes = 1024 * 1024;
// curl's receive buffer (its default is 16 KiB): fewer recv() calls and write callbacks.
constexpr long kReceiveBufferBytes = 256 * 1024;
constexpr std::size_t kSpareBatches = 2;
constexpr int kIdleWaitMs = 60 * 1000;
// CURLINFO_OS_ERRNO of a refused connection: Winsock's code on Windows, errno elsewhere.
#ifdef Q_OS_WIN
constexpr long kConnectionRefused = WSAECONNREFUSED;
#else
constexpr long kConnectionRefused = ECONNREFUSED;
#endif

qint64 nowMs()
{
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

// What certificate verification found, filled in on the worker thread by OpenSSL's verify
// callback (kept alive by the SSL_CTX too, since a connection can outlive its first hop).
struct TlsReport
{
    int error = 0; // X509_V_ERR_*, the first failure
    QString errorText;
    QString subject; // of the certificate that failed
    QString issuer;
    QString leafSubject; // of the server's certificate, once seen
    QString leafIssuer;
};

// As QSslCertificate::subjectDisplayName(): the common name, else organisation or unit.
QString displayName(const X509_NAME *name)
{
    if (!name)
        return {};
    for (const int nid : {NID_commonName, NID_organizationName, NID_organizationalUnitName}) {
        const int index = X509_NAME_get_index_by_NID(name, nid, -1);
        if (index < 0)
            continue;
        const ASN1_STRING *data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
        unsigned char *utf8 = nullptr;
        const int length = ASN1_STRING_to_UTF8(&utf8, data);
        if (length < 0)
            continue;
        const QString text = QString::fromUtf8(reinterpret_cast<const char *>(utf8), length);
        OPENSSL_free(utf8);
        if (!text.isEmpty())
            return text;
    }
    char line[256] = {};
    X509_NAME_oneline(name, line, sizeof line);
    return QString::fromUtf8(line);
}

void freeTlsReportSlot(void *, void *slot, CRYPTO_EX_DATA *, int, long, void *)
{
    delete static_cast<std::shared_ptr<TlsReport> *>(slot);
}

int tlsReportIndex()
{
    static const int index =
        SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, freeTlsReportSlot);
    return index;
}

int verifyPeer(int ok, X509_STORE_CTX *store)
{
    const auto *ssl = static_cast<const SSL *>(
        X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
    const auto *slot = ssl ? static_cast<std::shared_ptr<TlsReport> *>(
                                 SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), tlsReportIndex()))
                           : nullptr;
    if (!slot || !*slot)
        return ok;
    TlsReport &report = **slot;
    X509 *certificate = X509_STORE_CTX_get_current_cert(store);
    if (certificate && X509_STORE_CTX_get_error_depth(store) == 0 && report.leafSubject.isEmpty()) {
        report.leafSubject = displayName(X509_get_subject_name(certificate));
        report.leafIssuer = displayName(X509_get_issuer_name(certificate));
    }
    if (!ok && report.error == 0) {
        report.error = X509_STORE_CTX_get_error(store);
        report.errorText = QString::fromUtf8(X509_verify_cert_error_string(report.error));
        if (certificate) {
            report.subject = displayName(X509_get_subject_name(certificate));
            report.issuer = displayName(X509_get_issuer_name(certificate));
        }
    }
    return ok; // curl and OpenSSL decide; we only take notes
}

// Qt's words for OpenSSL's verification errors, so both transports say the same.
std::optional<QSslError::SslError> qtSslError(int x509Error)
{
    switch (x509Error) {
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
        return QSslError::UnableToGetIssuerCertificate;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
        return QSslError::UnableToGetLocalIssuerCertificate;
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        return QSslError::UnableToVerifyFirstCertificate;
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
        return QSslError::SelfSignedCertificate;
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
        return QSslError::SelfSignedCertificateInChain;
    case X509_V_ERR_CERT_NOT_YET_VALID:
        return QSslError::CertificateNotYetValid;
    case X509_V_ERR_CERT_HAS_EXPIRED:
        return QSslError::CertificateExpired;
    case X509_V_ERR_CERT_REVOKED:
        return QSslError::CertificateRevoked;
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
        return QSslError::CertificateSignatureFailed;
    case X509_V_ERR_INVALID_CA:
        return QSslError::InvalidCaCertificate;
    case X509_V_ERR_PATH_LENGTH_EXCEEDED:
        return QSslError::PathLengthExceeded;
    case X509_V_ERR_INVALID_PURPOSE:
        return QSslError::InvalidPurpose;
    case X509_V_ERR_CERT_UNTRUSTED:
        return QSslError::CertificateUntrusted;
    case X509_V_ERR_CERT_REJECTED:
        return QSslError::CertificateRejected;
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
        return QSslError::HostNameMismatch;
    default:
        return std::nullopt;
    }
}

bool isTlsFailure(CURLcode code)
{
    switch (code) {
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CLIENTCERT:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_USE_SSL_FAILED:
        return true;
    default:
        return false;
    }
}

} // namespace

// How one hop ended, as the worker saw it.
struct CurlOutcome
{
    CURLcode code = CURLE_OK;
    long osErrno = 0;
    bool timedOut = false; // no bytes for the hop's timeout (our clock, not curl's)
    QString errorText;     // curl's error buffer
    TlsReport tls;
};

class CurlStream;

// One request/response exchange on the worker, and the buffer between it and the stream.
struct CurlHop : std::enable_shared_from_this<CurlHop>
{
    // Set by the stream before the worker sees the hop, read-only afterwards.
    CurlStream *receiver = nullptr;
    QByteArray url;
    QByteArray method;
    QByteArray body;
    HeaderList headers;
    QList<QByteArray> caCertificates; // DER
    int timeoutMs = 0;

    // The worker thread's alone.
    CURL *easy = nullptr;
    curl_slist *headerList = nullptr;
    char errorText[CURL_ERROR_SIZE] = {};
    std::shared_ptr<TlsReport> tls = std::make_shared<TlsReport>();
    int status = 0;
    QList<QNetworkReply::RawHeaderPair> responseHeaders;
    bool headReported = false;
    QByteArray staging;
    qint64 lastActivity = 0;
    curl_off_t uploaded = 0;
    bool stalled = false;    // over the high-water mark: the next write pauses curl
    bool curlPaused = false; // a write answered CURL_WRITEFUNC_PAUSE

    // Shared between the threads, under mutex.
    mutable std::mutex mutex;
    std::deque<QByteArray> queue;
    qsizetype frontOffset = 0;
    qint64 queued = 0;
    std::vector<QByteArray> spares; // read batches, returned for the worker to fill again
    bool alive = true;              // the stream still wants to hear from this hop
    bool notifyPending = false;     // a data notification is queued and not yet handled
    bool wantsResume = false;       // curl was (or is about to be) paused for the consumer

    ~CurlHop() { Q_ASSERT(!easy); }

    // Queues a call of the stream on the stream's thread; the caller holds mutex.
    template<typename Event>
    void post(Event &&event)
    {
        if (alive)
            QMetaObject::invokeMethod(receiver, std::forward<Event>(event), Qt::QueuedConnection);
    }

    qint64 available() const
    {
        std::lock_guard lock(mutex);
        return queued;
    }

    // Consumer side. *resume: the worker should resume the transfer now.
    qint64 read(char *out, qint64 maxSize, bool *resume)
    {
        std::lock_guard lock(mutex);
        qint64 done = 0;
        while (done < maxSize && !queue.empty()) {
            QByteArray &front = queue.front();
            const qint64 n = std::min<qint64>(front.size() - frontOffset, maxSize - done);
            std::memcpy(out + done, front.constData() + frontOffset, std::size_t(n));
            done += n;
            frontOffset += n;
            if (frontOffset == front.size()) {
                if (front.capacity() >= kBatchBytes && spares.size() < kSpareBatches) {
                    front.resize(0); // keeps the allocation
                    spares.push_back(std::move(front));
                }
                queue.pop_front();
                frontOffset = 0;
            }
        }
        queued -= done;
        if (wantsResume && queued <= kLowWaterBytes) {
            wantsResume = false;
            *resume = true;
        }
        return done;
    }

    void detachFromStream()
    {
        std::lock_guard lock(mutex);
        alive = false;
    }

    void notificationHandled()
    {
        std::lock_guard lock(mutex);
        notifyPending = false;
    }

    // Worker side: moves the staged bytes to the consumer's queue and notifies it. False when
    // the queue is over the high-water mark (the next write pauses the transfer).
    bool handOver();
};

// The stream's side: a FhirStream on the thread that created it.
class CurlStream final : public StreamBase
{
public:
    CurlStream(RequestContext context, std::shared_ptr<CurlWorker> worker, const QUrl &url,
               const RequestOptions &options, QObject *parent)
        : StreamBase(std::move(context), url, options, parent)
        , m_worker(std::move(worker))
    {
    }

    ~CurlStream() override { dropHop(); }

    qint64 bytesAvailable() const override
    {
        return m_hop && deliversBody() ? m_hop->available() : 0;
    }

    qint64 read(char *data, qint64 maxSize) override
    {
        if (!m_hop || !deliversBody() || maxSize <= 0)
            return 0;
        bool resume = false;
        const qint64 n = m_hop->read(data, maxSize, &resume);
        m_bytesRead += n;
        if (resume && !m_hopEnded)
            m_worker->resume(m_hop);
        return n;
    }

    // Events from the worker, in the order it posted them.
    void onHead(const std::shared_ptr<CurlHop> &hop, int status,
                const QList<QNetworkReply::RawHeaderPair> &headers)
    {
        if (hop != m_hop || m_done)
            return;
        handleResponseHead(status, headers);
    }

    void onData(const std::shared_ptr<CurlHop> &hop)
    {
        hop->notificationHandled();
        if (hop != m_hop || !m_final || m_done)
            return;
        if (isSuccess(m_status)) {
            emit readyRead();
            if (hop == m_hop && !m_done)
                emit downloadProgress(m_bytesRead + hop->available(), announcedLength());
            return;
        }
        // An error page: keep enough of it to explain, never more.
        readErrorBody();
        if (m_errorBody.size() >= kErrorBodyBytes) {
            logHop(m_status);
            releaseHop();
            finish(FhirError::fromHttpResponse(m_status, m_errorBody, m_url));
        }
    }

    void onEnd(const std::shared_ptr<CurlHop> &hop, const CurlOutcome &outcome)
    {
        if (hop != m_hop || m_done)
            return;
        m_hopEnded = true;
        logHop(m_final ? m_status : 0);

        FhirError error;
        error.url = withoutQuery(m_url);
        const QString truncated = truncation(m_bytesRead + hop->available());
        if (m_final && !isSuccess(m_status)) {
            readErrorBody();
            error = FhirError::fromHttpResponse(m_status, m_errorBody, m_url);
        } else if (outcome.timedOut || outcome.code == CURLE_OPERATION_TIMEDOUT) {
            error.kind = FhirError::Kind::Timeout;
            error.networkError = QNetworkReply::TimeoutError;
            error.detail = FhirClient::tr("No data arrived for %1.").arg(secondsText(timeoutMs()));
        } else if (isTlsFailure(outcome.code)) {
            error.kind = FhirError::Kind::Tls;
            error.networkError = QNetworkReply::SslHandshakeFailedError;
            error.detail = tlsDetail(outcome);
        } else if (outcome.code != CURLE_OK || !m_final) {
            error.kind = FhirError::Kind::Network;
            error.networkError = networkError(outcome);
            error.detail = truncated.isEmpty() ? transportDetail(outcome) : truncated;
            if (!truncated.isEmpty())
                error.networkError = QNetworkReply::RemoteHostClosedError;
        } else if (!truncated.isEmpty()) {
            // curl reports a body shorter than its Content-Length itself (CURLE_PARTIAL_FILE);
            // checked again so the contract does not rest on that.
            error.kind = FhirError::Kind::Network;
            error.networkError = QNetworkReply::RemoteHostClosedError;
            error.detail = truncated;
        }
        finish(error);
    }

protected:
    bool hopActive() const override { return m_hop && !m_hopEnded; }

    void sendHop() override
    {
        auto hop = std::make_shared<CurlHop>();
        hop->receiver = this;
        hop->url = m_url.toEncoded();
        hop->method = m_method;
        hop->body = m_body;
        hop->headers = hopHeaders();
        hop->timeoutMs = timeoutMs();
        if (m_url.scheme() == "https"_L1) {
            for (const QSslCertificate &certificate : std::as_const(m_context.caCertificates))
                hop->caCertificates.append(certificate.toDer());
        }
        m_hop = hop;
        m_hopEnded = false;
        m_worker->add(std::move(hop));
    }

    void dropHop() override
    {
        if (!m_hop)
            return;
        std::shared_ptr<CurlHop> hop = std::move(m_hop);
        m_hop.reset();
        hop->detachFromStream();
        if (!m_hopEnded)
            m_worker->remove(std::move(hop));
    }

    // Ending the transfer closes its connection unless it has already ended by itself, as a
    // redirect's few bytes usually have by the time its head is handled here.
    void releaseHop() override { dropHop(); }

private:
    qint64 announcedLength() const
    {
        bool ok = false;
        const qint64 length = header("Content-Length").trimmed().toLongLong(&ok);
        return ok && length >= 0 ? length : -1;
    }

    void readErrorBody()
    {
        if (!m_hop || m_errorBody.size() >= kErrorBodyBytes)
            return;
        const qsizetype start = m_errorBody.size();
        m_errorBody.resize(kErrorBodyBytes);
        bool resume = false;
        const qint64 n = m_hop->read(m_errorBody.data() + start, kErrorBodyBytes - start, &resume);
        m_errorBody.resize(start + n);
        if (resume && !m_hopEnded)
            m_worker->resume(m_hop);
    }

    // curl's message without the URL (its query can hold capability tokens) or secrets.
    QString curlText(const CurlOutcome &outcome) const
    {
        QString text = outcome.errorText.trimmed();
        if (text.isEmpty())
            text = QString::fromUtf8(curl_easy_strerror(outcome.code));
        text.replace(m_url.toString(), withoutQuery(m_url).toString());
        text.replace(QString::fromLatin1(m_url.toEncoded()), withoutQuery(m_url).toString());
        return redactSecrets(text);
    }

    QString tlsDetail(const CurlOutcome &outcome) const
    {
        const TlsReport &tls = outcome.tls;
        auto withCertificate = [](QString text, const QString &subject, const QString &issuer) {
            if (!subject.isEmpty() || !issuer.isEmpty())
                text += FhirClient::tr(" (certificate %1, issuer %2)").arg(subject, issuer);
            return text;
        };
        if (tls.error != 0) {
            QString text;
            if (const auto qtError = qtSslError(tls.error))
                text = QSslError(*qtError).errorString();
            if (text.isEmpty()) {
                text = tls.errorText;
                if (!text.isEmpty())
                    text[0] = text[0].toUpper();
            }
            return withCertificate(text, tls.subject, tls.issuer);
        }
        if (outcome.code == CURLE_PEER_FAILED_VERIFICATION && !tls.leafSubject.isEmpty()) {
            // The chain was trusted; curl's own check of the name failed.
            return withCertificate(QSslError(QSslError::HostNameMismatch).errorString(),
                                   tls.leafSubject, tls.leafIssuer);
        }
        return curlText(outcome);
    }

    QNetworkReply::NetworkError networkError(const CurlOutcome &outcome) const
    {
        switch (outcome.code) {
        case CURLE_OK:
            return QNetworkReply::ProtocolFailure; // ended without a response
        case CURLE_COULDNT_RESOLVE_HOST:
            return QNetworkReply::HostNotFoundError;
        case CURLE_COULDNT_CONNECT:
            return outcome.osErrno == kConnectionRefused
                       ? QNetworkReply::ConnectionRefusedError
                       : QNetworkReply::TemporaryNetworkFailureError;
        case CURLE_GOT_NOTHING:
        case CURLE_SEND_ERROR:
        case CURLE_RECV_ERROR:
        case CURLE_PARTIAL_FILE:
            return QNetworkReply::RemoteHostClosedError;
        case CURLE_UNSUPPORTED_PROTOCOL:
        case CURLE_WEIRD_SERVER_REPLY:
        case CURLE_HTTP2:
        case CURLE_HTTP2_STREAM:
            return QNetworkReply::ProtocolFailure;
        case CURLE_URL_MALFORMAT:
            return QNetworkReply::ProtocolUnknownError;
        default:
            return QNetworkReply::UnknownNetworkError;
        }
    }

    QString transportDetail(const CurlOutcome &outcome) const
    {
        switch (outcome.code) {
        case CURLE_OK:
            return FhirClient::tr("The server ended the connection without an answer.");
        case CURLE_COULDNT_RESOLVE_HOST:
            return FhirClient::tr("Host %1 not found").arg(m_url.host());
        case CURLE_GOT_NOTHING:
            return FhirClient::tr("The server closed the connection without answering.");
        case CURLE_PARTIAL_FILE:
            return FhirClient::tr("The connection closed before the end of the body.");
        case CURLE_COULDNT_CONNECT:
        case CURLE_SEND_ERROR:
        case CURLE_RECV_ERROR:
            // "Connection refused", "Connection reset by peer": the system's words, as Qt's.
            if (outcome.osErrno != 0)
                return qt_error_string(int(outcome.osErrno));
            return curlText(outcome);
        default:
            return curlText(outcome);
        }
    }

    std::shared_ptr<CurlWorker> m_worker;
    std::shared_ptr<CurlHop> m_hop;
    bool m_hopEnded = false; // the worker is done with m_hop; what it buffered can still be read
};

bool CurlHop::handOver()
{
    if (staging.isEmpty())
        return !stalled;
    std::lock_guard lock(mutex);
    queued += staging.size();
    if (staging.size() < staging.capacity() / 2) {
        // A short batch (the network paused): queue a copy of its size, so the buffer's
        // memory stays within twice what it holds, and fill the batch again.
        queue.emplace_back(staging.constData(), staging.size());
        staging.resize(0);
    } else {
        queue.push_back(std::move(staging));
        staging = QByteArray();
        if (!spares.empty()) {
            staging = std::move(spares.back());
            spares.pop_back();
        }
    }
    if (queued >= kHighWaterBytes) {
        stalled = true;
        wantsResume = true;
    }
    if (!notifyPending && alive) {
        notifyPending = true;
        post([hop = shared_from_this()] { hop->receiver->onData(hop); });
    }
    return !stalled;
}

namespace {

size_t onHeaderLine(char *data, size_t size, size_t count, void *user)
{
    auto *hop = static_cast<CurlHop *>(user);
    const size_t length = size * count;
    hop->lastActivity = nowMs();
    if (hop->headReported)
        return length; // trailers after a chunked body
    QByteArray line(data, qsizetype(length));
    while (line.endsWith('\n') || line.endsWith('\r'))
        line.chop(1);
    if (line.startsWith("HTTP/")) {
        // A new response head: "HTTP/1.1 200 OK" (after 1xx ones, the final one).
        const QList<QByteArray> parts = line.split(' ');
        hop->status = parts.value(1).toInt();
        hop->responseHeaders.clear();
    } else if (line.isEmpty()) {
        if (hop->status >= 200) {
            hop->headReported = true;
            std::lock_guard lock(hop->mutex);
            hop->post([hop = hop->shared_from_this(), status = hop->status,
                       headers = hop->responseHeaders] {
                hop->receiver->onHead(hop, status, headers);
            });
        }
    } else if ((line.front() == ' ' || line.front() == '\t') && !hop->responseHeaders.isEmpty()) {
        hop->responseHeaders.last().second += ' ' + line.trimmed(); // obsolete line folding
    } else if (const qsizetype colon = line.indexOf(':'); colon > 0) {
        hop->responseHeaders.append({line.left(colon).trimmed(), line.mid(colon + 1).trimmed()});
    }
    return length;
}

size_t onBody(char *data, size_t size, size_t count, void *user)
{
    auto *hop = static_cast<CurlHop *>(user);
    const auto length = qsizetype(size * count);
    if (hop->stalled ||
        (!hop->staging.isEmpty() && hop->staging.size() + length > kBatchBytes &&
         !hop->handOver())) {
        // curl keeps these bytes and offers them again after curl_easy_pause(CONT).
        hop->curlPaused = true;
        return CURL_WRITEFUNC_PAUSE;
    }
    if (hop->staging.capacity() < kBatchBytes)
        hop->staging.reserve(kBatchBytes);
    hop->staging.append(data, length);
    hop->lastActivity = nowMs();
    return size_t(length);
}

// Uploads (a POST body) count as activity for the timeout too, as with Qt.
int onProgress(void *user, curl_off_t, curl_off_t, curl_off_t, curl_off_t uploaded)
{
    auto *hop = static_cast<CurlHop *>(user);
    if (uploaded != hop->uploaded) {
        hop->uploaded = uploaded;
        hop->lastActivity = nowMs();
    }
    return 0;
}

// Called by curl for each new TLS connection, after it has set up verification against the
// system's CA store: adds the client's extra CAs to that store and takes notes of what
// verification finds, for an error message that names the certificate.
CURLcode prepareTls(CURL *, void *sslContext, void *user)
{
    auto *hop = static_cast<CurlHop *>(user);
    auto *context = static_cast<SSL_CTX *>(sslContext);
    X509_STORE *store = SSL_CTX_get_cert_store(context);
    for (const QByteArray &der : std::as_const(hop->caCertificates)) {
        const auto *bytes = reinterpret_cast<const unsigned char *>(der.constData());
        X509 *certificate = d2i_X509(nullptr, &bytes, long(der.size()));
        if (!certificate)
            continue; // checked by FhirClient::addTrustedCaCertificates already
        X509_STORE_add_cert(store, certificate); // takes its own reference
        X509_free(certificate);
    }
    delete static_cast<std::shared_ptr<TlsReport> *>(SSL_CTX_get_ex_data(context, tlsReportIndex()));
    SSL_CTX_set_ex_data(context, tlsReportIndex(), new std::shared_ptr<TlsReport>(hop->tls));
    SSL_CTX_set_verify(context, SSL_CTX_get_verify_mode(context), verifyPeer);
    return CURLE_OK;
}

} // namespace

struct CurlWorker::State
{
    struct Command
    {
        enum Kind { Add, Remove, Resume } kind;
        std::shared_ptr<CurlHop> hop;
    };

    CURLM *multi = nullptr;
    std::thread thread;
    std::mutex mutex;
    std::vector<Command> commands;
    bool stopping = false;
    // The worker thread's alone: the hops with an easy handle in the multi handle.
    std::unordered_map<CurlHop *, std::shared_ptr<CurlHop>> running;

    void post(Command command)
    {
        {
            std::lock_guard lock(mutex);
            commands.push_back(std::move(command));
        }
        curl_multi_wakeup(multi);
    }

    void run();
    void start(const std::shared_ptr<CurlHop> &hop);
    void end(CurlHop *hop, CURLcode code, bool timedOut);
    void detach(CurlHop *hop);
    void resume(CurlHop *hop);
};

void CurlWorker::State::run()
{
    std::vector<std::pair<CurlHop *, CURLcode>> ended;
    std::vector<CurlHop *> expired;
    for (;;) {
        std::vector<Command> todo;
        {
            std::lock_guard lock(mutex);
            if (stopping)
                break;
            todo.swap(commands);
        }
        for (Command &command : todo) {
            switch (command.kind) {
            case Command::Add:
                start(command.hop);
                break;
            case Command::Remove:
                detach(command.hop.get());
                break;
            case Command::Resume:
                resume(command.hop.get());
                break;
            }
        }

        int active = 0;
        curl_multi_perform(multi, &active);
        ended.clear();
        int left = 0;
        while (CURLMsg *message = curl_multi_info_read(multi, &left)) {
            if (message->msg != CURLMSG_DONE)
                continue;
            CurlHop *hop = nullptr;
            curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &hop);
            if (hop)
                ended.emplace_back(hop, message->data.result);
        }
        for (const auto &[hop, code] : ended)
            end(hop, code, false);

        // Hand over what this round brought, and enforce "no bytes for timeoutMs".
        const qint64 now = nowMs();
        qint64 wait = kIdleWaitMs;
        expired.clear();
        for (const auto &[raw, hop] : running) {
            hop->handOver();
            if (hop->stalled || hop->curlPaused)
                continue; // waiting for the consumer, not for the server
            const qint64 remaining = hop->lastActivity + hop->timeoutMs - now;
            if (remaining <= 0)
                expired.push_back(raw);
            else
                wait = std::min(wait, remaining);
        }
        for (CurlHop *hop : expired)
            end(hop, CURLE_OPERATION_TIMEDOUT, true);
        long curlWait = -1;
        curl_multi_timeout(multi, &curlWait);
        if (curlWait >= 0)
            wait = std::min<qint64>(wait, curlWait);
        curl_multi_poll(multi, nullptr, 0, int(wait), nullptr);
    }
    while (!running.empty())
        detach(running.begin()->first);
    curl_multi_cleanup(multi);
    multi = nullptr;
}

void CurlWorker::State::start(const std::shared_ptr<CurlHop> &hop)
{
    CURL *easy = curl_easy_init();
    if (!easy) {
        std::lock_guard lock(hop->mutex);
        CurlOutcome outcome;
        outcome.code = CURLE_OUT_OF_MEMORY;
        hop->post([hop, outcome] { hop->receiver->onEnd(hop, outcome); });
        return;
    }
    hop->easy = easy;
    curl_easy_setopt(easy, CURLOPT_URL, hop->url.constData());
#if LIBCURL_VERSION_NUM >= 0x075500 // 7.85
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS, long(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    curl_easy_setopt(easy, CURLOPT_PRIVATE, hop.get());
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, hop->errorText);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L); // threads: no SIGALRM, no signal handlers
    // Like the Qt transport (QNetworkAccessManager without a proxy set): direct connections,
    // not whatever http_proxy the environment holds.
    curl_easy_setopt(easy, CURLOPT_PROXY, "");
    curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, long(CURL_HTTP_VERSION_1_1));
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L); // hops are StreamBase's decision
    curl_easy_setopt(easy, CURLOPT_HTTP_CONTENT_DECODING, 0L); // bodies as sent
    curl_easy_setopt(easy, CURLOPT_BUFFERSIZE, kReceiveBufferBytes);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, onHeaderLine);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, hop.get());
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, onBody);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, hop.get());
    if (hop->url.startsWith("https:")) {
        curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
        curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
        curl_easy_setopt(easy, CURLOPT_SSL_CTX_FUNCTION, prepareTls);
        curl_easy_setopt(easy, CURLOPT_SSL_CTX_DATA, hop.get());
#ifdef Q_OS_WIN
        // OpenSSL on Windows reads no trust store of its own: take the system's (and the
        // enterprise roots an administrator deployed), as Qt's Schannel backend does.
        curl_easy_setopt(easy, CURLOPT_SSL_OPTIONS, long(CURLSSLOPT_NATIVE_CA));
#endif
#if LIBCURL_VERSION_NUM >= 0x075700 // 7.87
        // No CA store shared between connections: curl's cached store would drop the CAs that
        // prepareTls() adds, or carry one profile's CAs to another's connection.
        curl_easy_setopt(easy, CURLOPT_CA_CACHE_TIMEOUT, 0L);
#endif
    }

    const QByteArray &method = hop->method;
    const bool hasBody = !hop->body.isEmpty();
    if (method == "HEAD" && !hasBody) {
        curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
    } else if (method == "GET" && !hasBody) {
        curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
    } else {
        if (method == "POST")
            curl_easy_setopt(easy, CURLOPT_POST, 1L);
        else
            curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, method.constData());
        if (hasBody || method == "POST") {
            curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(hop->body.size()));
            curl_easy_setopt(easy, CURLOPT_POSTFIELDS, hop->body.constData());
            curl_easy_setopt(easy, CURLOPT_NOPROGRESS, 0L);
            curl_easy_setopt(easy, CURLOPT_XFERINFOFUNCTION, onProgress);
            curl_easy_setopt(easy, CURLOPT_XFERINFODATA, hop.get());
        }
    }

    bool hasAccept = false;
    bool hasContentType = false;
    for (const auto &[name, value] : std::as_const(hop->headers)) {
        hasAccept = hasAccept || name.compare("Accept", Qt::CaseInsensitive) == 0;
        hasContentType = hasContentType || name.compare("Content-Type", Qt::CaseInsensitive) == 0;
        // "Name;" is curl's way to send a header with an empty value.
        const QByteArray line = value.isEmpty() ? name + ';' : name + ": " + value;
        hop->headerList = curl_slist_append(hop->headerList, line.constData());
    }
    // "Name:" removes a header curl would add by itself: Accept: */* (Accept goes exactly as
    // the caller gave it, or not at all), a form Content-Type for an empty POST, and Expect:
    // 100-continue, a round trip the servers we talk to do not need.
    if (!hasAccept)
        hop->headerList = curl_slist_append(hop->headerList, "Accept:");
    if (!hasContentType)
        hop->headerList = curl_slist_append(hop->headerList, "Content-Type:");
    hop->headerList = curl_slist_append(hop->headerList, "Expect:");
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, hop->headerList);

    hop->lastActivity = nowMs();
    if (curl_multi_add_handle(multi, easy) != CURLM_OK) {
        curl_slist_free_all(hop->headerList);
        hop->headerList = nullptr;
        curl_easy_cleanup(easy);
        hop->easy = nullptr;
        std::lock_guard lock(hop->mutex);
        CurlOutcome outcome;
        outcome.code = CURLE_FAILED_INIT;
        hop->post([hop, outcome] { hop->receiver->onEnd(hop, outcome); });
        return;
    }
    running.emplace(hop.get(), hop);
}

void CurlWorker::State::end(CurlHop *hop, CURLcode code, bool timedOut)
{
    if (!hop->easy)
        return;
    hop->stalled = false; // what is staged goes to the consumer whatever the mark
    hop->handOver();
    CurlOutcome outcome;
    outcome.code = code;
    outcome.timedOut = timedOut;
    curl_easy_getinfo(hop->easy, CURLINFO_OS_ERRNO, &outcome.osErrno);
    outcome.errorText = QString::fromUtf8(hop->errorText);
    outcome.tls = *hop->tls;
    {
        std::lock_guard lock(hop->mutex);
        hop->post([hop = hop->shared_from_this(), outcome] { hop->receiver->onEnd(hop, outcome); });
    }
    detach(hop);
}

void CurlWorker::State::detach(CurlHop *hop)
{
    if (!hop || !hop->easy)
        return;
    curl_multi_remove_handle(multi, hop->easy);
    curl_easy_cleanup(hop->easy);
    hop->easy = nullptr;
    curl_slist_free_all(hop->headerList);
    hop->headerList = nullptr;
    running.erase(hop); // may release the last reference
}

void CurlWorker::State::resume(CurlHop *hop)
{
    if (!hop->easy)
        return;
    hop->stalled = false;
    hop->lastActivity = nowMs(); // the wait was the consumer's, not the server's
    if (hop->curlPaused) {
        hop->curlPaused = false;
        // Delivers what curl kept right away, into onBody (which may pause again).
        curl_easy_pause(hop->easy, CURLPAUSE_CONT);
    }
}

CurlWorker::CurlWorker()
    : d(std::make_unique<State>())
{
    // Once per process, never undone: other threads may still use libcurl or OpenSSL.
    static const bool initialised = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
    if (!initialised)
        return;
    // prepareTls() hands curl's SSL_CTX to the OpenSSL we were built with: only sound when
    // libcurl uses that same OpenSSL major version (not Schannel, Secure Transport, LibreSSL).
    static const bool sameOpenSsl = [] {
        const curl_version_info_data *info = curl_version_info(CURLVERSION_NOW);
        const QByteArray expected = "OpenSSL/" + QByteArray::number(OPENSSL_VERSION_MAJOR) + '.';
        const bool same = info && info->ssl_version &&
                          QByteArray(info->ssl_version).startsWith(expected);
        if (!same) {
            qCWarning(lcFhir) << "libcurl's TLS backend" << (info ? info->ssl_version : "?")
                              << "is not" << expected.chopped(1);
        }
        return same;
    }();
    if (!sameOpenSsl)
        return;
    d->multi = curl_multi_init();
    if (!d->multi)
        return;
    d->thread = std::thread([state = d.get()] {
#ifdef Q_OS_LINUX
        pthread_setname_np(pthread_self(), "cohort-curl"); // for top, perf and debuggers
#endif
        state->run();
    });
}

CurlWorker::~CurlWorker()
{
    if (!d->thread.joinable())
        return;
    {
        std::lock_guard lock(d->mutex);
        d->stopping = true;
    }
    curl_multi_wakeup(d->multi);
    d->thread.join();
}

bool CurlWorker::isValid() const
{
    return d->thread.joinable();
}

void CurlWorker::add(std::shared_ptr<CurlHop> hop)
{
    d->post({State::Command::Add, std::move(hop)});
}

void CurlWorker::remove(std::shared_ptr<CurlHop> hop)
{
    d->post({State::Command::Remove, std::move(hop)});
}

void CurlWorker::resume(std::shared_ptr<CurlHop> hop)
{
    d->post({State::Command::Resume, std::move(hop)});
}

FhirStream *createCurlStream(RequestContext context, std::shared_ptr<CurlWorker> worker,
                             const QUrl &url, const RequestOptions &options, QObject *parent)
{
    return new CurlStream(std::move(context), std::move(worker), url, options, parent);
}

} // namespace cohort::fhir::detail
