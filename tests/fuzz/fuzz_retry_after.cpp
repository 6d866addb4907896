// Retry-After (delta-seconds or an HTTP-date) and HTTP-date parsing.
#define COHORT_FUZZ_OWN_INITIALIZE
#include "FuzzSupport.h"

#include "export/StatusParsing.h"
#include "fhir/FhirDateTime.h"

#include <ctime>

using namespace cohort;

// A zone with a daylight-saving gap: nothing here may depend on local time, and a round trip
// through a local time would break for the hour that does not exist (see tst_FhirDateTime).
extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    qputenv("TZ", "Europe/Berlin");
    tzset();
    fuzz::initQt();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const QDateTime now(QDate(2024, 1, 15), QTime(10, 30), Qt::UTC);
    const QByteArrayView header(reinterpret_cast<const char *>(data), qsizetype(size));

    if (const auto wait = bulk::parseRetryAfter(header, now)) {
        FUZZ_CHECK(wait->seconds >= bulk::kMinRetryAfterSeconds);
        FUZZ_CHECK(wait->seconds <= bulk::kMaxRetryAfterSeconds);
        FUZZ_CHECK(wait->clamped == !wait->note.isEmpty());
    }
    if (const auto when = fhir::parseHttpDate(header)) {
        FUZZ_CHECK(when->isValid());
        FUZZ_CHECK(when->timeSpec() == Qt::UTC);
        // What we parse, we can write and read back (four-digit years: the format's range).
        if (when->date().year() >= 1000 && when->date().year() <= 9999) {
            const QByteArray written = fhir::formatHttpDate(*when);
            const auto again = fhir::parseHttpDate(written);
            FUZZ_CHECK(again && *again == when->addMSecs(-when->time().msec()));
        }
    }
    return 0;
}
