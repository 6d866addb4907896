// FHIR instant parsing (transactionTime, _since) and its round trip through formatInstant.
#define COHORT_FUZZ_OWN_INITIALIZE
#include "FuzzSupport.h"

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
    const QString text = QString::fromUtf8(reinterpret_cast<const char *>(data), qsizetype(size));
    QString error;
    const auto instant = fhir::parseInstant(text, &error);
    if (!instant) {
        FUZZ_CHECK(!error.isEmpty());
        return 0;
    }
    // Exactly the instant's characters: no trailing newline ("$" would have allowed one).
    FUZZ_CHECK(text.size() >= 20 && !text.contains(QLatin1Char('\n')));
    FUZZ_CHECK(instant->isValid());
    FUZZ_CHECK(instant->timeSpec() == Qt::UTC);
    if (instant->date().year() >= 1 && instant->date().year() <= 9999) {
        const QString written = fhir::formatInstant(*instant);
        const auto again = fhir::parseInstant(written);
        FUZZ_CHECK(again && *again == *instant);
    }
    return 0;
}
