// X-Progress: free text with maybe a percentage.
#include "FuzzSupport.h"

#include "export/StatusParsing.h"

using namespace cohort;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView header(reinterpret_cast<const char *>(data), qsizetype(size));
    const bulk::ServerProgress progress = bulk::parseXProgress(header);
    FUZZ_CHECK(progress.percent >= -1 && progress.percent <= 100);
    FUZZ_CHECK(progress.text.size() <= 200);
    return 0;
}
