#include "GroupsCommand.h"

#include "ConnectionOptions.h"
#include "fhir/FhirClient.h"
#include "fhir/GroupSearch.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QNetworkAccessManager>
#include <QTextStream>

namespace cohort::cli {

using namespace Qt::StringLiterals;

namespace {

constexpr int kPageSize = 50;
constexpr int kMaxPages = 10000; // a server whose next links never end

QString yesNo(const std::optional<bool> &value)
{
    return value ? (*value ? u"yes"_s : u"no"_s) : u"-"_s;
}

void printTable(QTextStream &out, const QList<fhir::Group> &groups)
{
    const QStringList header = {u"NAME"_s,   u"TYPE"_s, u"ACTUAL"_s, u"MEMBERS/QUANTITY"_s,
                                u"ACTIVE"_s, u"ID"_s};
    QList<QStringList> rows;
    for (const fhir::Group &g : groups) {
        const QString members =
            u"%1/%2"_s.arg(g.memberCount()).arg(g.quantity ? QString::number(*g.quantity) : u"-"_s);
        rows.append({g.name.isEmpty() ? u"-"_s : g.name, g.type.isEmpty() ? u"-"_s : g.type,
                     yesNo(g.actual), members, yesNo(g.active), g.id});
    }
    QList<qsizetype> widths;
    for (const QString &title : header)
        widths.append(title.size());
    for (const QStringList &row : std::as_const(rows)) {
        for (qsizetype i = 0; i < row.size(); ++i)
            widths[i] = qMax(widths[i], row[i].size());
    }
    auto print = [&](const QStringList &row) {
        QString line;
        for (qsizetype i = 0; i < row.size(); ++i) {
            // The member column is a number: right-aligned reads better.
            line += i == 3 ? row[i].rightJustified(widths[i]) : row[i].leftJustified(widths[i]);
            if (i + 1 < row.size())
                line += u"  "_s;
        }
        out << line.trimmed() << '\n';
    };
    print(header);
    for (const QStringList &row : std::as_const(rows))
        print(row);
}

} // namespace

int runGroupsCommand(const QStringList &arguments)
{
    QTextStream out(stdout);
    QTextStream err(stderr);

    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Lists the Groups (cohorts) of a FHIR server as a table, following the search's next "
        "links. Secrets (a bearer token, a client secret) are read from environment variables "
        "and a private key from a file, never from the command line."_s);
    parser.addHelpOption();
    const ConnectionOptions connection;
    connection.addTo(parser);
    const QCommandLineOption name(u"name"_s, u"Only Groups whose name contains TEXT."_s, u"TEXT"_s);
    parser.addOption(name);
    parser.process(arguments.mid(1)); // "cohort-export groups ..." minus the program name

    auto fail = [&](const QString &message) {
        err << "cohort-export groups: " << message << '\n';
        err.flush();
        return 1;
    };
    if (!parser.positionalArguments().isEmpty())
        return fail(
            u"unexpected argument '%1'; see --help."_s.arg(parser.positionalArguments().first()));
    ConnectionSettings settings;
    QString error;
    QNetworkAccessManager network;
    const std::unique_ptr<fhir::FhirClient> connected =
        connection.open(parser, &network, &settings, &error);
    if (!connected)
        return fail(error);
    fhir::FhirClient &client = *connected;
    const QUrl baseUrl = settings.server;

    fhir::GroupSearch search(&client);
    QList<fhir::Group> groups;
    int pages = 0;
    QObject::connect(&search, &fhir::GroupSearch::pageLoaded, &search,
                     [&](const QList<fhir::Group> &page, bool hasMore) {
                         groups += page;
                         if (hasMore && ++pages < kMaxPages) {
                             search.fetchMore();
                             return;
                         }
                         if (hasMore) {
                             err << "cohort-export groups: stopped after " << kMaxPages
                                 << " pages; the list is incomplete.\n";
                             err.flush();
                         }
                         if (groups.isEmpty()) {
                             out << "No groups found.\n";
                         } else {
                             printTable(out, groups);
                             out << '\n'
                                 << groups.size() << (groups.size() == 1 ? " group" : " groups");
                             if (search.total() >= 0 && search.total() != groups.size())
                                 out << " (the server reported " << search.total() << ')';
                             out << ".\n";
                         }
                         out.flush();
                         QCoreApplication::exit(0);
                     });
    QObject::connect(
        &search, &fhir::GroupSearch::failed, &search, [&](const fhir::FhirError &error) {
            fail(u"could not list the groups of %1. %2"_s.arg(
                baseUrl.toString(QUrl::RemoveQuery | QUrl::RemoveUserInfo), error.message()));
            QCoreApplication::exit(1);
        });
    search.start(parser.value(name), kPageSize);
    return QCoreApplication::exec();
}

} // namespace cohort::cli
