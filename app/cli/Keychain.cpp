#include "Keychain.h"

#include <QCoreApplication>
#include <QTimer>

namespace cohort::cli {

QString keychainService()
{
    const QString service = qEnvironmentVariable("COHORT_KEYCHAIN_SERVICE");
    return service.isEmpty() ? auth::CredentialStore::defaultService() : service;
}

auth::CredentialError awaitKeychain(const std::function<void(auth::CredentialStore::DoneCallback)> &start)
{
    auth::CredentialError result;
    // Started from inside exec() so that exit() never comes before the loop runs.
    QTimer::singleShot(0, QCoreApplication::instance(), [&] {
        start([&result](const auth::CredentialError &error) {
            result = error;
            QCoreApplication::exit(0);
        });
    });
    QCoreApplication::exec();
    return result;
}

auth::CredentialError readSecret(auth::CredentialStore &store, const QString &key, QByteArray *value)
{
    return awaitKeychain([&](auth::CredentialStore::DoneCallback done) {
        store.read(key, nullptr, [value, done](const QByteArray &data, const auth::CredentialError &error) {
            *value = data;
            done(error);
        });
    });
}

} // namespace cohort::cli
