#pragma once

#include <QStringList>

namespace cohort::cli {

// `cohort-export profile list | show NAME | add NAME --server URL [...] | remove NAME |
// export FILE [NAME...] | import FILE`: manages the server profiles the app shows. Secrets go
// to the keychain and are read only from files (--key) or environment variables
// (--token-env, --client-secret-env), never from the command line. arguments[0] is the
// program name, arguments[1] "profile". Returns the exit code (0 success, 1 failure).
int runProfileCommand(const QStringList &arguments);

// `cohort-export keygen [--alg ES384|RS384] --out-jwks FILE [--kid KID] [--out-key FILE]
// [--profile NAME]`: generates a SMART Backend Services key pair, writes the public JWKS to
// register with the server, and keeps the private key in the keychain for the profile and/or
// in a PEM file only its owner can read. arguments[1] is "keygen".
int runKeygenCommand(const QStringList &arguments);

} // namespace cohort::cli
