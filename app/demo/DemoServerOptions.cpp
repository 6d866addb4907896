#include "DemoServerOptions.h"

namespace cohort::demo {

const QList<FaultInfo> &allFaults()
{
    static const QList<FaultInfo> faults = {
        {Fault::Kickoff429, QStringLiteral("kickoff-429"),
         QStringLiteral("kick-off answers 429 Too Many Requests with Retry-After once"), true},
        {Fault::Poll429, QStringLiteral("poll-429"),
         QStringLiteral("the first status poll of each export answers 429 with Retry-After"), true},
        {Fault::Transient, QStringLiteral("transient"),
         QStringLiteral("the first status poll of each export answers 503 with an OperationOutcome "
                        "of code 'transient'"),
         true},
        {Fault::Fatal, QStringLiteral("fatal"),
         QStringLiteral("every export fails: status polls answer 500 with an OperationOutcome"),
         false},
        {Fault::RetryAfterDate, QStringLiteral("retry-after-date"),
         QStringLiteral("in-progress status responses give Retry-After as an HTTP-date"), true},
        {Fault::BadManifest, QStringLiteral("bad-manifest"),
         QStringLiteral("the completed status response carries a malformed manifest"), false},
        {Fault::DropConnection, QStringLiteral("drop-connection"),
         QStringLiteral("the first download of each file stops half-way and the connection closes"),
         true},
        {Fault::SlowFiles, QStringLiteral("slow-files"),
         QStringLiteral("file bodies trickle out in small chunks"), true},
        {Fault::SecondOrigin, QStringLiteral("second-origin"),
         QStringLiteral("file URLs point at a second loopback origin with requiresAccessToken "
                        "false; that origin records any Authorization header it receives"),
         true},
        {Fault::RedirectFiles, QStringLiteral("redirect-files"),
         QStringLiteral("file downloads answer 307 to the second origin"), true},
        {Fault::TokenExpiry, QStringLiteral("token-expiry"),
         QStringLiteral("with --auth, the access token used for the first request of each file is "
                        "revoked there (401), as if it expired mid-export"),
         true},
        {Fault::ExpiringUrls, QStringLiteral("expiring-urls"),
         QStringLiteral("the file URLs of each export's first manifest answer 410 Gone, like "
                        "expired signed URLs; later manifests from the status URL carry fresh ones"),
         true},
    };
    return faults;
}

std::optional<Fault> faultFromName(QStringView name)
{
    for (const FaultInfo &info : allFaults()) {
        if (info.name == name)
            return info.fault;
    }
    return std::nullopt;
}

QString faultName(Fault fault)
{
    for (const FaultInfo &info : allFaults()) {
        if (info.fault == fault)
            return info.name;
    }
    return {};
}

} // namespace cohort::demo
