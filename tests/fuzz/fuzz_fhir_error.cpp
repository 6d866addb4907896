// OperationOutcome and error-body mapping: parseOperationOutcome, bodyExcerptOf,
// FhirError::fromHttpResponse and the sentence built from them. The first two bytes choose the
// HTTP status; the rest is the body.
#include "FuzzSupport.h"

#include "fhir/FhirError.h"

using namespace cohort;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int status = 500;
    if (size >= 2) {
        status = 100 + (data[0] << 8 | data[1]) % 500;
        data += 2;
        size -= 2;
    }
    const QByteArrayView body(reinterpret_cast<const char *>(data), qsizetype(size));

    if (const auto issues = fhir::parseOperationOutcome(body)) {
        for (const fhir::OutcomeIssue &issue : *issues)
            FUZZ_CHECK(issue.text == issue.text.trimmed());
    }
    const QString excerpt = fhir::bodyExcerptOf(body);
    FUZZ_CHECK(excerpt.size() <= 300);

    static const QUrl url(
        QStringLiteral("https://user:pw@fhir.example.org/fhir/$export?_type=Patient&code=x#f"));
    const fhir::FhirError error = fhir::FhirError::fromHttpResponse(status, body, url);
    FUZZ_CHECK(error.kind == fhir::FhirError::Kind::Http);
    FUZZ_CHECK(error.httpStatus == status);
    FUZZ_CHECK(!error.url.hasQuery() && !error.url.hasFragment() && error.url.userInfo().isEmpty());
    FUZZ_CHECK(error.bodyExcerpt.size() <= 300);
    const QString message = error.message();
    FUZZ_CHECK(message.startsWith(QLatin1String("The server answered ")));
    (void)error.isTransient();
    return 0;
}
