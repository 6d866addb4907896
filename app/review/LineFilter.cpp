#include "LineFilter.h"

#include "WorkerPool.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtConcurrent/QtConcurrentRun>
#include <cstring>

namespace cohort::review {

using namespace Qt::StringLiterals;

namespace {

bool containsCaseInsensitive(QByteArrayView haystack, QByteArrayView lowerNeedle)
{
    if (lowerNeedle.isEmpty())
        return true;
    const char first = lowerNeedle.front();
    const char firstUpper = char(QChar::toUpper(uchar(first)));
    for (qsizetype i = 0; i + lowerNeedle.size() <= haystack.size(); ++i) {
        const char c = haystack[i];
        if (c != first && c != firstUpper)
            continue;
        if (QLatin1StringView(haystack.data() + i, lowerNeedle.size())
                .compare(QLatin1StringView(lowerNeedle), Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

// A member `"name"` whose value is the string `"value"`, with any JSON whitespace around the
// colon; value is neither escaped nor unescaped (ids and type names need no escapes).
bool hasMember(QByteArrayView line, QByteArrayView name, QByteArrayView value)
{
    auto isSpace = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
    for (qsizetype at = 0; (at = line.indexOf(name, at)) >= 0;) {
        qsizetype p = at + name.size();
        at = p;
        if (at - name.size() == 0 || line[at - name.size() - 1] != '"' || p >= line.size() || line[p] != '"')
            continue;
        ++p;
        while (p < line.size() && isSpace(line[p]))
            ++p;
        if (p >= line.size() || line[p] != ':')
            continue;
        ++p;
        while (p < line.size() && isSpace(line[p]))
            ++p;
        if (p + value.size() + 2 <= line.size() && line[p] == '"' && line[p + 1 + value.size()] == '"' &&
            line.sliced(p + 1, value.size()) == value)
            return true;
    }
    return false;
}

} // namespace

LineFilter::LineFilter(QObject *parent)
    : QObject(parent)
{
}

LineFilter::~LineFilter()
{
    cancel();
    m_future.waitForFinished();
}

void LineFilter::cancel()
{
    m_cancel.store(true);
}

LineFilter::Query LineFilter::parse(const QString &text)
{
    Query q;
    const QString t = text.trimmed();
    if (t.startsWith("id:"_L1, Qt::CaseInsensitive)) {
        q.kind = Query::Kind::Id;
        q.needle = "\"id\":\"" + t.mid(3).trimmed().toUtf8() + '"';
    } else if (t.startsWith("patient:"_L1, Qt::CaseInsensitive)) {
        QString id = t.mid(8).trimmed();
        if (id.startsWith("Patient/"_L1))
            id = id.mid(8);
        q.kind = Query::Kind::Patient;
        q.needle = "\"Patient/" + id.toUtf8() + '"';
        q.alternative = "\"id\":\"" + id.toUtf8() + '"';
    } else {
        q.needle = t.toUtf8().toLower();
    }
    return q;
}

LineFilter::Query LineFilter::resourceQuery(const QString &type, const QString &id)
{
    Query q;
    q.kind = Query::Kind::Resource;
    q.needle = id.toUtf8();
    q.alternative = type.toUtf8();
    return q;
}

bool LineFilter::matches(const Query &q, QByteArrayView line)
{
    switch (q.kind) {
    case Query::Kind::Text:
        return containsCaseInsensitive(line, q.needle);
    case Query::Kind::Id:
        // Compact NDJSON puts "id" at the top level early; a nested "id" may also match, so
        // the check is an over-approximation that the table still shows correctly.
        return line.indexOf(q.needle) >= 0;
    case Query::Kind::Patient:
        return line.indexOf(q.needle) >= 0 ||
               (line.indexOf("\"resourceType\":\"Patient\"") >= 0 && line.indexOf(q.alternative) >= 0);
    case Query::Kind::Resource: {
        if (!hasMember(line, "id", q.needle) || !hasMember(line, "resourceType", q.alternative))
            return false;
        const QJsonObject o = QJsonDocument::fromJson(line.toByteArray()).object();
        return o.value(QLatin1StringView("resourceType")).toString().toUtf8() == q.alternative &&
               o.value(QLatin1StringView("id")).toString().toUtf8() == q.needle;
    }
    }
    return false;
}

void LineFilter::start(const QString &path, const QString &query)
{
    start(path, parse(query));
}

void LineFilter::start(const QString &path, const Query &query)
{
    cancel();
    m_future.waitForFinished();
    {
        QMutexLocker lock(&m_mutex);
        m_pending.clear();
        m_count = 0;
    }
    m_cancel.store(false);
    m_finished.store(false);
    m_future = QtConcurrent::run(workerPool(), [this, path, query] { run(path, query); });
}

std::vector<qint64> LineFilter::takeMatches()
{
    QMutexLocker lock(&m_mutex);
    return std::exchange(m_pending, {});
}

qint64 LineFilter::matchCount() const
{
    QMutexLocker lock(&m_mutex);
    return m_count;
}

void LineFilter::run(QString path, Query query)
{
    QFile file(path);
    if (file.open(QIODevice::ReadOnly)) {
        const qint64 total = file.size();
        constexpr qint64 kBlock = 4 * 1024 * 1024;
        QByteArray carry; // a line cut by the block boundary
        QByteArray block(kBlock, Qt::Uninitialized);
        qint64 line = 0, done = 0;
        std::vector<qint64> found;
        auto flush = [&] {
            if (found.empty())
                return;
            {
                QMutexLocker lock(&m_mutex);
                m_pending.insert(m_pending.end(), found.begin(), found.end());
                m_count += qint64(found.size());
            }
            found.clear();
            emit matchesAvailable();
        };
        while (!m_cancel.load()) {
            const qint64 n = file.read(block.data(), kBlock);
            if (n <= 0)
                break;
            done += n;
            const char *p = block.constData();
            const char *end = p + n;
            while (p < end) {
                const char *nl = static_cast<const char *>(std::memchr(p, '\n', size_t(end - p)));
                if (!nl) {
                    carry.append(p, end - p);
                    break;
                }
                bool hit;
                if (!carry.isEmpty()) {
                    carry.append(p, nl - p);
                    hit = matches(query, carry);
                    carry.clear();
                } else {
                    hit = matches(query, QByteArrayView(p, nl - p));
                }
                if (hit)
                    found.push_back(line);
                ++line;
                p = nl + 1;
            }
            flush();
            emit progress(done, total);
        }
        if (!m_cancel.load() && !carry.isEmpty() && matches(query, carry))
            found.push_back(line);
        flush();
    }
    m_finished.store(true);
    emit finished();
}

} // namespace cohort::review
