// Group::fromJson, Group::patientIdFromReference and the Group search's Bundle pages
// (parseGroupPage): a Bundle is read as a page, anything else as a Group.
#include "FuzzSupport.h"

#include "fhir/Group.h"
#include "fhir/GroupSearch.h"

#include <QJsonDocument>

using namespace cohort;

namespace {

void checkGroup(const fhir::Group &group)
{
    FUZZ_CHECK(group.memberCount() == group.memberReferences.size());
    FUZZ_CHECK(!group.quantity || *group.quantity >= 0);
    for (const QString &reference : group.memberReferences) {
        FUZZ_CHECK(!reference.isEmpty());
        (void)fhir::Group::patientIdFromReference(reference);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const QUrl pageUrl(QStringLiteral("https://fhir.example.org/fhir/Group?_count=50"));
    const QJsonObject json = QJsonDocument::fromJson(fuzz::bytes(data, size)).object();
    if (const auto page = fhir::parseGroupPage(json, pageUrl)) {
        FUZZ_CHECK(page->next != pageUrl);
        FUZZ_CHECK(page->next.isEmpty() || page->next.isValid());
        for (const fhir::Group &group : page->groups)
            checkGroup(group);
        return 0;
    }
    QString error;
    if (const auto group = fhir::Group::fromJson(json, &error))
        checkGroup(*group);
    else
        FUZZ_CHECK(!error.isEmpty());
    return 0;
}
