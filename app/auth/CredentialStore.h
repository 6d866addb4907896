#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QObject>
#include <QString>

#include <functional>

namespace QKeychain {
class Job;
}

namespace cohort::auth {

struct CredentialError
{
    enum Kind
    {
        None,
        NotFound,     // nothing stored under the key
        NoBackend,    // no keychain service reachable (no Secret Service, no D-Bus session...)
        AccessDenied, // keychain locked, or the user refused
        Timeout,      // the keychain did not answer in time (e.g. stuck on an unlock prompt)
        Other
    };
    Kind kind = None;
    QString message; // a sentence for people; never contains a secret

    bool isError() const { return kind != None; }
};

// Secrets in the platform keychain (QtKeychain: Secret Service on Linux, Keychain on macOS,
// Credential Manager on Windows), asynchronously and always with a timeout: a missing or locked
// keyring must never hang the app. Keys are namespaced by profile (keyFor), under one service
// name. Values larger than chunkSize() are split into "<key>/0".."<key>/N-1" with the header
// "chunks:N" stored under "<key>" (Windows' Credential Manager caps a blob at about 2.5 KB,
// and a PEM private key is bigger).
//
// Callbacks run later on the event loop, exactly once, unless their context object or this store
// is destroyed first. QtKeychain runs one job at a time, so after a timeout later operations may
// time out too until the stuck job ends; a late result is ignored.
class CredentialStore : public QObject
{
    Q_OBJECT
public:
    enum class Secret
    {
        BearerToken,
        ClientSecret,
        PrivateKey
    };
    using ReadCallback = std::function<void(const QByteArray &value, const CredentialError &error)>;
    using DoneCallback = std::function<void(const CredentialError &error)>;

    static constexpr int kDefaultTimeoutMs = 5000;
    // Keeps a header that is not "chunks:<number>" from being taken for one.
    static constexpr int kMaxChunks = 4096;

    // "Cohort Export"; tests use a unique service so they never touch real entries.
    static QString defaultService();
    explicit CredentialStore(const QString &service = defaultService(), QObject *parent = nullptr);
    ~CredentialStore() override;

    QString service() const;

    // "profile/<id>/bearer-token", "profile/<id>/client-secret", "profile/<id>/private-key".
    static QString keyFor(const QString &profileId, Secret secret);
    // The name QtKeychain stores a key under: the key itself, or on Windows "<service>/<key>"
    // (its Credential Manager backend ignores the service, so the key must carry it).
    QString storageKey(const QString &key) const;

    // Per keychain job, in milliseconds (default 5000).
    int timeout() const;
    void setTimeout(int milliseconds);

    // 2000 bytes on Windows, 0 (no chunking) elsewhere.
    static int platformChunkSize();
    int chunkSize() const;
    // 0 turns chunking off. Settable so tests on Linux exercise chunking.
    void setChunkSize(int bytes);

    // Only when the user explicitly chooses it: values then live in this object's memory only
    // (never in a file) and the keychain is not used. Turning it off forgets those values.
    bool isSessionOnly() const;
    void setSessionOnly(bool sessionOnly);

    // NotFound when nothing is stored under key.
    void read(const QString &key, QObject *context, ReadCallback callback);
    // Replaces any previous value, including stale chunks of a longer one.
    void write(const QString &key, const QByteArray &value, QObject *context,
               DoneCallback callback);
    // Removes the value and all its chunks; removing a missing key succeeds.
    void remove(const QString &key, QObject *context, DoneCallback callback);
    // Removes every secret of a profile; stops at the first error.
    void removeProfileSecrets(const QString &profileId, QObject *context, DoneCallback callback);

private:
    using JobCallback = std::function<void(const QByteArray &data, const CredentialError &error)>;
    struct Step
    {
        bool write = true; // else delete
        QString key;
        QByteArray data;
    };

    void runJob(QKeychain::Job *job, const QString &key, JobCallback done);
    void readEntry(const QString &key, JobCallback done);
    void readChunks(const QString &key, int count, int index, const QByteArray &collected,
                    JobCallback done);
    void runSteps(QList<Step> steps, DoneCallback done);
    void removeKeys(QList<QString> keys, DoneCallback done);
    CredentialError errorFromJob(const QKeychain::Job *job) const;
    void postLater(std::function<void()> call);

    QString m_service;
    int m_timeoutMs = kDefaultTimeoutMs;
    int m_chunkSize = platformChunkSize();
    bool m_sessionOnly = false;
    QHash<QString, QByteArray> m_session;
};

} // namespace cohort::auth
