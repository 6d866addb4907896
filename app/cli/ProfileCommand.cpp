#include "ProfileCommand.h"

#include "Keychain.h"
#include "auth/CredentialStore.h"
#include "auth/Jwk.h"
#include "auth/PrivateFile.h"
#include "auth/ProfileConnection.h"
#include "auth/ProfileStore.h"
#include "auth/ServerProfile.h"
#include "export/ExportJournal.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QSettings>
#include <QSslCertificate>
#include <QTextStream>
#include <QTimer>

#include <functional>
#include <utility>

namespace cohort::cli {

using namespace Qt::StringLiterals;
using auth::CredentialError;
using auth::CredentialStore;
using auth::ProfileStore;
using auth::ServerProfile;
using AuthMethod = auth::ServerProfile::AuthMethod;

namespace {

constexpr qint64 kMaxKeyFileBytes = 1 << 20;
constexpr qint64 kMaxProfileFileBytes = 16 << 20;

// Reads a small file whole; empty with *error set on failure.
QByteArray readSmallFile(const QString &path, qint64 limit, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = u"cannot read %1: %2"_s.arg(path, file.errorString());
        return {};
    }
    if (file.size() > limit) {
        *error = u"%1 is too large (more than %2 bytes)."_s.arg(path).arg(limit);
        return {};
    }
    QByteArray data = file.readAll();
    if (data.isEmpty())
        *error = u"%1 is empty."_s.arg(path);
    return data;
}

// RFC 7638 JWK thumbprint: SHA-256 over the required public members, lexicographically ordered
// (QJsonObject keeps keys sorted) and without whitespace.
QString thumbprint(const auth::Key &key)
{
    const QJsonObject jwk = key.publicJwk();
    QJsonObject required;
    const QStringList members = jwk.value("kty"_L1).toString() == "EC"_L1
                                    ? QStringList{u"crv"_s, u"kty"_s, u"x"_s, u"y"_s}
                                    : QStringList{u"e"_s, u"kty"_s, u"n"_s};
    for (const QString &member : members)
        required.insert(member, jwk.value(member));
    const QByteArray digest = QCryptographicHash::hash(
        QJsonDocument(required).toJson(QJsonDocument::Compact), QCryptographicHash::Sha256);
    return QString::fromLatin1(auth::base64Url(digest));
}

QString orDash(const QString &text)
{
    return text.isEmpty() ? u"-"_s : text;
}

class ProfileCommand
{
public:
    explicit ProfileCommand(const QString &command)
        : m_command(command)
    {
    }

    int run(const QStringList &arguments);
    int keygen(const QStringList &arguments);

private:
    int fail(const QString &message)
    {
        m_err << "cohort-export " << m_command << ": " << message << '\n';
        m_err.flush();
        return 1;
    }
    void warn(const QString &message)
    {
        m_err << "cohort-export " << m_command << ": warning: " << message << '\n';
        m_err.flush();
    }
    // Parses "cohort-export profile SUB args..." and rejects a wrong number of positionals.
    bool parse(QCommandLineParser &parser, const QString &sub, const QStringList &arguments,
               qsizetype minPositional, qsizetype maxPositional, const QString &syntax);
    std::optional<ServerProfile> find(const QString &name);

    int list();
    int show(const QStringList &arguments);
    int add(const QStringList &arguments);
    int remove(const QStringList &arguments);
    int exportProfiles(const QStringList &arguments);
    int importProfiles(const QStringList &arguments);
    void printUsage(QTextStream &stream) const;

    QString m_command;
    QTextStream m_out{stdout};
    QTextStream m_err{stderr};
    QSettings m_settings; // the app's own settings; tests move them with COHORT_SETTINGS_DIR
    ProfileStore m_profiles{&m_settings};
    CredentialStore m_credentials{keychainService()};
};

void ProfileCommand::printUsage(QTextStream &stream) const
{
    stream << "Usage: cohort-export profile COMMAND [OPTIONS]\n\n"
              "Manages the FHIR server profiles the app offers. Secrets (tokens, client "
              "secrets,\nprivate keys) go to the system keychain, never to the settings file, "
              "and are read\nonly from files or environment variables.\n\n"
              "Commands:\n"
              "  list                    list the profiles\n"
              "  show NAME               show one profile\n"
              "  add NAME --server URL   add a profile (see profile add --help)\n"
              "  remove NAME             remove a profile and its secrets\n"
              "  export FILE [NAME...]   write profiles (all when no NAME) to FILE, without "
              "secrets\n"
              "  import FILE             add the profiles of FILE; taken names get \" (2)\"\n";
}

int ProfileCommand::run(const QStringList &arguments)
{
    const QString sub = arguments.value(2);
    const QStringList rest = arguments.mid(3);
    if (sub.isEmpty() || sub == "--help"_L1 || sub == "-h"_L1 || sub == "help"_L1) {
        QTextStream &stream = sub.isEmpty() ? m_err : m_out;
        printUsage(stream);
        stream.flush();
        return sub.isEmpty() ? 1 : 0;
    }
    if (sub == "list"_L1) {
        QCommandLineParser parser;
        if (!parse(parser, sub, rest, 0, 0, {}))
            return 1;
        return list();
    }
    if (sub == "show"_L1)
        return show(rest);
    if (sub == "add"_L1)
        return add(rest);
    if (sub == "remove"_L1)
        return remove(rest);
    if (sub == "export"_L1)
        return exportProfiles(rest);
    if (sub == "import"_L1)
        return importProfiles(rest);
    fail(u"unknown command '%1'."_s.arg(sub));
    printUsage(m_err);
    m_err.flush();
    return 1;
}

bool ProfileCommand::parse(QCommandLineParser &parser, const QString &sub,
                           const QStringList &arguments, qsizetype minPositional,
                           qsizetype maxPositional, const QString &syntax)
{
    parser.addHelpOption();
    if (!syntax.isEmpty())
        parser.addPositionalArgument(syntax, {});
    parser.process(QStringList{u"cohort-export %1 %2"_s.arg(m_command, sub)} + arguments);
    const qsizetype n = parser.positionalArguments().size();
    if (n < minPositional || n > maxPositional) {
        const QString usage = u"cohort-export %1 %2"_s.arg(m_command, sub) +
                              (syntax.isEmpty() ? QString() : u' ' + syntax);
        fail(u"usage: %1; see --help."_s.arg(usage));
        return false;
    }
    return true;
}

std::optional<ServerProfile> ProfileCommand::find(const QString &name)
{
    auto profile = m_profiles.profileByName(name);
    if (!profile)
        fail(u"there is no profile named '%1'; `cohort-export profile list` shows them."_s.arg(
            name));
    return profile;
}

int ProfileCommand::list()
{
    const QStringList header = {u"NAME"_s, u"ENVIRONMENT"_s, u"AUTH"_s, u"SERVER"_s};
    QList<QStringList> rows;
    for (const ServerProfile &p : m_profiles.profiles()) {
        const QString server =
            p.builtIn && p.baseUrl.isEmpty() ? u"(started by the app)"_s : p.baseUrl.toString();
        rows.append({p.name, orDash(p.environment), auth::authMethodName(p.auth), server});
    }
    QList<qsizetype> widths;
    for (const QString &title : header)
        widths.append(title.size());
    for (const QStringList &row : std::as_const(rows)) {
        for (qsizetype i = 0; i < row.size(); ++i)
            widths[i] = qMax(widths[i], row[i].size());
    }
    for (const QStringList &row : QList<QStringList>{header} + rows) {
        QString line;
        for (qsizetype i = 0; i < row.size(); ++i)
            line += row[i].leftJustified(widths[i] + 2);
        m_out << line.trimmed() << '\n';
    }
    m_out.flush();
    return 0;
}

int ProfileCommand::show(const QStringList &arguments)
{
    QCommandLineParser parser;
    if (!parse(parser, u"show"_s, arguments, 1, 1, u"NAME"_s))
        return 1;
    const auto p = find(parser.positionalArguments().first());
    if (!p)
        return 1;
    QList<std::pair<QString, QString>> lines = {
        {u"Name"_s, p->name},
        {u"Id"_s, p->id},
        {u"Server"_s,
         p->builtIn && p->baseUrl.isEmpty() ? u"(started by the app)"_s : p->baseUrl.toString()},
        {u"Environment"_s, orDash(p->environment)},
        {u"Authentication"_s,
         u"%1 (%2)"_s.arg(auth::authMethodDisplayName(p->auth), auth::authMethodName(p->auth))},
    };
    if (p->auth == AuthMethod::SmartBackend || p->auth == AuthMethod::ClientSecret) {
        lines.append({u"Client id"_s, orDash(p->clientId)});
        lines.append({u"Scopes"_s, p->scopes});
        lines.append({u"Token URL"_s, p->tokenUrl.isEmpty() ? u"(from the server's SMART "
                                                              "configuration)"_s
                                                            : p->tokenUrl.toString()});
    }
    if (p->auth == AuthMethod::SmartBackend) {
        lines.append({u"Key id"_s, orDash(p->keyId)});
        lines.append({u"Algorithm"_s, auth::algorithmName(p->algorithm)});
    }
    const qsizetype certificates = QSslCertificate::fromData(p->caCertificatePem).size();
    lines.append({u"CA certificates"_s, certificates == 0
                                            ? u"(system trust only)"_s
                                            : u"%1 besides the system's"_s.arg(certificates)});
    lines.append({u"Parallel downloads"_s, QString::number(p->parallelDownloads)});
    lines.append(
        {u"Output folder"_s, p->outputFolder.isEmpty() ? u"(default)"_s : p->outputFolder});
    const std::optional<CredentialStore::Secret> secret = auth::secretFor(p->auth);
    if (secret)
        lines.append(
            {u"Secret"_s, u"keychain service \"%1\", key \"%2\""_s.arg(
                              m_credentials.service(), CredentialStore::keyFor(p->id, *secret))});
    for (const auto &[label, value] : std::as_const(lines))
        m_out << (label + u':').leftJustified(20) << value << '\n';
    m_out.flush();
    return 0;
}

int ProfileCommand::add(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Adds a server profile. Secrets are read from a file (--key) or an environment "
        "variable (--token-env, --client-secret-env) and stored in the system keychain; when "
        "the keychain is not available, the profile is not added."_s);
    const QCommandLineOption server(u"server"_s, u"FHIR base URL, e.g. https://example.org/fhir."_s,
                                    u"URL"_s);
    const QCommandLineOption environment(u"environment"_s,
                                         u"A label such as Production or Preview."_s, u"E"_s);
    const QCommandLineOption authOption(
        u"auth"_s,
        u"none, bearer, smart-backend or client-secret (default: from the secret given)."_s,
        u"METHOD"_s);
    const QCommandLineOption clientId(u"client-id"_s, u"OAuth client id."_s, u"ID"_s);
    const QCommandLineOption scope(u"scope"_s, u"Requested scopes (default system/*.read)."_s,
                                   u"S"_s);
    const QCommandLineOption keyFile(
        u"key"_s, u"Private key for smart-backend, PEM or JWK; stored in the keychain."_s,
        u"FILE"_s);
    const QCommandLineOption keyId(
        u"key-id"_s, u"Key id (kid) registered with the server (default: the JWK's kid)."_s,
        u"KID"_s);
    const QCommandLineOption alg(u"alg"_s, u"ES384 or RS384 (default: the key's)."_s, u"ALG"_s);
    const QCommandLineOption tokenUrl(
        u"token-url"_s, u"Token endpoint, when the server does not advertise one."_s, u"URL"_s);
    const QCommandLineOption caCert(
        u"ca-cert"_s, u"PEM file with CA certificates to trust besides the system's."_s, u"FILE"_s);
    const QCommandLineOption parallel(u"parallel"_s,
                                      u"Files downloaded at once (1-32, default 4)."_s, u"N"_s);
    const QCommandLineOption outputFolder(u"output-folder"_s, u"Default folder for exports."_s,
                                          u"DIR"_s);
    const QCommandLineOption tokenEnv(
        u"token-env"_s, u"Environment variable holding a bearer token to store."_s, u"VAR"_s);
    const QCommandLineOption clientSecretEnv(
        u"client-secret-env"_s, u"Environment variable holding a client secret to store."_s,
        u"VAR"_s);
    parser.addOptions({server, environment, authOption, clientId, scope, keyFile, keyId, alg,
                       tokenUrl, caCert, parallel, outputFolder, tokenEnv, clientSecretEnv});
    if (!parse(parser, u"add"_s, arguments, 1, 1, u"NAME"_s))
        return 1;

    ServerProfile profile;
    profile.name = parser.positionalArguments().first().trimmed();
    if (m_profiles.profileByName(profile.name))
        return fail(u"a profile named '%1' already exists; remove it first or choose another "
                    "name."_s.arg(profile.name));
    if (!parser.isSet(server))
        return fail(u"--server is required (the FHIR base URL, e.g. https://example.org/fhir)."_s);
    profile.baseUrl = QUrl(parser.value(server), QUrl::StrictMode);
    profile.environment = parser.value(environment).trimmed();
    profile.clientId = parser.value(clientId).trimmed();
    if (parser.isSet(scope))
        profile.scopes = parser.values(scope).join(u' ').simplified();
    profile.keyId = parser.value(keyId).trimmed();
    if (parser.isSet(tokenUrl))
        profile.tokenUrl = QUrl(parser.value(tokenUrl), QUrl::StrictMode);
    profile.outputFolder = parser.value(outputFolder);
    if (parser.isSet(parallel)) {
        bool ok = false;
        profile.parallelDownloads = parser.value(parallel).toInt(&ok);
        if (!ok)
            return fail(u"--parallel needs a whole number from 1 to 32."_s);
    }

    // The method follows from the secret given unless it is named.
    if (parser.isSet(authOption)) {
        const auto method = auth::authMethodFromName(parser.value(authOption));
        if (!method)
            return fail(u"--auth must be none, bearer, smart-backend or client-secret."_s);
        profile.auth = *method;
    } else {
        const int given = int(parser.isSet(keyFile)) + int(parser.isSet(tokenEnv)) +
                          int(parser.isSet(clientSecretEnv));
        if (given > 1)
            return fail(u"give --auth when passing more than one of --key, --token-env and "
                        "--client-secret-env."_s);
        profile.auth = parser.isSet(keyFile)           ? AuthMethod::SmartBackend
                       : parser.isSet(tokenEnv)        ? AuthMethod::BearerToken
                       : parser.isSet(clientSecretEnv) ? AuthMethod::ClientSecret
                                                       : AuthMethod::None;
    }
    auto only = [&](const QCommandLineOption &option, AuthMethod method) {
        return !parser.isSet(option) || profile.auth == method;
    };
    if (!only(keyFile, AuthMethod::SmartBackend) || !only(keyId, AuthMethod::SmartBackend) ||
        !only(alg, AuthMethod::SmartBackend))
        return fail(u"--key, --key-id and --alg are for --auth smart-backend."_s);
    if (!only(tokenEnv, AuthMethod::BearerToken))
        return fail(u"--token-env is for --auth bearer."_s);
    if (!only(clientSecretEnv, AuthMethod::ClientSecret))
        return fail(u"--client-secret-env is for --auth client-secret."_s);
    if ((profile.auth == AuthMethod::SmartBackend || profile.auth == AuthMethod::ClientSecret) &&
        profile.clientId.isEmpty())
        return fail(u"--auth %1 needs --client-id."_s.arg(auth::authMethodName(profile.auth)));

    if (parser.isSet(alg)) {
        const auto algorithm = auth::algorithmFromName(parser.value(alg).toUpper());
        if (!algorithm)
            return fail(u"--alg must be ES384 or RS384."_s);
        profile.algorithm = *algorithm;
    }

    // Secrets to store: (key, value). Values are never printed.
    QList<std::pair<QString, QByteArray>> secrets;
    QString what; // for messages: "private key", "bearer token", "client secret"
    if (parser.isSet(keyFile)) {
        QString error;
        const QByteArray bytes = readSmallFile(parser.value(keyFile), kMaxKeyFileBytes, &error);
        if (bytes.isEmpty())
            return fail(error);
        const auth::Key key = auth::Key::fromBytes(bytes, &error);
        if (key.isNull())
            return fail(u"%1: %2"_s.arg(parser.value(keyFile), error));
        if (!key.isPrivate())
            return fail(u"%1 holds a public key; --key needs the private key (the public one is "
                        "what the server gets)."_s.arg(parser.value(keyFile)));
        if (parser.isSet(alg) && key.algorithm() != profile.algorithm)
            return fail(u"--alg %1 does not match the key in %2, which is a %3 key."_s.arg(
                auth::algorithmName(profile.algorithm), parser.value(keyFile),
                auth::algorithmName(*key.algorithm())));
        profile.algorithm = *key.algorithm();
        if (profile.keyId.isEmpty())
            profile.keyId = key.keyId();
        if (profile.keyId.isEmpty())
            return fail(u"%1 has no key id: give --key-id with the kid registered with the "
                        "server."_s.arg(parser.value(keyFile)));
        secrets.append({CredentialStore::keyFor(profile.id, CredentialStore::Secret::PrivateKey),
                        key.privatePem()});
        what = u"private key"_s;
    }
    auto fromEnvironment = [&](const QCommandLineOption &option, CredentialStore::Secret secret,
                               const QString &label) -> bool {
        if (!parser.isSet(option))
            return true;
        const QString variable = parser.value(option);
        QString value = qEnvironmentVariable(variable.toLocal8Bit().constData()).trimmed();
        if (secret == CredentialStore::Secret::BearerToken)
            value = auth::normalizedBearerToken(value);
        if (value.isEmpty()) {
            fail(u"the environment variable %1 is not set or empty."_s.arg(variable));
            return false;
        }
        secrets.append({CredentialStore::keyFor(profile.id, secret), value.toUtf8()});
        what = label;
        return true;
    };
    if (!fromEnvironment(tokenEnv, CredentialStore::Secret::BearerToken, u"bearer token"_s) ||
        !fromEnvironment(clientSecretEnv, CredentialStore::Secret::ClientSecret,
                         u"client secret"_s))
        return 1;

    if (parser.isSet(caCert)) {
        QString error;
        profile.caCertificatePem = readSmallFile(parser.value(caCert), kMaxKeyFileBytes, &error);
        if (profile.caCertificatePem.isEmpty())
            return fail(error);
    }

    // Everything is checked before the keychain is touched.
    QString error;
    if (!ServerProfile::fromJson(profile.toJson(), &error))
        return fail(error);

    QStringList stored;
    auto forgetStored = [&] {
        for (const QString &key : std::as_const(stored))
            awaitKeychain([&](auto done) { m_credentials.remove(key, nullptr, done); });
    };
    for (const auto &secret : std::as_const(secrets)) {
        // Not a structured binding: clang before 16 cannot capture one in a lambda.
        const auto &key = secret.first;
        const auto &value = secret.second;
        const CredentialError result =
            awaitKeychain([&](auto done) { m_credentials.write(key, value, nullptr, done); });
        if (result.isError()) {
            forgetStored();
            return fail(
                u"could not store the %1 in the keychain. %2 The profile was not added."_s.arg(
                    what, result.message));
        }
        stored.append(key);
    }
    if (!m_profiles.save(profile, &error)) {
        forgetStored();
        return fail(error);
    }

    m_out << "Added profile '" << profile.name << "' (" << auth::authMethodName(profile.auth)
          << ", id " << profile.id << ").\n";
    if (!secrets.isEmpty())
        m_out << "The " << what << " is in the keychain (service \"" << m_credentials.service()
              << "\").\n";
    else if (profile.auth == AuthMethod::SmartBackend)
        m_out << "No private key yet: create one with `cohort-export keygen --profile '"
              << profile.name << "' --out-jwks FILE`.\n";
    else if (profile.auth != AuthMethod::None)
        m_out << "No secret stored yet: the app asks for it when connecting.\n";
    m_out.flush();
    return 0;
}

int ProfileCommand::remove(const QStringList &arguments)
{
    QCommandLineParser parser;
    if (!parse(parser, u"remove"_s, arguments, 1, 1, u"NAME"_s))
        return 1;
    const auto p = find(parser.positionalArguments().first());
    if (!p)
        return 1;
    QString error;
    if (!m_profiles.remove(p->id, &error))
        return fail(error);
    m_out << "Removed profile '" << p->name << "'.\n";
    m_out.flush();
    const CredentialError result =
        awaitKeychain([&](auto done) { m_credentials.removeProfileSecrets(p->id, nullptr, done); });
    // A profile without authentication normally has no secrets: a keychain that is missing or
    // not answering is no news worth a warning then.
    const bool quiet = p->auth == AuthMethod::None && (result.kind == CredentialError::NoBackend ||
                                                       result.kind == CredentialError::Timeout);
    if (result.isError() && !quiet)
        warn(u"its secrets could not be removed from the keychain: %1"_s.arg(result.message));
    return 0;
}

int ProfileCommand::exportProfiles(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Writes profiles to FILE (\"-\" for standard output) to share or back up. Secrets are "
        "never included."_s);
    if (!parse(parser, u"export"_s, arguments, 1, 1 << 20, u"FILE [NAME...]"_s))
        return 1;
    const QStringList positional = parser.positionalArguments();
    QStringList ids;
    for (const QString &name : positional.mid(1)) {
        const auto p = find(name);
        if (!p)
            return 1;
        if (p->builtIn)
            return fail(u"the built-in demo server profile cannot be exported."_s);
        ids.append(p->id);
    }
    if (m_profiles.profiles().size() <= 1)
        return fail(u"there are no profiles to export."_s);
    const QByteArray json = m_profiles.exportJson(ids);
    const qsizetype count =
        QJsonDocument::fromJson(json).object().value("profiles"_L1).toArray().size();
    const QString path = positional.first();
    if (path == "-"_L1) {
        QFile out;
        if (!out.open(stdout, QIODevice::WriteOnly) || out.write(json) != json.size())
            return fail(u"cannot write to standard output."_s);
        return 0;
    }
    QSaveFile file(path);
    QString why;
    if (!file.open(QIODevice::WriteOnly) || file.write(json) != json.size() ||
        !bulk::commitSaveFile(file, &why))
        return fail(u"cannot write %1: %2"_s.arg(path, why.isEmpty() ? file.errorString() : why));
    m_out << "Exported " << count << (count == 1 ? " profile" : " profiles") << " to " << path
          << " (without secrets).\n";
    m_out.flush();
    return 0;
}

int ProfileCommand::importProfiles(const QStringList &arguments)
{
    QCommandLineParser parser;
    if (!parse(parser, u"import"_s, arguments, 1, 1, u"FILE"_s))
        return 1;
    const QString path = parser.positionalArguments().first();
    QString error;
    const QByteArray json = readSmallFile(path, kMaxProfileFileBytes, &error);
    if (json.isEmpty())
        return fail(error);
    const QList<ServerProfile> imported = m_profiles.importJson(json, &error);
    if (!error.isEmpty())
        return fail(u"%1: %2"_s.arg(path, error));
    if (imported.isEmpty()) {
        m_out << path << " holds no profiles.\n";
        m_out.flush();
        return 0;
    }
    for (const ServerProfile &p : imported) {
        m_out << "Imported '" << p.name << "' (" << auth::authMethodName(p.auth) << ").";
        if (p.auth == AuthMethod::SmartBackend)
            m_out << " Its private key is not part of the file: add it with `cohort-export "
                     "keygen --profile '"
                  << p.name << "' ...` or in the app.";
        else if (p.auth != AuthMethod::None)
            m_out << " Its secret is not part of the file: the app asks for it.";
        m_out << '\n';
    }
    m_out.flush();
    return 0;
}

int ProfileCommand::keygen(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Generates a key pair for SMART Backend Services. The public key is written as a JWKS "
        "to register with the server; the private key goes to the keychain for a profile "
        "(--profile) and/or to a PEM file only you can read (--out-key)."_s);
    parser.addHelpOption();
    const QCommandLineOption alg(u"alg"_s, u"ES384 (default) or RS384."_s, u"ALG"_s, u"ES384"_s);
    const QCommandLineOption outJwks(u"out-jwks"_s, u"Where to write the public JWKS."_s,
                                     u"FILE"_s);
    const QCommandLineOption kid(u"kid"_s, u"Key id (default: the key's RFC 7638 thumbprint)."_s,
                                 u"KID"_s);
    const QCommandLineOption outKey(
        u"out-key"_s,
        u"Also write the private key to this new PEM file, readable by you alone (mode 0600; on Windows an ACL for your account only)."_s,
        u"FILE"_s);
    const QCommandLineOption profileOption(
        u"profile"_s,
        u"Store the private key in the keychain for this profile and make it use "
        "it."_s,
        u"NAME"_s);
    parser.addOptions({alg, outJwks, kid, outKey, profileOption});
    parser.process(QStringList{u"cohort-export keygen"_s} + arguments.mid(2));

    if (!parser.positionalArguments().isEmpty())
        return fail(
            u"unexpected argument '%1'; see --help."_s.arg(parser.positionalArguments().first()));
    const auto algorithm = auth::algorithmFromName(parser.value(alg).toUpper());
    if (!algorithm)
        return fail(u"--alg must be ES384 or RS384."_s);
    if (!parser.isSet(outJwks))
        return fail(u"--out-jwks FILE is required: it is the public key to register with the "
                    "server."_s);
    if (!parser.isSet(outKey) && !parser.isSet(profileOption))
        return fail(u"nowhere to keep the private key: give --profile NAME (keychain) and/or "
                    "--out-key FILE."_s);
    std::optional<ServerProfile> profile;
    if (parser.isSet(profileOption)) {
        profile = find(parser.value(profileOption));
        if (!profile)
            return 1;
        if (profile->builtIn)
            return fail(u"the built-in demo server profile does not take keys."_s);
    }
    if (parser.isSet(outKey) && QFileInfo::exists(parser.value(outKey)))
        return fail(
            u"%1 already exists; a private key is never overwritten."_s.arg(parser.value(outKey)));

    QString error;
    auth::Key key = auth::Key::generate(*algorithm, {}, &error);
    if (key.isNull())
        return fail(u"could not generate a key: %1"_s.arg(error));
    key.setKeyId(parser.isSet(kid) ? parser.value(kid).trimmed() : thumbprint(key));
    if (key.keyId().isEmpty())
        return fail(u"--kid must not be empty."_s);

    // Files first, then the keychain, then the profile: a failure part way never leaves a
    // profile pointing at a key that was not kept.
    if (parser.isSet(outKey)) {
        QString why;
        if (!auth::writePrivateFile(parser.value(outKey), key.privatePem(), &why))
            return fail(u"cannot write %1: %2"_s.arg(parser.value(outKey), why));
    }
    const QByteArray jwks = QJsonDocument(auth::jwks({key})).toJson(QJsonDocument::Indented);
    QSaveFile jwksFile(parser.value(outJwks));
    QString jwksWhy;
    if (!jwksFile.open(QIODevice::WriteOnly) || jwksFile.write(jwks) != jwks.size() ||
        !bulk::commitSaveFile(jwksFile, &jwksWhy))
        return fail(u"cannot write %1: %2"_s.arg(
            jwksFile.fileName(), jwksWhy.isEmpty() ? jwksFile.errorString() : jwksWhy));

    if (profile) {
        const QString keychainKey =
            CredentialStore::keyFor(profile->id, CredentialStore::Secret::PrivateKey);
        const CredentialError result = awaitKeychain(
            [&](auto done) { m_credentials.write(keychainKey, key.privatePem(), nullptr, done); });
        if (result.isError())
            return fail(u"could not store the private key in the keychain. %1 The profile was not "
                        "changed."_s.arg(result.message));
        const bool switched = profile->auth != AuthMethod::SmartBackend;
        profile->auth = AuthMethod::SmartBackend;
        profile->keyId = key.keyId();
        profile->algorithm = *algorithm;
        if (!m_profiles.save(*profile, &error))
            return fail(error);
        if (switched)
            m_out << "Profile '" << profile->name
                  << "' now authenticates with SMART Backend Services.\n";
        if (profile->clientId.isEmpty())
            warn(u"profile '%1' has no client id yet; the app asks for it."_s.arg(profile->name));
    }

    m_out << "Generated an " << auth::algorithmName(*algorithm) << " key with key id "
          << key.keyId() << ".\n"
          << "Public key set (register it with the server): " << jwksFile.fileName() << '\n';
    if (profile)
        m_out << "Private key: in the keychain for profile '" << profile->name << "'.\n";
    if (parser.isSet(outKey))
        m_out << "Private key file (readable by you only): " << parser.value(outKey) << '\n';
    m_out.flush();
    return 0;
}

} // namespace

int runProfileCommand(const QStringList &arguments)
{
    return ProfileCommand(u"profile"_s).run(arguments);
}

int runKeygenCommand(const QStringList &arguments)
{
    return ProfileCommand(u"keygen"_s).keygen(arguments);
}

} // namespace cohort::cli
