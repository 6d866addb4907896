// CapabilityStatement::fromJson over whatever /metadata answers.
#include "FuzzSupport.h"

#include "fhir/CapabilityStatement.h"

#include <QJsonDocument>

using namespace cohort;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QJsonObject json = QJsonDocument::fromJson(fuzz::bytes(data, size)).object();
    QString error;
    const auto statement = fhir::CapabilityStatement::fromJson(json, &error);
    if (!statement) {
        FUZZ_CHECK(!error.isEmpty());
        return 0;
    }
    const QStringList types = statement->resourceTypes();
    for (qsizetype i = 1; i < types.size(); ++i)
        FUZZ_CHECK(types.at(i - 1) < types.at(i));
    for (const QString &type : types) {
        const fhir::ResourceCapability *resource = statement->resource(type);
        FUZZ_CHECK(resource && resource->type == type && !type.isEmpty());
    }
    FUZZ_CHECK(!statement->resource(QString()));
    return 0;
}
