#include "DemoServerCommand.h"

#include "SignalWatcher.h"
#include "demo/DemoServer.h"
#include "demo/SyntheticCohort.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>

namespace cohort::cli {

using namespace Qt::StringLiterals;

namespace {

QString faultHelp()
{
    QString text = u"\nFaults (--fault NAME, repeatable):\n"_s;
    for (const demo::FaultInfo &info : demo::allFaults()) {
        text += u"  %1%2%3\n"_s.arg(info.name, -18)
                    .arg(info.description, info.recoverable ? QString() : u" (not recoverable)"_s);
    }
    text += u"\nRecoverable faults strike once per request target, so a correct client completes "
            "the export.\n"_s;
    return text;
}

} // namespace

int runDemoServerCommand(const QStringList &arguments)
{
    QTextStream out(stdout);
    QTextStream err(stderr);

    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Runs the built-in FHIR Bulk Data demo server on 127.0.0.1 until interrupted. The first "
        "line of standard output is its FHIR base URL."_s +
        faultHelp());
    parser.addHelpOption();
    const QCommandLineOption port(u"port"_s, u"TCP port on 127.0.0.1 (0: chosen by the system)."_s,
                                  u"N"_s, u"0"_s);
    const QCommandLineOption patients(u"patients"_s, u"Number of synthetic patients."_s, u"N"_s,
                                      u"500"_s);
    const QCommandLineOption seed(
        u"seed"_s, u"Seed of the synthetic data (same seed, same data)."_s, u"S"_s, u"1"_s);
    const QCommandLineOption exportSeconds(
        u"export-seconds"_s, u"How long each export stays in progress."_s, u"S"_s, u"3"_s);
    const QCommandLineOption pageSize(u"manifest-page-size"_s,
                                      u"Output files per manifest page, linked with "
                                      "link[next] (default: one page)."_s,
                                      u"N"_s, u"0"_s);
    const QCommandLineOption perFile(u"resources-per-file"_s,
                                     u"Resources per output file before a new file starts."_s,
                                     u"N"_s, u"2000"_s);
    const QCommandLineOption auth(
        u"auth"_s, u"Require authorization (needs --client-id and at least one of --jwks and "
                   "--client-secret-env): SMART Backend Services with --jwks, "
                   "client_secret_basic with --client-secret-env."_s);
    const QCommandLineOption clientId(u"client-id"_s, u"The client id allowed to get tokens."_s,
                                      u"ID"_s);
    const QCommandLineOption jwks(u"jwks"_s, u"JWKS file with the client's public keys."_s,
                                  u"FILE"_s);
    const QCommandLineOption clientSecretEnv(
        u"client-secret-env"_s,
        u"Also accept client_secret_basic with the client secret read from this environment "
        "variable (never pass secrets as arguments)."_s,
        u"VAR"_s);
    const QCommandLineOption tokenLifetime(
        u"token-lifetime"_s, u"Access token lifetime in seconds."_s, u"S"_s, u"300"_s);
    const QCommandLineOption fault(u"fault"_s, u"Inject a fault (see the list below)."_s,
                                   u"NAME"_s);
    parser.addOptions({port, patients, seed, exportSeconds, perFile, pageSize, auth, clientId, jwks,
                       clientSecretEnv, tokenLifetime, fault});
    parser.process(arguments.mid(1)); // "cohort-export demo-server ..." minus the program name

    auto fail = [&](const QString &message) {
        err << "cohort-export demo-server: " << message << '\n';
        err.flush();
        return 1;
    };
    auto number = [&](const QCommandLineOption &option, qint64 min, qint64 max, bool *ok) {
        const qint64 value = parser.value(option).toLongLong(ok);
        *ok = *ok && value >= min && value <= max;
        return value;
    };

    demo::DemoServerOptions options;
    bool ok = false;
    options.port = quint16(number(port, 0, 65535, &ok));
    if (!ok)
        return fail(u"--port must be a number from 0 to 65535."_s);
    options.patients = int(number(patients, 1, 1000000, &ok));
    if (!ok)
        return fail(u"--patients must be a number from 1 to 1000000."_s);
    options.seed = quint64(number(seed, 0, std::numeric_limits<qint64>::max(), &ok));
    if (!ok)
        return fail(u"--seed must be a non-negative number."_s);
    options.exportSeconds = parser.value(exportSeconds).toDouble(&ok);
    if (!ok || options.exportSeconds < 0 || options.exportSeconds > 86400)
        return fail(u"--export-seconds must be a number of seconds from 0 to 86400."_s);
    options.resourcesPerFile = int(number(perFile, 1, 100000000, &ok));
    if (!ok)
        return fail(u"--resources-per-file must be a positive number."_s);
    options.manifestPageSize = int(number(pageSize, 0, 100000, &ok));
    if (!ok)
        return fail(u"--manifest-page-size must be a number from 0 to 100000."_s);
    options.tokenLifetimeSeconds = int(number(tokenLifetime, 1, 86400, &ok));
    if (!ok)
        return fail(u"--token-lifetime must be a number of seconds from 1 to 86400."_s);
    for (const QString &name : parser.values(fault)) {
        const auto f = demo::faultFromName(name);
        if (!f)
            return fail(u"unknown fault '%1'; see --help for the list."_s.arg(name));
        options.faults.insert(*f);
    }
    options.auth = parser.isSet(auth);
    if (options.auth) {
        if (!parser.isSet(clientId) || (!parser.isSet(jwks) && !parser.isSet(clientSecretEnv)))
            return fail(u"--auth needs --client-id and at least one of --jwks FILE and "
                        "--client-secret-env VAR."_s);
        options.clientId = parser.value(clientId);
        if (parser.isSet(jwks)) {
            QFile file(parser.value(jwks));
            if (!file.open(QIODevice::ReadOnly))
                return fail(u"cannot read %1: %2"_s.arg(file.fileName(), file.errorString()));
            const QJsonDocument doc = QJsonDocument::fromJson(file.readAll());
            QString error;
            options.clientKeys = auth::keysFromJwks(doc.object(), &error);
            if (options.clientKeys.isEmpty())
                return fail(u"%1 holds no usable public key: %2"_s.arg(file.fileName(), error));
        }
        if (parser.isSet(clientSecretEnv)) {
            const QString variable = parser.value(clientSecretEnv);
            options.clientSecret = qEnvironmentVariable(variable.toLocal8Bit().constData());
            if (options.clientSecret.isEmpty())
                return fail(u"the environment variable %1 is not set or empty."_s.arg(variable));
        }
    } else if (parser.isSet(clientId) || parser.isSet(jwks) || parser.isSet(clientSecretEnv)) {
        return fail(u"--client-id, --jwks and --client-secret-env only make sense with --auth."_s);
    }

    // Before the URL is printed: whoever reads it may signal us right away.
    SignalWatcher watcher;
    QObject::connect(&watcher, &SignalWatcher::interrupted, qApp, [](int) { qApp->quit(); });

    demo::DemoServer server(options);
    QString error;
    if (!server.start(&error))
        return fail(error);
    out << server.baseUrl().toString() << '\n';
    out.flush();
    err << "Serving " << options.patients << " synthetic patients in "
        << server.cohort().groups().size() << " groups; press Ctrl-C to stop.\n";
    err.flush();
    return QCoreApplication::exec();
}

} // namespace cohort::cli
