// Manifest::parse: the completed-export manifest, straight from the server.
#include "FuzzSupport.h"

#include "export/Manifest.h"

#include <QRegularExpression>

using namespace cohort;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const QUrl page(QStringLiteral("https://fhir.example.org/fhir/bulkstatus/42?page=1"));
    // What may reach the disk: a plain type name, a sequence, never a server-chosen path.
    static const QRegularExpression safeName(
        QStringLiteral("^(error/|deleted/)?[A-Za-z]{1,64}\\.[0-9]{3,}\\.ndjson$"));

    QString error;
    const auto manifest = bulk::Manifest::parse(fuzz::bytes(data, size), page, &error);
    if (!manifest) {
        FUZZ_CHECK(!error.isEmpty());
        return 0;
    }
    FUZZ_CHECK(manifest->transactionTime.isValid());
    FUZZ_CHECK(manifest->transactionTime.timeSpec() == Qt::UTC);
    const struct
    {
        const QList<bulk::ManifestFile> *files;
        QString subfolder;
    } lists[] = {{&manifest->output, {}},
                 {&manifest->error, QStringLiteral("error/")},
                 {&manifest->deleted, QStringLiteral("deleted/")}};
    for (const auto &list : lists) {
        int sequence = 0;
        for (const bulk::ManifestFile &file : *list.files) {
            FUZZ_CHECK(!file.type.isEmpty());
            FUZZ_CHECK(file.url.isValid());
            FUZZ_CHECK(file.url.scheme() == QLatin1String("https") ||
                       file.url.scheme() == QLatin1String("http"));
            FUZZ_CHECK(file.count >= -1);
            const QString name = bulk::localFileName(file.type, ++sequence, list.subfolder);
            FUZZ_CHECK(safeName.match(name).hasMatch());
        }
    }
    bulk::Manifest twice = *manifest;
    twice.append(*manifest);
    FUZZ_CHECK(twice.output.size() == 2 * manifest->output.size());
    return 0;
}
