#include "DemoServer.h"

#include "WorkerPool.h"

#include "AppInfo.h"
#include "DemoExportJob.h"
#include "HttpUtil.h"
#include "JsonWriter.h"
#include "SyntheticCohort.h"
#include "auth/Jwt.h"
#include "fhir/FhirDateTime.h"

#include <QAbstractHttpServer>
#include <QHttpServerRequest>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QTimer>
#include <QtConcurrent>

Q_LOGGING_CATEGORY(lcDemoServer, "cohort.demo.server")

namespace cohort::demo {

using namespace Qt::StringLiterals;

class DemoServer::Listener : public QAbstractHttpServer
{
public:
    Listener(std::function<void(const HttpRequest &)> handler, QObject *parent)
        : QAbstractHttpServer(parent)
        , m_handler(std::move(handler))
    {
    }

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override
    {
        m_handler(HttpRequest::fromServerRequest(request, socket));
        return true;
    }
    void missingHandler(const QHttpServerRequest &, QTcpSocket *socket) override
    {
        writeResponse(socket, HttpResponse::outcome(404, u"error"_s, u"not-found"_s,
                                                    u"No such endpoint."_s));
    }

private:
    std::function<void(const HttpRequest &)> m_handler;
};

namespace {

constexpr int kLevelSystem = 0;
constexpr int kLevelPatient = 1;
constexpr int kLevelGroup = 2;

QString randomHex(int bytes)
{
    QByteArray raw(bytes, Qt::Uninitialized);
    QRandomGenerator::system()->generate(reinterpret_cast<quint32 *>(raw.data()),
                                         reinterpret_cast<quint32 *>(raw.data() + bytes));
    return QString::fromLatin1(raw.toHex());
}

HttpResponse unauthorized(const QString &why)
{
    return HttpResponse::outcome(401, u"error"_s, u"login"_s, why)
        .header("WWW-Authenticate", "Bearer realm=\"cohort-export-demo\", error=\"invalid_token\"");
}

HttpResponse oauthError(int status, const QString &error, const QString &description)
{
    JsonWriter w;
    w.beginObject();
    w.key("error"_L1);
    w.value(error);
    w.key("error_description"_L1);
    w.value(description);
    w.endObject();
    return HttpResponse::json(status, w.take(), "application/json").header("Cache-Control", "no-store");
}

void writeString(JsonWriter &w, QLatin1StringView key, const QString &value)
{
    w.key(key);
    w.value(value);
}

// Writes a file body a little at a time, as a slow storage backend would; dies with the socket.
class SlowBodyWriter : public QObject
{
public:
    SlowBodyWriter(QTcpSocket *socket, QByteArray body, int chunk, int intervalMs)
        : QObject(socket)
        , m_socket(socket)
        , m_body(std::move(body))
        , m_chunk(qMax(1, chunk))
    {
        m_timer.setInterval(intervalMs);
        QObject::connect(&m_timer, &QTimer::timeout, this, [this] { step(); });
        m_timer.start();
        step();
    }

private:
    void step()
    {
        if (!m_socket || m_offset >= m_body.size()) {
            m_timer.stop();
            deleteLater();
            return;
        }
        const qsizetype n = qMin<qsizetype>(m_chunk, m_body.size() - m_offset);
        m_socket->write(m_body.constData() + m_offset, n);
        m_offset += n;
    }

    QPointer<QTcpSocket> m_socket;
    QByteArray m_body;
    int m_chunk;
    qsizetype m_offset = 0;
    QTimer m_timer;
};

} // namespace

DemoServer::DemoServer(DemoServerOptions options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_cohort(std::make_unique<SyntheticCohort>(m_options.patients, m_options.seed))
{
}

DemoServer::~DemoServer()
{
    // Generation threads read the cohort: let them finish before it goes.
    for (const auto &job : std::as_const(m_jobs))
        job->future.waitForFinished();
}

bool DemoServer::start(QString *error)
{
    if (isRunning())
        return true;
    m_main = new Listener([this](const HttpRequest &r) { handle(r, false); }, this);
    m_port = m_main->listen(QHostAddress::LocalHost, m_options.port);
    if (m_port == 0) {
        if (error)
            *error = tr("Could not listen on 127.0.0.1:%1 (is the port already in use?).")
                         .arg(m_options.port);
        delete m_main;
        m_main = nullptr;
        return false;
    }
    // The second origin always exists so a fault can be switched on after start.
    m_second = new Listener([this](const HttpRequest &r) { handle(r, true); }, this);
    m_secondPort = m_second->listen(QHostAddress::LocalHost, 0);
    if (m_secondPort == 0) {
        if (error)
            *error = tr("Could not open a second loopback port.");
        return false;
    }
    qCInfo(lcDemoServer) << "Demo Bulk Data server listening at" << baseUrl().toString()
                         << "with" << m_options.patients << "patients";
    return true;
}

bool DemoServer::isRunning() const
{
    return m_port != 0;
}

QUrl DemoServer::baseUrl() const
{
    return QUrl(u"http://127.0.0.1:%1/fhir"_s.arg(m_port));
}

QUrl DemoServer::secondOriginUrl() const
{
    return QUrl(u"http://127.0.0.1:%1"_s.arg(m_secondPort));
}

QUrl DemoServer::tokenUrl() const
{
    return QUrl(baseUrl().toString() + u"/auth/token"_s);
}

const DemoServerOptions &DemoServer::options() const
{
    return m_options;
}

const SyntheticCohort &DemoServer::cohort() const
{
    return *m_cohort;
}

void DemoServer::setFault(Fault fault, bool enabled)
{
    if (enabled)
        m_options.faults.insert(fault);
    else
        m_options.faults.remove(fault);
}

QList<DemoServer::LoggedRequest> DemoServer::requestLog() const
{
    return m_log;
}

int DemoServer::secondOriginRequests() const
{
    return m_secondOriginRequests;
}

int DemoServer::secondOriginRequestsWithAuthorization() const
{
    return m_secondOriginAuthorized;
}

int DemoServer::tokensIssued() const
{
    return m_tokensIssued;
}

int DemoServer::faultsStruck(Fault fault) const
{
    return m_struckByFault.value(int(fault));
}

bool DemoServer::strike(Fault fault, const QString &target)
{
    if (!m_options.has(fault))
        return false;
    int &count = m_strikes[faultName(fault) + u'|' + target];
    if (count >= m_options.faultStrikes)
        return false;
    ++count;
    ++m_struckByFault[int(fault)];
    qCInfo(lcDemoServer) << "fault" << faultName(fault) << "strikes" << target;
    return true;
}

void DemoServer::respond(const HttpRequest &request, const HttpResponse &response,
                         bool secondOrigin)
{
    writeResponse(request.socket, response);
    m_log.append({request.method, request.path, response.status,
                  request.hasHeader("authorization"), secondOrigin});
    qCInfo(lcDemoServer).noquote() << request.method << request.url.toString(QUrl::RemoveQuery)
                                   << "->" << response.status;
    emit requestHandled(QString::fromLatin1(request.method), request.path, response.status);
}

bool DemoServer::authorize(const HttpRequest &request, QString *why) const
{
    if (!m_options.auth)
        return true;
    const QByteArray header = request.header("authorization");
    if (!header.startsWith("Bearer ")) {
        *why = tr("This server requires a bearer access token (SMART Backend Services).");
        return false;
    }
    const QByteArray token = header.mid(7).trimmed();
    const auto it = m_tokens.constFind(token);
    if (it == m_tokens.constEnd()) {
        *why = tr("The access token is not valid (unknown or revoked).");
        return false;
    }
    if (*it <= QDateTime::currentDateTimeUtc()) {
        *why = tr("The access token has expired.");
        return false;
    }
    return true;
}

void DemoServer::handle(const HttpRequest &request, bool secondOrigin)
{
    if (secondOrigin) {
        ++m_secondOriginRequests;
        if (request.hasHeader("authorization")) {
            ++m_secondOriginAuthorized;
            qCWarning(lcDemoServer) << "an Authorization header reached the second origin";
        }
        const QStringList parts = request.path.split(u'/', Qt::SkipEmptyParts);
        if (request.method == "GET" && parts.size() == 2 && parts[0] == "storage"_L1
            && parts[1].endsWith(".ndjson"_L1)) {
            serveFile(request, parts[1].chopped(7), true);
            return;
        }
        respond(request, HttpResponse::outcome(404, u"error"_s, u"not-found"_s, tr("No such file.")),
                true);
        return;
    }

    const QString prefix = u"/fhir"_s;
    if (request.path != prefix && !request.path.startsWith(prefix + u'/')) {
        respond(request,
                HttpResponse::outcome(404, u"error"_s, u"not-found"_s,
                                      tr("The FHIR base of this server is %1.").arg(baseUrl().toString())),
                false);
        return;
    }
    const QStringList parts = request.path.mid(prefix.size()).split(u'/', Qt::SkipEmptyParts);
    const QByteArray &method = request.method;
    auto methodNotAllowed = [&] {
        respond(request,
                HttpResponse::outcome(405, u"error"_s, u"not-supported"_s,
                                      tr("%1 is not allowed on %2.")
                                          .arg(QString::fromLatin1(method), request.path)),
                false);
    };

    // Open endpoints.
    if (parts == QStringList{u"metadata"_s}) {
        if (method != "GET")
            return methodNotAllowed();
        return respond(request, capabilityStatement(), false);
    }
    if (parts == QStringList{u".well-known"_s, u"smart-configuration"_s}) {
        if (!m_options.auth)
            return respond(request,
                           HttpResponse::outcome(404, u"error"_s, u"not-found"_s,
                                                 tr("This server runs without authorization.")),
                           false);
        return respond(request, smartConfiguration(), false);
    }
    if (parts == QStringList{u"auth"_s, u"token"_s}) {
        if (method != "POST")
            return methodNotAllowed();
        return respond(request, tokenEndpoint(request), false);
    }

    // token-expiry: the first request of each file finds its token revoked, even when another
    // file's strike revoked it a moment earlier, as when a token expires while several
    // downloads start. A client's one renewal and resend then always succeeds.
    if (m_options.auth && parts.size() >= 2 && parts[0] == "Binary"_L1 &&
        m_files.contains(parts[1]) && strike(Fault::TokenExpiry, request.path)) {
        m_tokens.remove(request.header("authorization").mid(7).trimmed());
        return respond(request, unauthorized(tr("The access token has expired.")), false);
    }

    QString why;
    if (!authorize(request, &why))
        return respond(request, unauthorized(why), false);

    if (parts.size() == 1 && parts[0] == "$export"_L1) {
        if (method != "GET" && method != "POST")
            return methodNotAllowed();
        return kickOff(request, kLevelSystem, {});
    }
    if (parts.size() == 2 && parts[0] == "Patient"_L1 && parts[1] == "$export"_L1) {
        if (method != "GET" && method != "POST")
            return methodNotAllowed();
        return kickOff(request, kLevelPatient, {});
    }
    if (parts.size() == 3 && parts[0] == "Group"_L1 && parts[2] == "$export"_L1) {
        if (method != "GET" && method != "POST")
            return methodNotAllowed();
        return kickOff(request, kLevelGroup, parts[1]);
    }
    if (parts.size() == 2 && parts[0] == "$export-poll-status"_L1) {
        if (method != "GET" && method != "DELETE")
            return methodNotAllowed();
        return status(request, parts[1]);
    }
    if (parts.size() >= 2 && parts.size() <= 3 && parts[0] == "Binary"_L1
        && (parts.size() == 2 || parts[2] == "$binary-access-read"_L1)) {
        if (method != "GET")
            return methodNotAllowed();
        return serveFile(request, parts[1], false);
    }
    if (parts == QStringList{u"Group"_s}) {
        if (method != "GET")
            return methodNotAllowed();
        return respond(request, searchGroups(request), false);
    }
    if (parts.size() == 2 && (parts[0] == "Group"_L1 || parts[0] == "Patient"_L1)) {
        if (method != "GET")
            return methodNotAllowed();
        if (parts[0] == "Group"_L1) {
            const GroupDefinition *group = m_cohort->group(parts[1]);
            if (!group)
                return respond(request,
                               HttpResponse::outcome(404, u"error"_s, u"not-found"_s,
                                                     tr("Group '%1' does not exist.").arg(parts[1])),
                               false);
            return respond(request, HttpResponse::json(200, m_cohort->groupJson(*group)), false);
        }
        const int index = m_cohort->indexOfPatientId(parts[1]);
        if (index < 0)
            return respond(request,
                           HttpResponse::outcome(404, u"error"_s, u"not-found"_s,
                                                 tr("Patient '%1' does not exist.").arg(parts[1])),
                           false);
        return respond(request, HttpResponse::json(200, m_cohort->resourcesForPatient(index).first().json),
                       false);
    }
    respond(request,
            HttpResponse::outcome(404, u"error"_s, u"not-found"_s,
                                  tr("This server does not serve %1.").arg(request.path)),
            false);
}

HttpResponse DemoServer::capabilityStatement() const
{
    const QString base = baseUrl().toString();
    JsonWriter w;
    w.beginObject();
    writeString(w, "resourceType"_L1, u"CapabilityStatement"_s);
    writeString(w, "status"_L1, u"active"_s);
    writeString(w, "date"_L1, u"2026-01-01"_s);
    writeString(w, "publisher"_L1, u"Cohort Export"_s);
    writeString(w, "kind"_L1, u"instance"_s);
    w.key("instantiates"_L1);
    w.beginArray();
    w.value(u"http://hl7.org/fhir/uv/bulkdata/CapabilityStatement/bulk-data"_s);
    w.endArray();
    w.key("software"_L1);
    w.beginObject();
    writeString(w, "name"_L1, u"Cohort Export demo server"_s);
    writeString(w, "version"_L1, appVersion());
    w.endObject();
    w.key("implementation"_L1);
    w.beginObject();
    writeString(w, "description"_L1, u"Synthetic, deterministic cohort of %1 patients (seed %2)"_s
                                         .arg(m_options.patients)
                                         .arg(m_options.seed));
    writeString(w, "url"_L1, base);
    w.endObject();
    writeString(w, "fhirVersion"_L1, u"4.0.1"_s);
    w.key("format"_L1);
    w.beginArray();
    w.value(u"json"_s);
    w.value(u"application/fhir+json"_s);
    w.endArray();
    w.key("rest"_L1);
    w.beginArray();
    w.beginObject();
    writeString(w, "mode"_L1, u"server"_s);
    if (m_options.auth) {
        w.key("security"_L1);
        w.beginObject();
        w.key("extension"_L1);
        w.beginArray();
        w.beginObject();
        writeString(w, "url"_L1,
                    u"http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris"_s);
        w.key("extension"_L1);
        w.beginArray();
        w.beginObject();
        writeString(w, "url"_L1, u"token"_s);
        writeString(w, "valueUri"_L1, tokenUrl().toString());
        w.endObject();
        w.endArray();
        w.endObject();
        w.endArray();
        w.key("service"_L1);
        w.beginArray();
        w.beginObject();
        w.key("coding"_L1);
        w.beginArray();
        w.beginObject();
        writeString(w, "system"_L1,
                    u"http://terminology.hl7.org/CodeSystem/restful-security-service"_s);
        writeString(w, "code"_L1, u"SMART-on-FHIR"_s);
        w.endObject();
        w.endArray();
        w.endObject();
        w.endArray();
        w.endObject();
    }
    w.key("resource"_L1);
    w.beginArray();
    auto operation = [&](const QString &name, const QString &definition) {
        w.beginObject();
        writeString(w, "name"_L1, name);
        writeString(w, "definition"_L1, definition);
        w.endObject();
    };
    QList<QString> types;
    for (QLatin1StringView t : SyntheticCohort::resourceTypes())
        types.append(QString(t));
    types.append(u"Group"_s);
    types.append(u"Binary"_s);
    std::sort(types.begin(), types.end());
    for (const QString &type : std::as_const(types)) {
        w.beginObject();
        writeString(w, "type"_L1, type);
        if (type != "Binary"_L1 && type != "Group"_L1) {
            w.key("supportedProfile"_L1);
            w.beginArray();
            w.value(u"http://hl7.org/fhir/us/core/StructureDefinition/us-core-%1"_s.arg(type.toLower()));
            w.endArray();
        }
        const bool readable = type == "Patient"_L1 || type == "Group"_L1 || type == "Binary"_L1;
        w.key("interaction"_L1);
        w.beginArray();
        if (readable) {
            w.beginObject();
            writeString(w, "code"_L1, u"read"_s);
            w.endObject();
        }
        if (type == "Group"_L1) {
            w.beginObject();
            writeString(w, "code"_L1, u"search-type"_s);
            w.endObject();
        }
        w.endArray();
        if (type == "Group"_L1) {
            w.key("searchParam"_L1);
            w.beginArray();
            w.beginObject();
            writeString(w, "name"_L1, u"name"_s);
            writeString(w, "definition"_L1, u"http://hl7.org/fhir/SearchParameter/Group-name"_s);
            writeString(w, "type"_L1, u"string"_s);
            w.endObject();
            w.endArray();
            w.key("operation"_L1);
            w.beginArray();
            operation(u"export"_s, u"http://hl7.org/fhir/uv/bulkdata/OperationDefinition/group-export"_s);
            w.endArray();
        } else if (type == "Patient"_L1) {
            w.key("operation"_L1);
            w.beginArray();
            operation(u"export"_s, u"http://hl7.org/fhir/uv/bulkdata/OperationDefinition/patient-export"_s);
            w.endArray();
        }
        w.endObject();
    }
    w.endArray();
    w.key("operation"_L1);
    w.beginArray();
    operation(u"export"_s, u"http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export"_s);
    w.endArray();
    w.endObject();
    w.endArray();
    w.endObject();
    return HttpResponse::json(200, w.take());
}

HttpResponse DemoServer::smartConfiguration() const
{
    JsonWriter w;
    w.beginObject();
    writeString(w, "issuer"_L1, baseUrl().toString());
    writeString(w, "token_endpoint"_L1, tokenUrl().toString());
    auto list = [&](QLatin1StringView key, const QStringList &values) {
        w.key(key);
        w.beginArray();
        for (const QString &v : values)
            w.value(v);
        w.endArray();
    };
    QStringList methods{u"private_key_jwt"_s};
    if (!m_options.clientSecret.isEmpty())
        methods.append(u"client_secret_basic"_s);
    list("token_endpoint_auth_methods_supported"_L1, methods);
    list("token_endpoint_auth_signing_alg_values_supported"_L1, {u"RS384"_s, u"ES384"_s});
    list("grant_types_supported"_L1, {u"client_credentials"_s});
    list("scopes_supported"_L1,
         {u"system/*.read"_s, u"system/*.rs"_s, u"system/Group.read"_s, u"system/Patient.read"_s});
    QStringList capabilities{u"client-confidential-asymmetric"_s, u"permission-v1"_s,
                             u"permission-v2"_s};
    if (!m_options.clientSecret.isEmpty())
        capabilities.append(u"client-confidential-symmetric"_s);
    list("capabilities"_L1, capabilities);
    w.endObject();
    return HttpResponse::json(200, w.take(), "application/json");
}

HttpResponse DemoServer::tokenEndpoint(const HttpRequest &request)
{
    if (!m_options.auth)
        return oauthError(400, u"unsupported_grant_type"_s,
                          tr("This server runs without authorization."));
    const QUrlQuery form(QString::fromUtf8(request.body).replace(u'+', u' '));
    auto field = [&](const QString &name) {
        return form.queryItemValue(name, QUrl::FullyDecoded);
    };
    if (field(u"grant_type"_s) != "client_credentials"_L1)
        return oauthError(400, u"unsupported_grant_type"_s,
                          tr("Only grant_type=client_credentials is supported."));
    const QByteArray authorization = request.header("authorization");
    if (authorization.startsWith("Basic ")) {
        // client_secret_basic (RFC 6749 §2.3.1): base64(urlencode(id) ":" urlencode(secret)).
        auto refuse = [](const QString &why) {
            return oauthError(401, u"invalid_client"_s, why)
                .header("WWW-Authenticate", "Basic realm=\"cohort-export-demo\"");
        };
        if (m_options.clientSecret.isEmpty())
            return refuse(tr("This server does not accept client secrets; use a client assertion "
                             "(private_key_jwt)."));
        const auto decoded = QByteArray::fromBase64Encoding(
            authorization.mid(6).trimmed(), QByteArray::AbortOnBase64DecodingErrors);
        const qsizetype colon = decoded.decoded.indexOf(':');
        if (!decoded || colon < 0)
            return refuse(tr("The Authorization header is not valid Basic credentials."));
        auto formDecoded = [](QByteArray part) {
            return QUrl::fromPercentEncoding(part.replace('+', ' '));
        };
        const QString id = formDecoded(decoded.decoded.left(colon));
        const QString secret = formDecoded(decoded.decoded.mid(colon + 1));
        if (id != m_options.clientId || secret != m_options.clientSecret)
            return refuse(tr("The client id or the client secret is wrong."));
    } else {
        if (field(u"client_assertion_type"_s) !=
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"_L1) {
            if (!m_options.clientSecret.isEmpty() && !form.hasQueryItem(u"client_assertion"_s))
                return oauthError(401, u"invalid_client"_s,
                                  tr("No client authentication: send Authorization: Basic or a "
                                     "client assertion."))
                    .header("WWW-Authenticate", "Basic realm=\"cohort-export-demo\"");
            return oauthError(400, u"invalid_request"_s,
                              tr("client_assertion_type must be "
                                 "urn:ietf:params:oauth:client-assertion-type:jwt-bearer."));
        }
        const QString assertion = field(u"client_assertion"_s);
        QString error;
        const auto jwt = auth::decodeJwt(assertion.toLatin1(), &error);
        if (!jwt)
            return oauthError(400, u"invalid_client"_s,
                              tr("The client assertion is not a JWT: %1").arg(error));
        const QString alg = jwt->header.value("alg"_L1).toString();
        if (alg != "RS384"_L1 && alg != "ES384"_L1)
            return oauthError(
                400, u"invalid_client"_s,
                tr("The assertion algorithm '%1' is not accepted (use RS384 or ES384).").arg(alg));
        const QString kid = jwt->header.value("kid"_L1).toString();
        const auth::Key *key = nullptr;
        for (const auth::Key &k : m_options.clientKeys) {
            if (k.keyId() == kid)
                key = &k;
        }
        if (!key)
            return oauthError(400, u"invalid_client"_s,
                              tr("No key with kid '%1' is registered for this client.").arg(kid));
        if (!auth::verifyJwt(*jwt, *key, &error))
            return oauthError(400, u"invalid_client"_s,
                              tr("The assertion signature does not verify: %1").arg(error));
        const QJsonObject &claims = jwt->claims;
        const QString iss = claims.value("iss"_L1).toString();
        if (iss != m_options.clientId || claims.value("sub"_L1).toString() != m_options.clientId)
            return oauthError(400, u"invalid_client"_s,
                              tr("iss and sub must both be the registered client id."));
        if (claims.value("aud"_L1).toString() != tokenUrl().toString())
            return oauthError(400, u"invalid_client"_s,
                              tr("aud must be the token URL %1.").arg(tokenUrl().toString()));
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        const qint64 exp = qint64(claims.value("exp"_L1).toDouble(-1));
        if (exp < 0)
            return oauthError(400, u"invalid_client"_s, tr("The assertion has no exp claim."));
        if (exp <= now)
            return oauthError(400, u"invalid_client"_s, tr("The assertion has expired."));
        if (exp > now + 300 + 5)
            return oauthError(400, u"invalid_client"_s,
                              tr("The assertion's exp is more than five minutes ahead."));
        const QString jti = claims.value("jti"_L1).toString();
        if (jti.isEmpty())
            return oauthError(400, u"invalid_client"_s, tr("The assertion has no jti claim."));
        for (auto it = m_seenJti.begin(); it != m_seenJti.end();) {
            it = it.value() < now ? m_seenJti.erase(it) : std::next(it);
        }
        if (m_seenJti.contains(jti))
            return oauthError(400, u"invalid_client"_s,
                              tr("The assertion's jti was already used (replay)."));
        m_seenJti.insert(jti, exp);
    }

    const QString scope = field(u"scope"_s).trimmed();
    const QStringList scopes = scope.split(u' ', Qt::SkipEmptyParts);
    if (scopes.isEmpty())
        return oauthError(400, u"invalid_scope"_s, tr("No scope was requested."));
    for (const QString &s : scopes) {
        if (!s.startsWith("system/"_L1))
            return oauthError(400, u"invalid_scope"_s,
                              tr("Scope '%1' is not a system scope.").arg(s));
    }
    const QByteArray token = randomHex(32).toLatin1();
    m_tokens.insert(token, QDateTime::currentDateTimeUtc().addSecs(m_options.tokenLifetimeSeconds));
    ++m_tokensIssued;
    JsonWriter w;
    w.beginObject();
    writeString(w, "access_token"_L1, QString::fromLatin1(token));
    writeString(w, "token_type"_L1, u"bearer"_s);
    w.key("expires_in"_L1);
    w.value(qint64(m_options.tokenLifetimeSeconds));
    writeString(w, "scope"_L1, scopes.join(u' '));
    w.endObject();
    return HttpResponse::json(200, w.take(), "application/json")
        .header("Cache-Control", "no-store");
}

HttpResponse DemoServer::searchGroups(const HttpRequest &request) const
{
    const QString name = request.query.queryItemValue(u"name"_s, QUrl::FullyDecoded);
    const QString contains = request.query.queryItemValue(u"name:contains"_s, QUrl::FullyDecoded);
    const QString exact = request.query.queryItemValue(u"name:exact"_s, QUrl::FullyDecoded);
    bool ok = false;
    int count = request.query.queryItemValue(u"_count"_s).toInt(&ok);
    if (!ok || count <= 0)
        count = 50;
    count = qMin(count, 500);
    int offset = qMax(0, request.query.queryItemValue(u"_offset"_s).toInt());

    QList<const GroupDefinition *> matches;
    for (const GroupDefinition &g : m_cohort->groups()) {
        // FHIR string search: case- and accent-insensitive prefix by default.
        if (!name.isEmpty() && !g.name.startsWith(name, Qt::CaseInsensitive))
            continue;
        if (!contains.isEmpty() && !g.name.contains(contains, Qt::CaseInsensitive))
            continue;
        if (!exact.isEmpty() && g.name != exact)
            continue;
        matches.append(&g);
    }
    const QString base = baseUrl().toString();
    auto pageUrl = [&](int pageOffset) {
        QUrl url(base + u"/Group"_s);
        QUrlQuery q;
        if (!name.isEmpty())
            q.addQueryItem(u"name"_s, name);
        if (!contains.isEmpty())
            q.addQueryItem(u"name:contains"_s, contains);
        if (!exact.isEmpty())
            q.addQueryItem(u"name:exact"_s, exact);
        q.addQueryItem(u"_count"_s, QString::number(count));
        if (pageOffset > 0)
            q.addQueryItem(u"_offset"_s, QString::number(pageOffset));
        url.setQuery(q);
        return url.toString(QUrl::FullyEncoded);
    };
    JsonWriter w;
    w.beginObject();
    writeString(w, "resourceType"_L1, u"Bundle"_s);
    writeString(w, "type"_L1, u"searchset"_s);
    w.key("total"_L1);
    w.value(qint64(matches.size()));
    w.key("link"_L1);
    w.beginArray();
    w.beginObject();
    writeString(w, "relation"_L1, u"self"_s);
    writeString(w, "url"_L1, pageUrl(offset));
    w.endObject();
    if (offset + count < matches.size()) {
        w.beginObject();
        writeString(w, "relation"_L1, u"next"_s);
        writeString(w, "url"_L1, pageUrl(offset + count));
        w.endObject();
    }
    w.endArray();
    w.key("entry"_L1);
    w.beginArray();
    for (qsizetype i = offset; i < qMin<qsizetype>(matches.size(), offset + count); ++i) {
        w.beginObject();
        writeString(w, "fullUrl"_L1, base + u"/Group/"_s + matches[i]->id);
        w.key("resource"_L1);
        w.rawValue(m_cohort->groupJson(*matches[i]));
        w.key("search"_L1);
        w.beginObject();
        writeString(w, "mode"_L1, u"match"_s);
        w.endObject();
        w.endObject();
    }
    w.endArray();
    w.endObject();
    return HttpResponse::json(200, w.take());
}

void DemoServer::kickOff(const HttpRequest &request, int level, const QString &groupId)
{
    const QString target = request.path;
    if (strike(Fault::Kickoff429, target)) {
        return respond(request,
                       HttpResponse::outcome(429, u"error"_s, u"throttled"_s,
                                             tr("Too many exports are running; retry in a moment."))
                           .header("Retry-After", "1"),
                       false);
    }
    bool async = false;
    for (const QByteArray &p : request.header("prefer").split(',')) {
        async = async || p.trimmed() == "respond-async";
    }
    if (!async) {
        return respond(request,
                       HttpResponse::outcome(400, u"error"_s, u"required"_s,
                                             tr("Bulk export requires the header 'Prefer: respond-async'.")),
                       false);
    }
    QString error;
    bool notFound = false;
    QUrl requestUrl = request.url;
    requestUrl.setScheme(u"http"_s);
    requestUrl.setHost(u"127.0.0.1"_s);
    requestUrl.setPort(m_port);
    const auto params = parseExportRequest(request, *m_cohort, ExportParameters::Level(level),
                                           groupId, requestUrl.toString(QUrl::FullyEncoded), &error,
                                           &notFound);
    if (!params) {
        return respond(request,
                       HttpResponse::outcome(notFound ? 404 : 400, u"error"_s,
                                             notFound ? u"not-found"_s : u"invalid"_s, error),
                       false);
    }
    auto job = std::make_shared<DemoExportJob>();
    job->id = randomHex(8);
    job->params = *params;
    job->transactionTime = QDateTime::currentDateTimeUtc();
    job->durationSeconds = m_options.exportSeconds;
    job->clock.start();
    const SyntheticCohort *cohort = m_cohort.get();
    const int perFile = m_options.resourcesPerFile;
    const QString jobId = job->id;
    const ExportParameters copy = *params;
    job->future = QtConcurrent::run(
        workerPool(), [cohort, copy, perFile, jobId] { return generateExportFiles(*cohort, copy, perFile, jobId); });
    m_jobs.insert(job->id, job);

    const QString statusUrl = baseUrl().toString() + u"/$export-poll-status/"_s + job->id;
    JsonWriter w;
    w.beginObject();
    writeString(w, "transactionTime"_L1, fhir::formatInstant(job->transactionTime));
    writeString(w, "request"_L1, params->requestUrl);
    w.key("requiresAccessToken"_L1);
    w.value(m_options.auth && !m_options.has(Fault::SecondOrigin));
    w.endObject();
    respond(request,
            HttpResponse::json(202, w.take(), "application/json").header("Content-Location", statusUrl.toUtf8()),
            false);
}

void DemoServer::status(const HttpRequest &request, const QString &jobId)
{
    const auto it = m_jobs.constFind(jobId);
    if (it == m_jobs.constEnd() || (*it)->deleted) {
        return respond(request,
                       HttpResponse::outcome(404, u"error"_s, u"not-found"_s,
                                             tr("There is no export with id '%1' (it may have been "
                                                "cancelled or expired).")
                                                 .arg(jobId)),
                       false);
    }
    const std::shared_ptr<DemoExportJob> job = *it;
    if (request.method == "DELETE") {
        job->deleted = true;
        for (auto f = m_files.begin(); f != m_files.end();)
            f = f->job == job ? m_files.erase(f) : std::next(f);
        return respond(request,
                       HttpResponse::outcome(202, u"information"_s, u"informational"_s,
                                             tr("The export was cancelled and its files deleted.")),
                       false);
    }
    const QString target = request.path;
    if (m_options.has(Fault::Fatal)) {
        return respond(request,
                       HttpResponse::outcome(500, u"fatal"_s, u"exception"_s,
                                             tr("The export failed: the server could not read the "
                                                "patient store (injected fault 'fatal').")),
                       false);
    }
    if (strike(Fault::Poll429, target)) {
        return respond(request,
                       HttpResponse::outcome(429, u"error"_s, u"throttled"_s,
                                             tr("Polling too often; wait before the next check."))
                           .header("Retry-After", "1"),
                       false);
    }
    if (strike(Fault::Transient, target)) {
        return respond(request,
                       HttpResponse::outcome(503, u"error"_s, u"transient"_s,
                                             tr("The export service is briefly unavailable; try again.")),
                       false);
    }
    if (!job->finished()) {
        const qint64 remainingMs =
            qMax<qint64>(0, qint64(job->durationSeconds * 1000) - job->clock.elapsed());
        const qint64 seconds = qBound(qint64(1), (remainingMs + 999) / 1000, qint64(5));
        HttpResponse r;
        r.status = 202;
        r.header("X-Progress", u"%1% complete"_s.arg(job->percent()).toLatin1());
        if (m_options.has(Fault::RetryAfterDate)) {
            ++m_struckByFault[int(Fault::RetryAfterDate)];
            // +1: an HTTP-date has whole seconds, and a truncated one could already be past.
            r.header("Retry-After",
                     fhir::formatHttpDate(QDateTime::currentDateTimeUtc().addSecs(seconds + 1)));
        } else {
            r.header("Retry-After", QByteArray::number(seconds));
        }
        return respond(request, r, false);
    }
    registerFiles(*job);
    HttpResponse r;
    r.status = 200;
    r.header("Content-Type", "application/json");
    r.header("Expires", fhir::formatHttpDate(
                            QDateTime::currentDateTimeUtc().addSecs(m_options.expiresSeconds)));
    if (m_options.has(Fault::BadManifest)) {
        r.body = "{\"transactionTime\":\"" + fhir::formatInstant(job->transactionTime).toLatin1()
            + "\",\"request\":\"" + job->params.requestUrl.toUtf8() + "\",\"output\":[{\"type\":";
    } else {
        bool ok = false;
        const int page = request.query.queryItemValue(u"page"_s).toInt(&ok);
        if (!ok || page <= 1)
            ++job->manifestsServed;
        r.body = manifestJson(*job, ok && page > 0 ? page : 1);
    }
    respond(request, r, false);
}

void DemoServer::registerFiles(DemoExportJob &job)
{
    const QList<OutputFile> &files = job.future.result();
    const std::shared_ptr<DemoExportJob> shared = m_jobs.value(job.id);
    for (qsizetype i = 0; i < files.size(); ++i) {
        if (!m_files.contains(files[i].id))
            m_files.insert(files[i].id, {shared, i});
    }
}

QUrl DemoServer::fileUrl(const QString &fileId, int version) const
{
    QUrl url(m_options.has(Fault::SecondOrigin)
                 ? secondOriginUrl().toString() + u"/storage/"_s + fileId + u".ndjson"_s
                 : baseUrl().toString() + u"/Binary/"_s + fileId + u"/$binary-access-read"_s);
    if (m_options.has(Fault::ExpiringUrls)) // "signed" for one manifest
        url.setQuery(u"v=%1"_s.arg(version));
    return url;
}

QByteArray DemoServer::manifestJson(const DemoExportJob &job, int page) const
{
    const QList<OutputFile> &files = job.future.result();
    qsizetype outputs = 0;
    for (const OutputFile &f : files)
        outputs += (f.isError || f.isDeleted) ? 0 : 1;
    const int pageSize = m_options.manifestPageSize > 0 ? m_options.manifestPageSize : int(qMax<qsizetype>(1, outputs));
    const qsizetype first = qsizetype(page - 1) * pageSize;
    JsonWriter w;
    w.beginObject();
    writeString(w, "transactionTime"_L1, fhir::formatInstant(job.transactionTime));
    writeString(w, "request"_L1, job.params.requestUrl);
    w.key("requiresAccessToken"_L1);
    w.value(m_options.auth && !m_options.has(Fault::SecondOrigin));
    enum Section { Output, Error, Deleted };
    for (const Section section : {Output, Error, Deleted}) {
        w.key(section == Output ? "output"_L1 : section == Error ? "error"_L1 : "deleted"_L1);
        w.beginArray();
        qsizetype n = 0;
        for (const OutputFile &f : files) {
            const Section is = f.isError ? Error : f.isDeleted ? Deleted : Output;
            if (is != section)
                continue;
            // Output entries are paged; error and deleted files come with the first page.
            if (section == Output && (n++ < first || n > first + pageSize))
                continue;
            if (section != Output && page != 1)
                continue;
            w.beginObject();
            writeString(w, "type"_L1, f.type);
            writeString(w, "url"_L1,
                        fileUrl(f.id, job.manifestsServed).toString(QUrl::FullyEncoded));
            w.key("count"_L1);
            w.value(qint64(f.count));
            w.endObject();
        }
        w.endArray();
    }
    if (first + pageSize < outputs) {
        w.key("link"_L1);
        w.beginArray();
        w.beginObject();
        writeString(w, "relation"_L1, u"next"_s);
        writeString(w, "url"_L1, u"%1/$export-poll-status/%2?page=%3"_s.arg(baseUrl().toString(), job.id).arg(page + 1));
        w.endObject();
        w.endArray();
    }
    w.endObject();
    return w.take();
}

void DemoServer::serveFile(const HttpRequest &request, const QString &fileId, bool secondOrigin)
{
    if (secondOrigin && m_options.has(Fault::SecondOrigin))
        ++m_struckByFault[int(Fault::SecondOrigin)];
    const auto it = m_files.constFind(fileId);
    if (it == m_files.constEnd()) {
        return respond(request,
                       HttpResponse::outcome(404, u"error"_s, u"not-found"_s,
                                             tr("The file '%1' does not exist or was deleted.").arg(fileId)),
                       secondOrigin);
    }
    if (m_options.has(Fault::ExpiringUrls) && request.query.hasQueryItem(u"v"_s) &&
        request.query.queryItemValue(u"v"_s).toInt() <= 1) {
        ++m_struckByFault[int(Fault::ExpiringUrls)];
        return respond(request,
                       HttpResponse::outcome(410, u"error"_s, u"expired"_s,
                                             tr("This link to '%1' has expired; the status URL "
                                                "hands out fresh ones.")
                                                 .arg(fileId)),
                       secondOrigin);
    }
    if (!secondOrigin && m_options.has(Fault::RedirectFiles)) {
        ++m_struckByFault[int(Fault::RedirectFiles)];
        const QString location = secondOriginUrl().toString() + u"/storage/"_s + fileId + u".ndjson"_s;
        HttpResponse r;
        r.status = 307;
        r.header("Location", location.toUtf8());
        return respond(request, r, secondOrigin);
    }
    writeFileBody(request, it->job->future.result().at(it->index), secondOrigin);
}

void DemoServer::writeFileBody(const HttpRequest &request, const OutputFile &file, bool secondOrigin)
{
    const QByteArray accept = request.header("accept");
    if (accept.contains("application/fhir+json") && !accept.contains("ndjson")) {
        // A FHIR Binary read, as servers answer Binary/{id} when asked for FHIR JSON.
        JsonWriter w;
        w.beginObject();
        writeString(w, "resourceType"_L1, u"Binary"_s);
        writeString(w, "id"_L1, file.id);
        writeString(w, "contentType"_L1, u"application/fhir+ndjson"_s);
        writeString(w, "data"_L1, QString::fromLatin1(file.data.toBase64()));
        w.endObject();
        return respond(request, HttpResponse::json(200, w.take()), secondOrigin);
    }

    HttpResponse r;
    r.status = 200;
    r.header("Content-Type", "application/fhir+ndjson");
    r.header("Accept-Ranges", "bytes");
    QByteArray body = file.data;
    const QByteArray range = request.header("range");
    if (!range.isEmpty()) {
        const qint64 total = file.data.size();
        qint64 first = -1;
        qint64 last = total - 1;
        if (range.startsWith("bytes=") && !range.contains(',')) {
            const QList<QByteArray> bounds = range.mid(6).split('-');
            bool okFirst = false;
            bool okLast = true;
            if (bounds.size() == 2) {
                first = bounds[0].toLongLong(&okFirst);
                if (!bounds[1].isEmpty())
                    last = qMin(total - 1, bounds[1].toLongLong(&okLast));
            }
            if (!okFirst || !okLast)
                first = -1;
        }
        if (first < 0 || first >= total || last < first) {
            HttpResponse bad = HttpResponse::outcome(416, u"error"_s, u"invalid"_s,
                                                     tr("The requested range is not satisfiable."));
            bad.header("Content-Range", "bytes */" + QByteArray::number(total));
            return respond(request, bad, secondOrigin);
        }
        r.status = 206;
        r.header("Content-Range", "bytes " + QByteArray::number(first) + '-'
                                      + QByteArray::number(last) + '/' + QByteArray::number(total));
        body = file.data.mid(first, last - first + 1);
    } else if (request.header("accept-encoding").contains("gzip")) {
        auto cached = m_gzipCache.constFind(file.id);
        if (cached == m_gzipCache.constEnd())
            cached = m_gzipCache.insert(file.id, gzipCompress(file.data));
        body = *cached;
        r.header("Content-Encoding", "gzip");
    }

    QTcpSocket *socket = request.socket;
    const QString target = request.path;
    if (strike(Fault::DropConnection, target)) {
        if (socket) {
            socket->write(serializeHead(r, body.size()));
            socket->write(body.constData(), body.size() / 2);
            socket->disconnectFromHost();
        }
        m_log.append({request.method, request.path, -1, request.hasHeader("authorization"), secondOrigin});
        emit requestHandled(QString::fromLatin1(request.method), request.path, -1);
        return;
    }
    if (m_options.has(Fault::SlowFiles) && socket) {
        ++m_struckByFault[int(Fault::SlowFiles)];
        socket->write(serializeHead(r, body.size()));
        new SlowBodyWriter(socket, body, m_options.slowChunkBytes, m_options.slowChunkIntervalMs);
        m_log.append({request.method, request.path, r.status, request.hasHeader("authorization"), secondOrigin});
        emit requestHandled(QString::fromLatin1(request.method), request.path, r.status);
        return;
    }
    r.body = body;
    respond(request, r, secondOrigin);
}

} // namespace cohort::demo
