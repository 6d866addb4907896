#include "ResourceScan.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>
#include <QSet>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>

#include <simdjson.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <unordered_map>

namespace cohort::review {

using namespace Qt::StringLiterals;

namespace {

constexpr qint64 kBlockSize = 4 * 1024 * 1024;
constexpr int kCacheVersion = 1;

struct ClassName
{
    Problem::Class kind;
    const char *name;
};
constexpr ClassName kClassNames[] = {
    {Problem::Class::InvalidJson, "invalid-json"},
    {Problem::Class::TypeMismatch, "type-mismatch"},
    {Problem::Class::MissingId, "missing-id"},
    {Problem::Class::DuplicateId, "duplicate-id"},
    {Problem::Class::CountMismatch, "count-mismatch"},
    {Problem::Class::UnresolvedReference, "unresolved-reference"},
    {Problem::Class::LineTooLong, "line-too-long"},
};

// "Type/id" as 128 bits: two independent 64-bit hashes make a false match practically impossible
// at a fraction of the memory of the strings.
struct Key
{
    quint64 a = 0, b = 0;
    friend bool operator==(const Key &l, const Key &r) { return l.a == r.a && l.b == r.b; }
};
size_t qHash(const Key &k, size_t seed = 0)
{
    return size_t(k.a) ^ seed;
}
Key keyOf(std::string_view type, std::string_view id)
{
    std::string s;
    s.reserve(type.size() + id.size() + 1);
    s.append(type).append(1, '/').append(id);
    return {quint64(qHashBits(s.data(), s.size(), 0x9e3779b97f4a7c15ULL)),
            quint64(qHashBits(s.data(), s.size(), 0xc2b2ae3d27d4eb4fULL))};
}

struct RefSite
{
    int file = 0;
    qint64 line = 0;
    qint64 occurrences = 0;
    QByteArray text;
    QByteArray type;
};

bool isTypeName(std::string_view s)
{
    if (s.empty() || s.size() > 64 || s[0] < 'A' || s[0] > 'Z')
        return false;
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); });
}

bool isId(std::string_view s)
{
    if (s.empty() || s.size() > 64)
        return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '.';
    });
}

class Scanner
{
public:
    Scanner(const QList<ScanInput> &inputs, const ScanOptions &options, ScanResult &result)
        : m_inputs(inputs)
        , m_options(options)
        , m_result(result)
    {
    }

    void problem(int file, qint64 line, Problem::Class kind, const QString &message)
    {
        ++m_result.problemCount;
        if (m_result.problems.size() < m_options.maxProblems)
            m_result.problems.append({m_inputs.at(file).path, line, kind, message});
    }

    // Every "reference" string member at any depth.
    void walk(simdjson::dom::element e, int file, qint64 line)
    {
        if (e.is_object()) {
            for (auto field : simdjson::dom::object(e)) {
                if (field.key == "reference" && field.value.is_string())
                    reference(std::string_view(field.value), file, line);
                else if (field.value.is_object() || field.value.is_array())
                    walk(field.value, file, line);
            }
        } else if (e.is_array()) {
            for (auto child : simdjson::dom::array(e)) {
                if (child.is_object() || child.is_array())
                    walk(child, file, line);
            }
        }
    }

    void reference(std::string_view ref, int file, qint64 line)
    {
        // Relative "Type/id" or "Type/id/_history/v"; URLs, "#contained" and urn:uuid are not
        // ours to resolve.
        const size_t slash = ref.find('/');
        if (slash == std::string_view::npos)
            return;
        const std::string_view type = ref.substr(0, slash);
        std::string_view id = ref.substr(slash + 1);
        if (const size_t h = id.find("/_history/"); h != std::string_view::npos)
            id = id.substr(0, h);
        if (!isTypeName(type) || !isId(id))
            return;
        RefSite &site = m_refs[keyOf(type, id)];
        if (site.occurrences++ == 0) {
            site.file = file;
            site.line = line;
            site.text = QByteArray(ref.data(), qsizetype(ref.size()));
            site.type = QByteArray(type.data(), qsizetype(type.size()));
        }
    }

    void line(int file, const char *data, size_t length, qint64 lineNo)
    {
        if (length > 0 && data[length - 1] == '\r')
            --length;
        if (length == 0)
            return; // empty lines are not resources and not problems
        ScanFileResult &fr = m_result.files[file];
        ++fr.resources;
        simdjson::dom::element doc;
        // The block buffer has SIMDJSON_PADDING readable bytes after every line.
        if (const auto error = m_parser.parse(data, length, false).get(doc)) {
            problem(file, lineNo, Problem::Class::InvalidJson,
                    QString::fromUtf8(simdjson::error_message(error)));
            return;
        }
        std::string_view type;
        if (!doc.is_object() || doc["resourceType"].get_string().get(type) || type.empty()) {
            problem(file, lineNo, Problem::Class::InvalidJson,
                    u"not a FHIR resource (no resourceType)"_s);
            return;
        }
        ++m_counts[file][std::string(type)];
        const QString &expected = m_inputs.at(file).expectedType;
        if (!expected.isEmpty() &&
            QLatin1StringView(type.data(), qsizetype(type.size())) != expected)
            problem(file, lineNo, Problem::Class::TypeMismatch,
                    u"%1 in a file of %2"_s.arg(
                        QString::fromUtf8(type.data(), qsizetype(type.size())), expected));
        std::string_view id;
        if (doc["id"].get_string().get(id) || id.empty()) {
            problem(
                file, lineNo, Problem::Class::MissingId,
                u"%1 without an id"_s.arg(QString::fromUtf8(type.data(), qsizetype(type.size()))));
        } else {
            const Key key = keyOf(type, id);
            if (m_ids.contains(key)) {
                problem(file, lineNo, Problem::Class::DuplicateId,
                        u"%1/%2 occurs more than once"_s.arg(
                            QString::fromUtf8(type.data(), qsizetype(type.size())),
                            QString::fromUtf8(id.data(), qsizetype(id.size()))));
            } else {
                m_ids.insert(key);
            }
        }
        walk(doc, file, lineNo);
    }

    bool scanFile(int file, const std::atomic_bool &cancel,
                  const std::function<void(qint64)> &advanced)
    {
        const ScanInput &in = m_inputs.at(file);
        QFile f(in.path);
        if (!f.open(QIODevice::ReadOnly)) {
            m_result.error = u"Cannot read %1: %2"_s.arg(in.path, f.errorString());
            return false;
        }
        m_buffer.resize(size_t(kBlockSize) + simdjson::SIMDJSON_PADDING);
        size_t filled = 0;
        qint64 lineNo = 0;
        bool skipping = false; // inside a line already reported as too long
        qint64 skippedLength = 0;
        for (;;) {
            if (cancel.load())
                return false;
            const size_t room = m_buffer.size() - simdjson::SIMDJSON_PADDING - filled;
            const qint64 n = f.read(m_buffer.data() + filled, qint64(room));
            if (n < 0) {
                m_result.error = u"Cannot read %1: %2"_s.arg(in.path, f.errorString());
                return false;
            }
            advanced(n);
            const bool eof = n == 0;
            const char *begin = m_buffer.data();
            const char *end = begin + filled + size_t(n);
            const char *cur = begin;
            while (const char *nl =
                       static_cast<const char *>(std::memchr(cur, '\n', size_t(end - cur)))) {
                ++lineNo;
                if (skipping) {
                    skipping = false;
                } else {
                    line(file, cur, size_t(nl - cur), lineNo);
                }
                cur = nl + 1;
            }
            filled = size_t(end - cur);
            if (eof) {
                if (filled > 0 && !skipping)
                    line(file, cur, filled, ++lineNo);
                break;
            }
            if (skipping) { // drop the rest of an overlong line
                skippedLength += qint64(filled);
                filled = 0;
                continue;
            }
            if (qint64(filled) > m_options.maxLineBytes) {
                problem(file, lineNo + 1, Problem::Class::LineTooLong,
                        u"line longer than %1 bytes, not checked"_s.arg(m_options.maxLineBytes));
                ++m_result.files[file].resources;
                skipping = true;
                skippedLength = qint64(filled);
                filled = 0;
                continue;
            }
            std::memmove(m_buffer.data(), cur, filled);
            if (filled > m_buffer.size() / 2) // a long line: make room for the rest of it
                m_buffer.resize((m_buffer.size() - simdjson::SIMDJSON_PADDING) * 2 +
                                simdjson::SIMDJSON_PADDING);
        }
        Q_UNUSED(skippedLength)
        ScanFileResult &fr = m_result.files[file];
        fr.bytes = f.size();
        for (const auto &[type, count] : m_counts[file]) {
            const QString name = QString::fromStdString(type);
            fr.countsByType.insert(name, count);
            m_result.countsByType[name] += count;
        }
        if (in.expectedCount >= 0 && fr.resources != in.expectedCount)
            problem(
                file, 0, Problem::Class::CountMismatch,
                u"%1 resources, the manifest says %2"_s.arg(fr.resources).arg(in.expectedCount));
        m_buffer.resize(size_t(kBlockSize) + simdjson::SIMDJSON_PADDING);
        m_buffer.shrink_to_fit();
        return true;
    }

    void checkReferences()
    {
        QList<Problem> unresolved;
        for (auto it = m_refs.cbegin(); it != m_refs.cend(); ++it) {
            const RefSite &site = it.value();
            if (!m_result.countsByType.contains(QString::fromLatin1(site.type)) ||
                m_ids.contains(it.key()))
                continue;
            QString message = u"%1 is not in the export"_s.arg(QString::fromUtf8(site.text));
            if (site.occurrences > 1)
                message += u" (referenced %1 times, first here)"_s.arg(site.occurrences);
            unresolved.append({m_inputs.at(site.file).path, site.line,
                               Problem::Class::UnresolvedReference, message});
            m_order.insert(m_inputs.at(site.file).path, site.file);
        }
        std::sort(unresolved.begin(), unresolved.end(), [this](const Problem &l, const Problem &r) {
            const int lf = m_order.value(l.file), rf = m_order.value(r.file);
            return lf != rf ? lf < rf : l.line < r.line;
        });
        for (const Problem &p : unresolved) {
            ++m_result.problemCount;
            if (m_result.problems.size() < m_options.maxProblems)
                m_result.problems.append(p);
        }
    }

    void run(const std::atomic_bool &cancel, const std::function<void(qint64, qint64)> &progress)
    {
        qint64 total = 0;
        for (const ScanInput &in : m_inputs)
            total += QFileInfo(in.path).size();
        qint64 done = 0;
        QElapsedTimer sinceProgress;
        sinceProgress.start();
        auto advanced = [&](qint64 n) {
            done += n;
            if (progress && sinceProgress.elapsed() >= 100) {
                sinceProgress.start();
                progress(done, total);
            }
        };
        m_counts.resize(size_t(m_inputs.size()));
        for (int i = 0; i < m_inputs.size(); ++i) {
            ScanFileResult fr;
            fr.path = m_inputs.at(i).path;
            fr.expectedType = m_inputs.at(i).expectedType;
            fr.expectedCount = m_inputs.at(i).expectedCount;
            m_result.files.append(fr);
        }
        for (int i = 0; i < m_inputs.size(); ++i) {
            if (!scanFile(i, cancel, advanced)) {
                m_result.cancelled = cancel.load();
                return;
            }
        }
        checkReferences();
        if (progress)
            progress(total, total);
    }

private:
    const QList<ScanInput> &m_inputs;
    const ScanOptions &m_options;
    ScanResult &m_result;
    simdjson::dom::parser m_parser;
    std::vector<char> m_buffer;
    std::vector<std::unordered_map<std::string, qint64>> m_counts;
    QSet<Key> m_ids;
    QHash<Key, RefSite> m_refs;
    QHash<QString, int> m_order;
};

QJsonObject countsJson(const QMap<QString, qint64> &counts)
{
    QJsonObject o;
    for (auto it = counts.cbegin(); it != counts.cend(); ++it)
        o.insert(it.key(), double(it.value()));
    return o;
}

QMap<QString, qint64> countsFrom(const QJsonObject &o)
{
    QMap<QString, qint64> counts;
    for (auto it = o.begin(); it != o.end(); ++it)
        counts.insert(it.key(), qint64(it.value().toDouble()));
    return counts;
}

} // namespace

QString Problem::className(Class kind)
{
    for (const auto &c : kClassNames) {
        if (c.kind == kind)
            return QString::fromLatin1(c.name);
    }
    return {};
}

std::optional<Problem::Class> Problem::classFromName(QStringView name)
{
    for (const auto &c : kClassNames) {
        if (name == QLatin1StringView(c.name))
            return c.kind;
    }
    return std::nullopt;
}

QJsonObject Problem::toJson() const
{
    return {{u"file"_s, file},
            {u"line"_s, double(line)},
            {u"class"_s, className(kind)},
            {u"message"_s, message}};
}

Problem Problem::fromJson(const QJsonObject &o)
{
    return {o.value("file"_L1).toString(), qint64(o.value("line"_L1).toDouble()),
            classFromName(o.value("class"_L1).toString()).value_or(Class::InvalidJson),
            o.value("message"_L1).toString()};
}

QJsonObject ScanResult::toJson() const
{
    QJsonArray fileArray;
    for (const ScanFileResult &f : files) {
        fileArray.append(QJsonObject{{u"path"_s, f.path},
                                     {u"expectedType"_s, f.expectedType},
                                     {u"expectedCount"_s, double(f.expectedCount)},
                                     {u"bytes"_s, double(f.bytes)},
                                     {u"resources"_s, double(f.resources)},
                                     {u"counts"_s, countsJson(f.countsByType)}});
    }
    QJsonArray problemArray;
    for (const Problem &p : problems)
        problemArray.append(p.toJson());
    QJsonObject o{{u"files"_s, fileArray},
                  {u"counts"_s, countsJson(countsByType)},
                  {u"problems"_s, problemArray},
                  {u"problemCount"_s, double(problemCount)}};
    if (!error.isEmpty())
        o.insert(u"error"_s, error);
    if (cancelled)
        o.insert(u"cancelled"_s, true);
    return o;
}

std::optional<ScanResult> ScanResult::fromJson(const QJsonObject &o)
{
    if (!o.value("files"_L1).isArray() || !o.value("problems"_L1).isArray())
        return std::nullopt;
    ScanResult r;
    for (const QJsonValue &v : o.value("files"_L1).toArray()) {
        const QJsonObject f = v.toObject();
        r.files.append({f.value("path"_L1).toString(), f.value("expectedType"_L1).toString(),
                        qint64(f.value("expectedCount"_L1).toDouble(-1)),
                        qint64(f.value("bytes"_L1).toDouble()),
                        qint64(f.value("resources"_L1).toDouble()),
                        countsFrom(f.value("counts"_L1).toObject())});
    }
    r.countsByType = countsFrom(o.value("counts"_L1).toObject());
    for (const QJsonValue &v : o.value("problems"_L1).toArray())
        r.problems.append(Problem::fromJson(v.toObject()));
    r.problemCount = qint64(o.value("problemCount"_L1).toDouble());
    r.error = o.value("error"_L1).toString();
    r.cancelled = o.value("cancelled"_L1).toBool();
    return r;
}

ResourceScan::ResourceScan(QString cacheFolder, QObject *parent)
    : QObject(parent)
    , m_cacheFolder(std::move(cacheFolder))
{
}

ResourceScan::~ResourceScan()
{
    cancel();
    m_future.waitForFinished();
}

ScanResult ResourceScan::result() const
{
    return m_finished.load() ? m_result : ScanResult();
}

ScanResult ResourceScan::scan(const QList<ScanInput> &inputs, const ScanOptions &options,
                              const std::atomic_bool &cancel,
                              const std::function<void(qint64, qint64)> &progress)
{
    ScanResult result;
    Scanner(inputs, options, result).run(cancel, progress);
    return result;
}

QString ResourceScan::cacheKey(const QList<ScanInput> &inputs, const ScanOptions &options)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(QByteArray::number(kCacheVersion) + ' ' +
                 QByteArray::number(options.maxLineBytes) + ' ' +
                 QByteArray::number(options.maxProblems) + '\n');
    for (const ScanInput &in : inputs) {
        const QFileInfo info(in.path);
        hash.addData(info.absoluteFilePath().toUtf8() + '\0' + QByteArray::number(info.size()) +
                     '\0' + QByteArray::number(info.lastModified().toMSecsSinceEpoch()) + '\0' +
                     in.expectedType.toUtf8() + '\0' + QByteArray::number(in.expectedCount) + '\n');
    }
    return QString::fromLatin1(hash.result().toHex().left(32));
}

QString ResourceScan::cachePath(const QList<ScanInput> &inputs) const
{
    return QDir(m_cacheFolder).filePath(u"scan-%1.json"_s.arg(cacheKey(inputs, m_options)));
}

void ResourceScan::start(const QList<ScanInput> &inputs)
{
    m_cancel.store(false);
    m_finished.store(false);
    const QString cacheFile = m_cacheFolder.isEmpty() ? QString() : cachePath(inputs);
    if (!cacheFile.isEmpty()) {
        QFile f(cacheFile);
        if (f.open(QIODevice::ReadOnly)) {
            if (auto cached = ScanResult::fromJson(QJsonDocument::fromJson(f.readAll()).object())) {
                m_result = *cached;
                m_result.fromCache = true;
                m_finished.store(true);
                QMetaObject::invokeMethod(this, &ResourceScan::finished, Qt::QueuedConnection);
                return;
            }
        }
    }
    m_future = QtConcurrent::run(QThreadPool::globalInstance(), [this, inputs, cacheFile] {
        auto post = [this](qint64 done, qint64 total) {
            QMetaObject::invokeMethod(
                this, [this, done, total] { emit progress(done, total); }, Qt::QueuedConnection);
        };
        ScanResult r = scan(inputs, m_options, m_cancel, post);
        if (!cacheFile.isEmpty() && !r.cancelled && r.error.isEmpty() &&
            QDir().mkpath(m_cacheFolder)) {
            QSaveFile f(cacheFile);
            if (f.open(QIODevice::WriteOnly)) {
                f.write(QJsonDocument(r.toJson()).toJson(QJsonDocument::Compact));
                f.commit(); // a cache that cannot be written only costs a rescan
            }
        }
        QMetaObject::invokeMethod(
            this,
            [this, r = std::move(r)] {
                m_result = r;
                m_finished.store(true);
                emit finished();
            },
            Qt::QueuedConnection);
    });
}

} // namespace cohort::review
