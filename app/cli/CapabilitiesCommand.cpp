#include "CapabilitiesCommand.h"

#include "ConnectionOptions.h"
#include "fhir/CapabilityStatement.h"
#include "fhir/FhirClient.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QNetworkAccessManager>
#include <QTextStream>

namespace cohort::cli {

using namespace Qt::StringLiterals;

namespace {

void printStatement(QTextStream &out, const fhir::CapabilityStatement &cs,
                    const QUrl &tokenEndpoint, const QString &tokenSource)
{
    auto line = [&out](const QString &label, const QString &value) {
        out << (label + u':').leftJustified(17) << (value.isEmpty() ? u"-"_s : value) << '\n';
    };
    QString software = cs.softwareName;
    if (!cs.softwareVersion.isEmpty())
        software += (software.isEmpty() ? QString() : u" "_s) + cs.softwareVersion;
    line(u"Server software"_s, software);
    if (!cs.implementationDescription.isEmpty())
        line(u"Description"_s, cs.implementationDescription);
    line(u"FHIR version"_s, cs.fhirVersion);

    QStringList levels;
    if (cs.systemExport)
        levels << u"system ([base]/$export)"_s;
    if (cs.patientExport)
        levels << u"patient (Patient/$export)"_s;
    if (cs.groupExport)
        levels << u"group (Group/[id]/$export)"_s;
    line(u"Bulk export"_s, levels.isEmpty() ? u"none advertised"_s : levels.join(u", "_s));
    line(u"Token endpoint"_s, tokenEndpoint.isEmpty()
                                  ? u"none advertised (the server may not need authorization)"_s
                                  : u"%1 (from %2)"_s.arg(tokenEndpoint.toString(), tokenSource));
    if (!cs.authorizeEndpoint.isEmpty())
        line(u"Authorize"_s, cs.authorizeEndpoint.toString());

    const QStringList types = cs.resourceTypes();
    out << "\nResource types (" << types.size() << "):\n";
    qsizetype width = 0;
    for (const QString &type : types)
        width = qMax(width, type.size());
    for (const QString &type : types) {
        const fhir::ResourceCapability *r = cs.resource(type);
        QStringList parts;
        if (!r->interactions.isEmpty())
            parts << r->interactions.join(u", "_s);
        if (!r->searchParams.isEmpty())
            parts << u"search: "_s + r->searchParams.join(u", "_s);
        if (!r->operations.isEmpty())
            parts << u"operations: "_s + r->operations.join(u", "_s);
        out << "  " << type.leftJustified(width) << "  "
            << (parts.isEmpty() ? u"-"_s : parts.join(u"; "_s)) << '\n';
    }
    out.flush();
}

} // namespace

int runCapabilitiesCommand(const QStringList &arguments)
{
    QTextStream out(stdout);
    QTextStream err(stderr);

    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Shows what a FHIR server says it can do: its software, FHIR version, Bulk Data export "
        "levels, SMART token endpoint, and resource types with their interactions. Secrets (a "
        "bearer token, a client secret) are read from environment variables and a private key "
        "from a file, never from the command line."_s);
    parser.addHelpOption();
    const ConnectionOptions connection;
    connection.addTo(parser);
    parser.process(arguments.mid(1)); // "cohort-export capabilities ..." minus the program name

    auto fail = [&](const QString &message) {
        err << "cohort-export capabilities: " << message << '\n';
        err.flush();
        return 1;
    };
    if (!parser.positionalArguments().isEmpty())
        return fail(
            u"unexpected argument '%1'; see --help."_s.arg(parser.positionalArguments().first()));
    ConnectionSettings settings;
    QString problem;
    QNetworkAccessManager network;
    const std::unique_ptr<fhir::FhirClient> connected =
        connection.open(parser, &network, &settings, &problem);
    if (!connected)
        return fail(problem);
    fhir::FhirClient &client = *connected;
    const QUrl baseUrl = settings.server;

    const QString where = baseUrl.toString(QUrl::RemoveQuery | QUrl::RemoveUserInfo);
    fhir::FhirCall *metadata = client.get(u"metadata"_s);
    QObject::connect(
        metadata, &fhir::FhirCall::finished, &client, [&](const fhir::FhirResponse &r) {
            if (r.error.isError()) {
                fail(u"could not read the capabilities of %1. %2"_s.arg(where, r.error.message()));
                QCoreApplication::exit(1);
                return;
            }
            QString error;
            const auto cs = fhir::CapabilityStatement::fromJson(r.json(), &error);
            if (!cs) {
                fail(u"%1/metadata did not answer with a CapabilityStatement: %2"_s.arg(where,
                                                                                        error));
                QCoreApplication::exit(1);
                return;
            }
            // SMART discovery is the authoritative place for the token endpoint; the
            // CapabilityStatement's oauth-uris extension is the older one. Either may be missing.
            fhir::RequestOptions options;
            options.accept = "application/json";
            fhir::FhirCall *smart = client.get(u".well-known/smart-configuration"_s, options);
            QObject::connect(
                smart, &fhir::FhirCall::finished, &client,
                [&out, statement = *cs](const fhir::FhirResponse &s) {
                    const QUrl fromSmart(s.json().value("token_endpoint"_L1).toString(),
                                         QUrl::StrictMode);
                    if (!s.error.isError() && fromSmart.isValid() && !fromSmart.isEmpty()) {
                        printStatement(out, statement, fromSmart,
                                       u".well-known/smart-configuration"_s);
                    } else {
                        printStatement(out, statement, statement.tokenEndpoint,
                                       u"the CapabilityStatement"_s);
                    }
                    QCoreApplication::exit(0);
                });
        });
    return QCoreApplication::exec();
}

} // namespace cohort::cli
