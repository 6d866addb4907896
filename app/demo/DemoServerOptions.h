#pragma once

#include "auth/Jwk.h"

#include <QList>
#include <QSet>
#include <QString>
#include <optional>

namespace cohort::demo {

// Misbehaviours the demo server can be told to show, so clients (ours in tests, anyone's from
// the command line) can prove they cope with what real Bulk Data servers do.
enum class Fault
{
    Kickoff429,
    Poll429,
    Transient,
    Fatal,
    RetryAfterDate,
    BadManifest,
    DropConnection,
    SlowFiles,
    SecondOrigin,
    RedirectFiles,
    TokenExpiry,
    ExpiringUrls,
};

struct FaultInfo
{
    Fault fault;
    QString name;        // command-line name, e.g. "kickoff-429"
    QString description; // one line for --help
    bool recoverable;    // a correct client completes the export despite it
};

const QList<FaultInfo> &allFaults();
std::optional<Fault> faultFromName(QStringView name);
QString faultName(Fault fault);

struct DemoServerOptions
{
    quint16 port = 0; // 0: the OS picks one
    int patients = 500;
    quint64 seed = 1;
    double exportSeconds = 3.0; // how long a kick-off stays "in progress"
    int resourcesPerFile = 2000;
    int expiresSeconds = 3600; // the Expires header of a complete export: now + this (may be < 0)
    int manifestPageSize = 0; // output entries per manifest page (link next); 0: one page

    bool auth = false;
    QString clientId;
    QList<auth::Key> clientKeys; // public keys registered for clientId
    // When set, the token endpoint also accepts client_secret_basic (Authorization: Basic)
    // with clientId and this secret, as an alternative to the JWT assertion.
    QString clientSecret;
    int tokenLifetimeSeconds = 300;

    QSet<Fault> faults;
    int faultStrikes = 1; // how often a recoverable fault strikes each request target
    int slowChunkBytes = 16 * 1024;
    int slowChunkIntervalMs = 25;

    bool has(Fault f) const { return faults.contains(f); }
};

} // namespace cohort::demo
