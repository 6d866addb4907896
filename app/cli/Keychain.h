#pragma once

#include "auth/CredentialStore.h"

#include <functional>

namespace cohort::cli {

// The keychain service the commands use; COHORT_KEYCHAIN_SERVICE moves it (tests, side-by-side
// installs) so their entries stay apart from the real ones.
QString keychainService();

// Runs one keychain operation on the application's event loop until its callback. The store
// bounds every job with a timeout, so this returns even when the keyring is missing, locked or
// stuck. Headless commands only: it runs QCoreApplication::exec().
auth::CredentialError awaitKeychain(const std::function<void(auth::CredentialStore::DoneCallback)> &start);

// Reads one secret the same way.
auth::CredentialError readSecret(auth::CredentialStore &store, const QString &key, QByteArray *value);

} // namespace cohort::cli
