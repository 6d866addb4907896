// Entry point: the desktop app by default, headless sub-commands for scripts and servers.
#include "AppInfo.h"
#include "cli/CapabilitiesCommand.h"
#include "cli/Console.h"
#include "cli/DemoServerCommand.h"
#include "cli/ExportCommand.h"
#include "cli/GroupsCommand.h"
#include "cli/InspectCommand.h"
#include "cli/Keychain.h"
#include "cli/ProfileCommand.h"

#include "MainWindow.h"
#include "ReviewWindow.h"

#include <QApplication>
#include <QCoreApplication>
#include <QLocale>
#include <QLoggingCategory>
#include <QSettings>
#include <QTextStream>
#include <QTranslator>

#include <cstring>

namespace {

// English plural forms first, then the user's language when a translation exists.
void installTranslations()
{
    for (const QString &name : {QStringLiteral("cohort-export_en"),
                                QStringLiteral("cohort-export_") + QLocale().name()}) {
        auto *translator = new QTranslator(QCoreApplication::instance());
        if (translator->load(name, QStringLiteral(":/i18n")))
            QCoreApplication::installTranslator(translator);
        else
            delete translator;
    }
}

void setIdentity()
{
    installTranslations();
    QCoreApplication::setOrganizationName(QStringLiteral("Cohort Export"));
    QCoreApplication::setOrganizationDomain(QStringLiteral("cohort-export.invalid"));
    QCoreApplication::setApplicationName(QStringLiteral("cohort-export"));
    QCoreApplication::setApplicationVersion(cohort::appVersion());
    // COHORT_SETTINGS_DIR: the settings in an INI file in that folder, on every OS (tests and
    // portable use; the Windows registry and macOS preferences ignore HOME and XDG_CONFIG_HOME).
    const QString settingsDir = qEnvironmentVariable("COHORT_SETTINGS_DIR");
    if (!settingsDir.isEmpty()) {
        QSettings::setDefaultFormat(QSettings::IniFormat);
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, settingsDir);
    }
}

void printUsage(QTextStream &out)
{
    out << "Usage: cohort-export [COMMAND] [OPTIONS]\n\n"
           "Without a command, starts the desktop app.\n\n"
           "Commands:\n"
           "  export        run a Bulk Data export headless (see export --help)\n"
           "  resume DIR    continue an interrupted export\n"
           "  demo-server   run the built-in FHIR Bulk Data demo server (see demo-server --help)\n"
           "  groups        list the Groups of a FHIR server (see groups --help)\n"
           "  capabilities  show what a FHIR server supports (see capabilities --help)\n"
           "  inspect PATH  validate an export folder or NDJSON files offline (see inspect --help)\n"
           "  review PATH   open an export folder or NDJSON files in the review window\n"
           "  profile       manage server profiles: list, add, remove, export, import\n"
           "  keygen        generate a SMART Backend Services key pair (see keygen --help)\n\n"
           "Options:\n"
           "  -h, --help     show this help\n"
           "  -v, --version  show the version\n";
}

} // namespace

int main(int argc, char *argv[])
{
    // Progress and problems reach people through each command's own output; the categories'
    // info lines are for debugging (QT_LOGGING_RULES="cohort.*.info=true" brings them back).
    QLoggingCategory::setFilterRules(QStringLiteral("cohort.*.info=false"));
    const char *command = argc > 1 ? argv[1] : nullptr;
    auto is = [command](const char *name) { return command && std::strcmp(command, name) == 0; };
    if (command)
        cohort::cli::prepareConsole();

    if (is("--version") || is("-v")) {
        QTextStream(stdout) << "cohort-export " << cohort::appVersion() << '\n';
        return 0;
    }
    if (is("--help") || is("-h") || is("help")) {
        QTextStream out(stdout);
        printUsage(out);
        return 0;
    }
    if (is("demo-server")) {
        QCoreApplication app(argc, argv);
        setIdentity();
        return cohort::cli::runDemoServerCommand(QCoreApplication::arguments());
    }
    if (is("groups")) {
        QCoreApplication app(argc, argv);
        setIdentity();
        return cohort::cli::runGroupsCommand(QCoreApplication::arguments());
    }
    if (is("capabilities")) {
        QCoreApplication app(argc, argv);
        setIdentity();
        return cohort::cli::runCapabilitiesCommand(QCoreApplication::arguments());
    }
    if (is("inspect")) {
        QCoreApplication app(argc, argv);
        setIdentity();
        return cohort::cli::runInspectCommand(QCoreApplication::arguments());
    }
    if (is("export") || is("resume")) {
        QCoreApplication app(argc, argv);
        setIdentity();
        return is("export") ? cohort::cli::runExportCommand(QCoreApplication::arguments())
                            : cohort::cli::runResumeCommand(QCoreApplication::arguments());
    }
    if (is("profile") || is("keygen")) {
        QCoreApplication app(argc, argv);
        setIdentity();
        return is("profile") ? cohort::cli::runProfileCommand(QCoreApplication::arguments())
                             : cohort::cli::runKeygenCommand(QCoreApplication::arguments());
    }
    if (is("review")) {
        QApplication app(argc, argv);
        setIdentity();
        QApplication::setApplicationDisplayName(QObject::tr("Cohort Export"));
        QStringList paths = QApplication::arguments().mid(2);
        if (paths.isEmpty() || paths.first() == QLatin1String("--help")) {
            QTextStream(paths.isEmpty() ? stderr : stdout)
                << "Usage: cohort-export review PATH...\n\nOpens an export folder, or NDJSON "
                   "files, in the review window.\n";
            return paths.isEmpty() ? 1 : 0;
        }
        auto *review = new cohort::ui::ReviewWindow;
        QString error;
        if (!review->openPaths(paths, &error)) {
            QTextStream(stderr) << "cohort-export: " << error << '\n';
            delete review;
            return 1;
        }
        review->show();
        return QApplication::exec();
    }
    if (command && command[0] != '-') {
        QTextStream err(stderr);
        err << "cohort-export: unknown command '" << command << "'\n\n";
        printUsage(err);
        return 1;
    }

    QApplication app(argc, argv);
    setIdentity();
    QApplication::setApplicationDisplayName(QObject::tr("Cohort Export"));
    QApplication::setDesktopFileName(QStringLiteral(COHORT_APP_ID));
    cohort::ui::MainWindow::Options options;
    options.keychainService = cohort::cli::keychainService();
    cohort::ui::MainWindow window(options);
    window.show();
    return QApplication::exec();
}
