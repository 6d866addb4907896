#pragma once

#include <QString>

namespace cohort {

inline QString appVersion()
{
    return QStringLiteral(COHORT_VERSION);
}

inline QString userAgent()
{
    return QStringLiteral("CohortExport/") + appVersion();
}

} // namespace cohort
