#include "CapabilitiesCommand.h"

#include "fhir/CapabilityStatement.h"
#include "fhir/FhirClient.h"
#include "fhir/TokenProvider.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
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
        "levels, SMART token endpoint, and resource types with their interactions. An access "
        "token, when needed, is read from an environment variable, never from the command "
        "line."_s);
    parser.addHelpOption();
    const QCommandLineOption server(u"server"_s, u"FHIR base URL, e.g. https://example.org/fhir."_s,
                                    u"URL"_s);
    const QCommandLineOption tokenEnv(
        u"token-env"_s, u"Environment variable holding a bearer access token."_s, u"VAR"_s);
    const QCommandLineOption caCert(
        u"ca-cert"_s, u"PEM file with CA certificates to trust besides the system's."_s, u"FILE"_s);
    parser.addOptions({server, tokenEnv, caCert});
    parser.process(arguments.mid(1)); // "cohort-export capabilities ..." minus the program name

    auto fail = [&](const QString &message) {
        err << "cohort-export capabilities: " << message << '\n';
        err.flush();
        return 1;
    };
    if (!parser.positionalArguments().isEmpty())
        return fail(
            u"unexpected argument '%1'; see --help."_s.arg(parser.positionalArguments().first()));
    if (!parser.isSet(server))
        return fail(u"--server is required (the FHIR base URL, e.g. https://example.org/fhir)."_s);
    const QUrl baseUrl(parser.value(server), QUrl::StrictMode);
    if (!baseUrl.isValid() || baseUrl.host().isEmpty() ||
        (baseUrl.scheme() != "http"_L1 && baseUrl.scheme() != "https"_L1))
        return fail(u"'%1' is not an http:// or https:// URL."_s.arg(parser.value(server)));

    QString token;
    if (parser.isSet(tokenEnv)) {
        const QString variable = parser.value(tokenEnv);
        token = qEnvironmentVariable(variable.toLocal8Bit().constData()).trimmed();
        if (token.startsWith("Bearer "_L1, Qt::CaseInsensitive))
            token = token.mid(7).trimmed();
        if (token.isEmpty())
            return fail(u"the environment variable %1 is not set or empty."_s.arg(variable));
    }

    QNetworkAccessManager network;
    fhir::FhirClient client(&network, baseUrl);
    fhir::StaticTokenProvider provider(token);
    if (!token.isEmpty())
        client.setTokenProvider(&provider);
    if (parser.isSet(caCert)) {
        QFile file(parser.value(caCert));
        if (!file.open(QIODevice::ReadOnly))
            return fail(u"cannot read %1: %2"_s.arg(file.fileName(), file.errorString()));
        QString error;
        if (!client.addTrustedCaCertificates(file.readAll(), &error))
            return fail(u"%1: %2"_s.arg(file.fileName(), error));
    }

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
