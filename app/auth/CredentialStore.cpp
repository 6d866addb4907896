#include "CredentialStore.h"

#include <qt6keychain/keychain.h>

#include <QPointer>
#include <QTimer>

#include <memory>

namespace cohort::auth {

using namespace Qt::StringLiterals;

namespace {

constexpr QByteArrayView kChunkHeader = "chunks:";

QString chunkKey(const QString &key, int index)
{
    return key + u'/' + QString::number(index);
}

// The number of chunks when value is a chunk header, else 0.
int chunkCount(const QByteArray &value)
{
    if (!value.startsWith(kChunkHeader))
        return 0;
    bool ok = false;
    const int n = value.mid(kChunkHeader.size()).toInt(&ok);
    return ok && n >= 1 && n <= CredentialStore::kMaxChunks ? n : 0;
}

// Wraps a callback so it is dropped once its context object is gone. A null context means the
// caller does not need that protection.
// The backend's own words, when it gave any, after our sentence.
QString withDetail(const QString &sentence, const QString &detail)
{
    return detail.isEmpty() ? sentence : sentence + u" ("_s + detail + u')';
}

template<typename Callback> auto guarded(QObject *context, Callback callback)
{
    return [guard = QPointer<QObject>(context), hasContext = context != nullptr,
            callback = std::move(callback)](const auto &...args) {
        if (callback && (!hasContext || guard))
            callback(args...);
    };
}

} // namespace

QString CredentialStore::defaultService()
{
    return u"Cohort Export"_s;
}

CredentialStore::CredentialStore(const QString &service, QObject *parent)
    : QObject(parent)
    , m_service(service)
{
}

CredentialStore::~CredentialStore()
{
    // Session-only secrets: do not leave them in freed memory longer than needed.
    for (QByteArray &value : m_session)
        value.fill('\0');
}

QString CredentialStore::service() const
{
    return m_service;
}

QString CredentialStore::keyFor(const QString &profileId, Secret secret)
{
    QString name;
    switch (secret) {
    case Secret::BearerToken:
        name = u"bearer-token"_s;
        break;
    case Secret::ClientSecret:
        name = u"client-secret"_s;
        break;
    case Secret::PrivateKey:
        name = u"private-key"_s;
        break;
    }
    return u"profile/%1/%2"_s.arg(profileId, name);
}

QString CredentialStore::storageKey(const QString &key) const
{
#ifdef Q_OS_WIN
    return m_service + u'/' + key;
#else
    return key;
#endif
}

int CredentialStore::timeout() const
{
    return m_timeoutMs;
}

void CredentialStore::setTimeout(int milliseconds)
{
    m_timeoutMs = qMax(1, milliseconds);
}

int CredentialStore::platformChunkSize()
{
#ifdef Q_OS_WIN
    return 2000; // Credential Manager: CRED_MAX_CREDENTIAL_BLOB_SIZE is 2560 bytes
#else
    return 0;
#endif
}

int CredentialStore::chunkSize() const
{
    return m_chunkSize;
}

void CredentialStore::setChunkSize(int bytes)
{
    m_chunkSize = qMax(0, bytes);
}

bool CredentialStore::isSessionOnly() const
{
    return m_sessionOnly;
}

void CredentialStore::setSessionOnly(bool sessionOnly)
{
    m_sessionOnly = sessionOnly;
    if (!sessionOnly) {
        for (QByteArray &value : m_session)
            value.fill('\0');
        m_session.clear();
    }
}

void CredentialStore::read(const QString &key, QObject *context, ReadCallback callback)
{
    JobCallback deliver = guarded(context, std::move(callback));
    if (m_sessionOnly) {
        const auto it = m_session.constFind(key);
        const CredentialError error =
            it != m_session.cend()
                ? CredentialError{}
                : CredentialError{CredentialError::NotFound,
                                  tr("No secret is kept for \"%1\" in this session.").arg(key)};
        const QByteArray value = it != m_session.cend() ? *it : QByteArray();
        postLater([deliver, value, error] { deliver(value, error); });
        return;
    }
    readEntry(key, [this, key, deliver](const QByteArray &data, const CredentialError &error) {
        if (error.isError()) {
            deliver({}, error);
            return;
        }
        if (const int n = chunkCount(data))
            readChunks(key, n, 0, {}, deliver);
        else
            deliver(data, {});
    });
}

void CredentialStore::write(const QString &key, const QByteArray &value, QObject *context,
                            DoneCallback callback)
{
    DoneCallback deliver = guarded(context, std::move(callback));
    if (m_sessionOnly) {
        m_session.insert(key, value);
        postLater([deliver] { deliver({}); });
        return;
    }
    // The old value is read first: a longer value written before may have left chunks that
    // must not stay behind (a replaced private key must really be gone). This read is also
    // what finds out, cheaply, that there is no keychain at all.
    readEntry(key, [this, key, value, deliver](const QByteArray &old,
                                               const CredentialError &error) {
        if (error.isError() && error.kind != CredentialError::NotFound) {
            deliver(error);
            return;
        }
        const int oldChunks = error.isError() ? 0 : chunkCount(old);
        QList<Step> steps;
        // A value that looks like a header is stored chunked too, so a header is never
        // ambiguous.
        const bool chunked =
            (m_chunkSize > 0 && value.size() > m_chunkSize) || value.startsWith(kChunkHeader);
        int newChunks = 0;
        if (chunked) {
            const qsizetype size = m_chunkSize > 0 ? m_chunkSize : value.size();
            newChunks = int((value.size() + size - 1) / size);
            if (newChunks > kMaxChunks) {
                deliver({CredentialError::Other,
                         tr("The secret for \"%1\" is too large for the keychain.").arg(key)});
                return;
            }
            for (int i = 0; i < newChunks; ++i)
                steps.append({true, chunkKey(key, i), value.mid(i * size, size)});
            // The header goes last so it never points at chunks that are not written yet.
            steps.append({true, key, kChunkHeader.toByteArray() + QByteArray::number(newChunks)});
        } else {
            steps.append({true, key, value});
        }
        for (int i = newChunks; i < oldChunks; ++i)
            steps.append({false, chunkKey(key, i), {}});
        runSteps(std::move(steps), deliver);
    });
}

void CredentialStore::remove(const QString &key, QObject *context, DoneCallback callback)
{
    DoneCallback deliver = guarded(context, std::move(callback));
    if (m_sessionOnly) {
        if (auto it = m_session.find(key); it != m_session.end()) {
            it->fill('\0');
            m_session.erase(it);
        }
        postLater([deliver] { deliver({}); });
        return;
    }
    // Read first to learn how many chunks there are.
    readEntry(key, [this, key, deliver](const QByteArray &old, const CredentialError &error) {
        if (error.kind == CredentialError::NotFound) {
            deliver({});
            return;
        }
        if (error.isError()) {
            deliver(error);
            return;
        }
        QList<Step> steps;
        const int n = chunkCount(old);
        for (int i = 0; i < n; ++i)
            steps.append({false, chunkKey(key, i), {}});
        steps.append({false, key, {}});
        runSteps(std::move(steps), deliver);
    });
}

void CredentialStore::removeProfileSecrets(const QString &profileId, QObject *context,
                                           DoneCallback callback)
{
    removeKeys({keyFor(profileId, Secret::BearerToken), keyFor(profileId, Secret::ClientSecret),
                keyFor(profileId, Secret::PrivateKey)},
               guarded(context, std::move(callback)));
}

void CredentialStore::removeKeys(QList<QString> keys, DoneCallback done)
{
    if (keys.isEmpty()) {
        done({});
        return;
    }
    const QString key = keys.takeFirst();
    remove(key, this, [this, keys = std::move(keys), done](const CredentialError &error) {
        if (error.isError())
            done(error);
        else
            removeKeys(keys, done);
    });
}

void CredentialStore::runJob(QKeychain::Job *job, const QString &key, JobCallback done)
{
    job->setKey(storageKey(key));
    job->setAutoDelete(true);
    job->setInsecureFallback(false); // never a plain-text file
    auto *timer = new QTimer(this);
    timer->setSingleShot(true);
    auto connection = std::make_shared<QMetaObject::Connection>();
    // The timer is the context: if the store dies, the timer and this connection die with it.
    *connection = connect(
        job, &QKeychain::Job::finished, timer, [this, timer, done](QKeychain::Job *finished) {
            timer->stop();
            timer->deleteLater();
            QByteArray data;
            if (auto *reader = qobject_cast<QKeychain::ReadPasswordJob *>(finished))
                data = reader->binaryData();
            done(data, errorFromJob(finished));
        });
    // On timeout the job is left running: libsecret holds a raw pointer to it and calls back
    // later, so deleting it here would crash. It deletes itself when it ends; we stop listening.
    connect(timer, &QTimer::timeout, this, [this, timer, connection, done] {
        QObject::disconnect(*connection);
        timer->deleteLater();
        done({}, {CredentialError::Timeout,
                  tr("The keychain did not answer within %1 seconds: it may be locked and "
                     "waiting for a password, or no keychain service is running.")
                      .arg(m_timeoutMs / 1000.0)});
    });
    timer->start(m_timeoutMs);
    job->start();
}

void CredentialStore::readEntry(const QString &key, JobCallback done)
{
    runJob(new QKeychain::ReadPasswordJob(m_service), key, std::move(done));
}

void CredentialStore::readChunks(const QString &key, int count, int index,
                                 const QByteArray &collected, JobCallback done)
{
    if (index == count) {
        done(collected, {});
        return;
    }
    readEntry(chunkKey(key, index), [=, this](const QByteArray &data,
                                              const CredentialError &error) {
        if (error.kind == CredentialError::NotFound) {
            done({}, {CredentialError::Other,
                      tr("The secret for \"%1\" is incomplete in the keychain (part %2 of %3 is "
                         "missing); store it again.")
                          .arg(key)
                          .arg(index + 1)
                          .arg(count)});
        } else if (error.isError()) {
            done({}, error);
        } else {
            readChunks(key, count, index + 1, collected + data, done);
        }
    });
}

void CredentialStore::runSteps(QList<Step> steps, DoneCallback done)
{
    if (steps.isEmpty()) {
        done({});
        return;
    }
    const Step step = steps.takeFirst();
    QKeychain::Job *job = nullptr;
    if (step.write) {
        auto *writer = new QKeychain::WritePasswordJob(m_service);
        writer->setBinaryData(step.data);
        job = writer;
    } else {
        job = new QKeychain::DeletePasswordJob(m_service);
    }
    runJob(
        job, step.key,
        [this, steps = std::move(steps), done](const QByteArray &, const CredentialError &error) {
            // A chunk already gone is fine when deleting.
            if (error.isError() && error.kind != CredentialError::NotFound)
                done(error);
            else
                runSteps(steps, done);
        });
}

CredentialError CredentialStore::errorFromJob(const QKeychain::Job *job) const
{
    const QString detail = job->errorString();
    switch (job->error()) {
    case QKeychain::NoError:
        return {};
    case QKeychain::EntryNotFound:
        return {CredentialError::NotFound,
                tr("The keychain holds no secret for \"%1\".").arg(job->key())};
    case QKeychain::AccessDenied:
    case QKeychain::AccessDeniedByUser:
        return {CredentialError::AccessDenied,
                withDetail(tr("The keychain is locked or access was denied."), detail)};
    case QKeychain::NoBackendAvailable:
    case QKeychain::NotImplemented:
        break;
    case QKeychain::OtherError:
#if defined(Q_OS_UNIX) && !defined(Q_OS_DARWIN) && !defined(Q_OS_ANDROID)
        // On Linux, OtherError is what libsecret reports when it cannot reach the Secret
        // Service at all: no D-Bus session bus, no bus socket, or no org.freedesktop.secrets.
        break;
#else
        [[fallthrough]];
#endif
    case QKeychain::CouldNotDeleteEntry:
        return {CredentialError::Other, withDetail(tr("The keychain reported an error."), detail)};
    }
    return {CredentialError::NoBackend,
            withDetail(tr("No keychain service is available: the secret can be kept for this "
                          "session only."),
                       detail)};
}

void CredentialStore::postLater(std::function<void()> call)
{
    // Asynchronous like the keychain path, so callers see one behaviour.
    QTimer::singleShot(0, this, std::move(call));
}

} // namespace cohort::auth
