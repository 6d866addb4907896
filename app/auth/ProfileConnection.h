#pragma once

#include "ClientFactory.h"
#include "CredentialStore.h"
#include "ServerProfile.h"

#include <QString>

#include <optional>

namespace cohort::auth {

// The one step from a saved profile to a connection, for the desktop app (ServerSession, the
// profile dialog) and the command line (ConnectionOptions, ProfileCommand), so that the two
// never read a profile or its secret differently.

// The keychain secret a sign-in method needs; none for an open server.
std::optional<CredentialStore::Secret> secretFor(ServerProfile::AuthMethod method);

// A profile as connection settings, all but the secret (putSecret() adds it once the keychain
// answered). The built-in demo profile's URL is the running demo server's: the caller's to set.
ConnectionSettings connectionFor(const ServerProfile &profile);

// A bearer token as it is stored and sent: without surrounding white space (a pasted token
// often ends with a newline, which no Authorization header can carry) and without a leading
// "Bearer " (copied with the header's scheme).
QString normalizedBearerToken(QString token);

// The secret read from the keychain into settings: a bearer token normalized, a client secret
// and a private key as they are (a secret's spaces are its own).
void putSecret(ConnectionSettings *settings, CredentialStore::Secret which,
               const QByteArray &value);

} // namespace cohort::auth
