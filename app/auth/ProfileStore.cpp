#include "ProfileStore.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QRegularExpression>
#include <QSet>
#include <QSettings>

#include <algorithm>

namespace cohort::auth {

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcProfiles, "cohort.auth.profiles")

namespace {

// Each user profile is one compact JSON value under "profiles/<id>", so reading it back goes
// through the same validation as an imported file.
const auto kProfilesGroup = u"profiles"_s;
const auto kDemoParallelKey = u"demoProfile/parallelDownloads"_s;
const auto kDemoOutputKey = u"demoProfile/outputFolder"_s;

QString profileKey(const QString &id)
{
    return kProfilesGroup + u'/' + id;
}

QString normalizedName(const QString &name)
{
    return name.simplified().toCaseFolded();
}

} // namespace

ProfileStore::ProfileStore(QSettings *settings, QObject *parent)
    : QObject(parent)
    , m_settings(settings)
{
    Q_ASSERT(m_settings);
}

QString ProfileStore::demoName()
{
    return u"Demo server"_s;
}

QList<ServerProfile> ProfileStore::profiles() const
{
    return QList<ServerProfile>{demoProfile()} + userProfiles();
}

std::optional<ServerProfile> ProfileStore::profile(const QString &id) const
{
    for (const ServerProfile &p : profiles()) {
        if (p.id == id)
            return p;
    }
    return std::nullopt;
}

std::optional<ServerProfile> ProfileStore::profileByName(const QString &name) const
{
    const QString wanted = normalizedName(name);
    for (const ServerProfile &p : profiles()) {
        if (normalizedName(p.name) == wanted)
            return p;
    }
    return std::nullopt;
}

void ProfileStore::setDemoBaseUrl(const QUrl &url)
{
    if (url == m_demoBaseUrl)
        return;
    m_demoBaseUrl = url;
    emit profilesChanged();
}

QUrl ProfileStore::demoBaseUrl() const
{
    return m_demoBaseUrl;
}

bool ProfileStore::save(const ServerProfile &profile, QString *error)
{
    auto fail = [error](const QString &message) {
        if (error)
            *error = message;
        return false;
    };
    if (profile.id == ServerProfile::demoId()) {
        if (profile.name.trimmed() != demoName())
            return fail(tr("The built-in demo server profile cannot be renamed."));
        if (profile.parallelDownloads < ServerProfile::kMinParallel ||
            profile.parallelDownloads > ServerProfile::kMaxParallel)
            return fail(tr("Parallel downloads must be a whole number from %1 to %2.")
                            .arg(ServerProfile::kMinParallel)
                            .arg(ServerProfile::kMaxParallel));
        m_settings->setValue(kDemoParallelKey, profile.parallelDownloads);
        m_settings->setValue(kDemoOutputKey, profile.outputFolder);
    } else {
        // The JSON round trip validates and normalizes (trimmed name, simplified scopes).
        QString why;
        const auto valid = ServerProfile::fromJson(profile.toJson(), &why);
        if (!valid)
            return fail(why);
        if (isNameTaken(valid->name, valid->id))
            return fail(tr("A profile named \"%1\" already exists.").arg(valid->name));
        writeProfile(*valid);
    }
    if (!sync(error))
        return false;
    emit profilesChanged();
    return true;
}

bool ProfileStore::remove(const QString &id, QString *error)
{
    auto fail = [error](const QString &message) {
        if (error)
            *error = message;
        return false;
    };
    if (id == ServerProfile::demoId())
        return fail(tr("The built-in demo server profile cannot be removed."));
    if (!m_settings->contains(profileKey(id)))
        return fail(tr("There is no profile with the id \"%1\".").arg(id));
    m_settings->remove(profileKey(id));
    if (!sync(error))
        return false;
    emit profilesChanged();
    return true;
}

QByteArray ProfileStore::exportJson(const QStringList &ids) const
{
    const QList<ServerProfile> all = userProfiles();
    QJsonArray list;
    if (ids.isEmpty()) {
        for (const ServerProfile &p : all)
            list.append(p.toJson());
    } else {
        for (const QString &id : ids) {
            const auto it = std::find_if(all.cbegin(), all.cend(),
                                         [&id](const ServerProfile &p) { return p.id == id; });
            if (it != all.cend())
                list.append(it->toJson());
        }
    }
    const QJsonObject root{{"cohortExportProfiles"_L1, kExportFormatVersion},
                           {"profiles"_L1, list}};
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

QList<ServerProfile> ProfileStore::importJson(const QByteArray &json, QString *error)
{
    auto fail = [error](const QString &message) {
        if (error)
            *error = message;
        return QList<ServerProfile>{};
    };
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return fail(tr("The file is not valid JSON: %1 (at byte %2).")
                        .arg(parseError.errorString())
                        .arg(parseError.offset));
    const QJsonObject root = document.object();
    const QJsonValue version = root.value("cohortExportProfiles"_L1);
    if (!document.isObject() || !version.isDouble() || !root.value("profiles"_L1).isArray())
        return fail(tr("The file is not a Cohort Export profile file."));
    if (version.toInt() != kExportFormatVersion)
        return fail(tr("The profile file has format version %1; this version of Cohort Export "
                       "reads version %2.")
                        .arg(version.toDouble())
                        .arg(kExportFormatVersion));

    QList<ServerProfile> incoming;
    const QJsonArray list = root.value("profiles"_L1).toArray();
    for (qsizetype i = 0; i < list.size(); ++i) {
        QString why = tr("it is not a JSON object.");
        const auto p = list.at(i).isObject() ? ServerProfile::fromJson(list.at(i).toObject(), &why)
                                             : std::nullopt;
        if (!p)
            return fail(tr("Profile %1 in the file cannot be imported: %2").arg(i + 1).arg(why));
        incoming.append(*p);
    }

    QSet<QString> takenIds{ServerProfile::demoId()};
    QSet<QString> takenNames{normalizedName(demoName())};
    for (const ServerProfile &p : userProfiles()) {
        takenIds.insert(p.id);
        takenNames.insert(normalizedName(p.name));
    }
    // "Name (2)" imported again becomes "Name (3)", not "Name (2) (2)".
    static const QRegularExpression numberSuffix(u"\\s\\(\\d+\\)$"_s);
    for (ServerProfile &p : incoming) {
        while (takenIds.contains(p.id))
            p.id = ServerProfile::createId();
        if (takenNames.contains(normalizedName(p.name))) {
            const QString base = QString(p.name).remove(numberSuffix);
            for (int n = 2;; ++n) {
                const QString candidate = u"%1 (%2)"_s.arg(base).arg(n);
                if (!takenNames.contains(normalizedName(candidate))) {
                    p.name = candidate;
                    break;
                }
            }
        }
        takenIds.insert(p.id);
        takenNames.insert(normalizedName(p.name));
        writeProfile(p);
    }
    if (error)
        error->clear();
    if (incoming.isEmpty())
        return {};
    if (!sync(error))
        return {};
    emit profilesChanged();
    return incoming;
}

ServerProfile ProfileStore::demoProfile() const
{
    ServerProfile demo;
    demo.id = ServerProfile::demoId();
    demo.name = demoName();
    demo.baseUrl = m_demoBaseUrl;
    demo.environment = u"Demo"_s;
    demo.builtIn = true;
    bool ok = false;
    const int parallel = m_settings->value(kDemoParallelKey).toInt(&ok);
    if (ok && parallel >= ServerProfile::kMinParallel && parallel <= ServerProfile::kMaxParallel)
        demo.parallelDownloads = parallel;
    demo.outputFolder = m_settings->value(kDemoOutputKey).toString();
    return demo;
}

QList<ServerProfile> ProfileStore::userProfiles() const
{
    QList<ServerProfile> result;
    m_settings->beginGroup(kProfilesGroup);
    const QStringList ids = m_settings->childKeys();
    for (const QString &id : ids) {
        const QByteArray text = m_settings->value(id).toString().toUtf8();
        QString why;
        auto p = ServerProfile::fromJson(QJsonDocument::fromJson(text).object(), &why);
        // The key is the truth for the id: a hand-edited value must not alias another profile.
        if (p && p->id == id && id != ServerProfile::demoId())
            result.append(*p);
        else
            qCWarning(lcProfiles) << "Skipping unreadable profile" << id << why;
    }
    m_settings->endGroup();
    std::sort(result.begin(), result.end(), [](const ServerProfile &a, const ServerProfile &b) {
        return a.name.compare(b.name, Qt::CaseInsensitive) < 0;
    });
    return result;
}

bool ProfileStore::isNameTaken(const QString &name, const QString &exceptId) const
{
    const QString wanted = normalizedName(name);
    const QList<ServerProfile> all = profiles();
    return std::any_of(all.cbegin(), all.cend(), [&](const ServerProfile &p) {
        return p.id != exceptId && normalizedName(p.name) == wanted;
    });
}

void ProfileStore::writeProfile(const ServerProfile &profile)
{
    m_settings->setValue(
        profileKey(profile.id),
        QString::fromUtf8(QJsonDocument(profile.toJson()).toJson(QJsonDocument::Compact)));
}

bool ProfileStore::sync(QString *error)
{
    m_settings->sync();
    if (m_settings->status() == QSettings::NoError)
        return true;
    if (error)
        *error = tr("The profiles could not be saved to %1.").arg(m_settings->fileName());
    return false;
}

} // namespace cohort::auth
