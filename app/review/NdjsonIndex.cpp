#include "NdjsonIndex.h"

#include "WorkerPool.h"

#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>

#include <simdjson.h>

#include <algorithm>
#include <cstring>
#include <limits>

namespace cohort::review {

using namespace Qt::StringLiterals;

namespace {

constexpr qint64 kBlockSize = 2 * 1024 * 1024;      // read() blocks, reused
constexpr qsizetype kPrefixSize = 256;              // what the cheap type check looks at
constexpr qint64 kMaxParsedLine = 64 * 1024 * 1024; // longer odd lines stay NotAResource
constexpr qint64 kMaxReadLine = 512 * 1024 * 1024;  // readLine() refuses more
constexpr qint64 kSignalIntervalMs = 100;

// `{"resourceType":"Name"` as written by every Bulk Data server we know: no parsing needed.
std::optional<QByteArrayView> cheapType(const char *data, qsizetype length)
{
    static constexpr QByteArrayView kPrefix = "{\"resourceType\":\"";
    if (length <= kPrefix.size() || std::memcmp(data, kPrefix.data(), kPrefix.size()) != 0)
        return std::nullopt;
    const qsizetype begin = kPrefix.size();
    const qsizetype limit = std::min<qsizetype>(length, begin + 64);
    for (qsizetype i = begin; i < limit; ++i) {
        const char c = data[i];
        if (c == '"')
            return i > begin ? std::optional(QByteArrayView(data + begin, i - begin))
                             : std::nullopt;
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
            return std::nullopt;
    }
    return std::nullopt;
}

// The slow path for lines written differently (spaces, another key first).
std::optional<QByteArray> parsedType(simdjson::ondemand::parser &parser, const char *data,
                                     size_t length)
{
    const simdjson::padded_string padded(data, length);
    simdjson::ondemand::document doc;
    if (parser.iterate(padded).get(doc))
        return std::nullopt;
    simdjson::ondemand::object object;
    if (doc.get_object().get(object))
        return std::nullopt;
    std::string_view type;
    if (object.find_field_unordered("resourceType").get_string().get(type) || type.empty())
        return std::nullopt;
    return QByteArray(type.data(), qsizetype(type.size()));
}

} // namespace

NdjsonIndex::NdjsonIndex(QString path, QObject *parent)
    : QObject(parent)
    , m_path(std::move(path))
{
}

NdjsonIndex::~NdjsonIndex()
{
    cancel();
    m_future.waitForFinished();
}

void NdjsonIndex::start()
{
    if (m_started) // a default QFuture counts as started, so keep our own flag
        return;
    m_started = true;
    const QFileInfo info(m_path);
    m_size = info.size();
    m_mtime = info.lastModified();
    m_future = QtConcurrent::run(workerPool(), [this] { run(); });
}

void NdjsonIndex::cancel()
{
    m_cancel.store(true);
}

bool NdjsonIndex::isRunning() const
{
    return m_future.isRunning();
}

void NdjsonIndex::waitForFinished()
{
    m_future.waitForFinished();
}

qint64 NdjsonIndex::lineCount() const
{
    QReadLocker locker(&m_lock);
    return m_lines;
}

qint64 NdjsonIndex::bytesIndexed() const
{
    QReadLocker locker(&m_lock);
    return m_bytesIndexed;
}

const NdjsonIndex::Chunk *NdjsonIndex::chunkFor(qint64 line, qsizetype *index) const
{
    if (line < 0 || line >= m_lines)
        return nullptr;
    auto it = std::upper_bound(m_chunks.begin(), m_chunks.end(), line,
                               [](qint64 l, const auto &c) { return l < c->firstLine; });
    --it; // the first chunk starts at line 0, so there is always one before
    *index = it - m_chunks.begin();
    return it->get();
}

NdjsonIndex::LineRange NdjsonIndex::lineRange(qint64 line) const
{
    QReadLocker locker(&m_lock);
    qsizetype ci = 0;
    const Chunk *chunk = chunkFor(line, &ci);
    if (!chunk)
        return {};
    const size_t i = size_t(line - chunk->firstLine);
    const qint64 start = qint64(chunk->base + chunk->deltas[i]);
    qint64 next = m_tail;
    if (i + 1 < chunk->deltas.size())
        next = qint64(chunk->base + chunk->deltas[i + 1]);
    else if (size_t(ci + 1) < m_chunks.size())
        next = qint64(m_chunks[size_t(ci + 1)]->base);
    qint64 terminator = (line == m_lines - 1 && !m_lastHasLf) ? 0 : 1;
    if (chunk->types[i] & kCrFlag)
        ++terminator;
    return {start, std::max<qint64>(0, next - start - terminator)};
}

quint8 NdjsonIndex::typeIdOf(qint64 line) const
{
    QReadLocker locker(&m_lock);
    qsizetype ci = 0;
    const Chunk *chunk = chunkFor(line, &ci);
    return chunk ? quint8(chunk->types[size_t(line - chunk->firstLine)] & ~kCrFlag)
                 : quint8(NotAResource);
}

QString NdjsonIndex::typeOf(qint64 line) const
{
    const quint8 id = typeIdOf(line);
    QReadLocker locker(&m_lock);
    if (id >= FirstTableType && id - FirstTableType < m_types.size())
        return m_types.at(id - FirstTableType);
    return {};
}

QStringList NdjsonIndex::typeTable() const
{
    QReadLocker locker(&m_lock);
    return m_types;
}

qint64 NdjsonIndex::indexBytes() const
{
    QReadLocker locker(&m_lock);
    qint64 bytes = qint64(m_chunks.capacity() * sizeof(void *));
    for (const auto &c : m_chunks)
        bytes +=
            qint64(sizeof(Chunk) + c->deltas.capacity() * sizeof(quint32) + c->types.capacity());
    return bytes;
}

QByteArray NdjsonIndex::readLine(qint64 line, QString *error) const
{
    auto fail = [error](const QString &message) {
        if (error)
            *error = message;
        return QByteArray();
    };
    const LineRange range = lineRange(line);
    if (range.offset < 0)
        return fail(tr("Line %1 is not indexed.").arg(line + 1));
    if (range.length > kMaxReadLine)
        return fail(tr("Line %1 is too long to show (%2 bytes).").arg(line + 1).arg(range.length));
    QMutexLocker locker(&m_readMutex);
    if (!m_reader) {
        m_reader = std::make_unique<QFile>(m_path);
        if (!m_reader->open(QIODevice::ReadOnly)) {
            const QString why = m_reader->errorString();
            m_reader.reset();
            return fail(tr("Cannot read %1: %2").arg(m_path, why));
        }
    }
    if (!m_reader->seek(range.offset))
        return fail(tr("Cannot read %1: %2").arg(m_path, m_reader->errorString()));
    QByteArray bytes = m_reader->read(range.length);
    if (bytes.size() != range.length)
        return fail(tr("%1 is shorter than indexed; it changed.").arg(m_path));
    return bytes;
}

bool NdjsonIndex::hasChanged() const
{
    const QFileInfo info(m_path);
    return !info.exists() || info.size() != m_size || info.lastModified() != m_mtime;
}

QString NdjsonIndex::errorString() const
{
    QReadLocker locker(&m_lock);
    return m_error;
}

void NdjsonIndex::setError(const QString &message)
{
    QWriteLocker locker(&m_lock);
    if (m_error.isEmpty())
        m_error = message;
}

quint8 NdjsonIndex::typeIdFor(QByteArrayView name)
{
    // Called by the worker only, which is the only writer of m_types. Lines of one type
    // follow each other, so the last answer is tried first, on bytes rather than QStrings.
    if (m_lastTypeId != 0 && name == QByteArrayView(m_typeNames[m_lastTypeId - FirstTableType]))
        return m_lastTypeId;
    for (size_t i = 0; i < m_typeNames.size(); ++i) {
        if (name == QByteArrayView(m_typeNames[i]))
            return m_lastTypeId = quint8(FirstTableType + i);
    }
    if (FirstTableType + m_types.size() >= OtherType)
        return OtherType;
    QWriteLocker locker(&m_lock);
    m_types.append(QString::fromLatin1(name));
    m_typeNames.push_back(name.toByteArray());
    return m_lastTypeId = quint8(FirstTableType + m_types.size() - 1);
}

void NdjsonIndex::publish(std::vector<Pending> &pending, qint64 tail, qint64 bytesDone,
                          bool lastHasLf)
{
    QWriteLocker locker(&m_lock);
    m_lastHasLf = lastHasLf;
    for (const Pending &p : pending) {
        Chunk *back = m_chunks.empty() ? nullptr : m_chunks.back().get();
        if (!back || back->deltas.size() >= kChunkLines ||
            quint64(p.offset) - back->base > std::numeric_limits<quint32>::max()) {
            if (back) { // full chunks keep their exact size
                back->deltas.shrink_to_fit();
                back->types.shrink_to_fit();
            }
            auto chunk = std::make_unique<Chunk>();
            chunk->base = quint64(p.offset);
            chunk->firstLine = m_lines;
            m_chunks.push_back(std::move(chunk));
            back = m_chunks.back().get();
        }
        back->deltas.push_back(quint32(quint64(p.offset) - back->base));
        back->types.push_back(p.type);
        ++m_lines;
    }
    m_tail = tail;
    m_bytesIndexed = bytesDone;
    pending.clear();
}

void NdjsonIndex::run()
{
    const qint64 total = m_size;
    auto post = [this](auto &&emitter) {
        QMetaObject::invokeMethod(this, std::forward<decltype(emitter)>(emitter),
                                  Qt::QueuedConnection);
    };
    auto done = [&] {
        m_finished.store(true);
        post([this] { emit finished(); });
    };

    QFile file(m_path);
    if (!file.open(QIODevice::ReadOnly)) {
        setError(tr("Cannot read %1: %2").arg(m_path, file.errorString()));
        return done();
    }

    simdjson::ondemand::parser parser;
    std::vector<char> buffer(size_t(std::min<qint64>(kBlockSize, std::max<qint64>(total, 1))));
    std::vector<Pending> pending;
    QByteArray prefix; // the start of a line that began in an earlier block
    qint64 blockPos = 0, blockLen = 0, lineStart = 0;
    char previousLast = 0;
    QElapsedTimer sinceSignal;
    bool signalled = false;

    auto typeOfLine = [&](qint64 start, qint64 length) -> quint8 {
        if (length == 0)
            return EmptyLine;
        const bool inBlock = start >= blockPos;
        const char *data = inBlock ? buffer.data() + (start - blockPos) : prefix.constData();
        const qsizetype available = inBlock ? qsizetype(length) : prefix.size();
        if (const auto name = cheapType(data, std::min<qsizetype>(available, qsizetype(length))))
            return typeIdFor(*name);
        std::optional<QByteArray> name;
        if (inBlock) {
            name = parsedType(parser, data, size_t(length));
        } else if (length <= kMaxParsedLine) {
            QFile line(m_path);
            if (line.open(QIODevice::ReadOnly) && line.seek(start)) {
                const QByteArray bytes = line.read(length);
                name = parsedType(parser, bytes.constData(), size_t(bytes.size()));
            }
        }
        return name ? typeIdFor(*name) : quint8(NotAResource);
    };

    while (blockPos + blockLen < total) {
        if (m_cancel.load())
            return done();
        const qint64 pos = blockPos + blockLen;
        const qint64 n =
            file.read(buffer.data(), std::min<qint64>(qint64(buffer.size()), total - pos));
        if (n <= 0) {
            setError(n < 0 ? tr("Cannot read %1: %2").arg(m_path, file.errorString())
                           : tr("%1 became shorter while it was indexed.").arg(m_path));
            break;
        }
        blockPos = pos;
        blockLen = n;
        const char *begin = buffer.data();
        const char *end = begin + n;
        const char *cur = begin;
        while (const char *nl =
                   static_cast<const char *>(std::memchr(cur, '\n', size_t(end - cur)))) {
            const qint64 nlOffset = blockPos + (nl - begin);
            const char before = nl > begin ? nl[-1] : previousLast;
            const bool cr = nlOffset > lineStart && before == '\r';
            const qint64 length = nlOffset - lineStart - (cr ? 1 : 0);
            pending.push_back(
                {lineStart, quint8(typeOfLine(lineStart, length) | (cr ? kCrFlag : 0))});
            prefix.clear();
            lineStart = nlOffset + 1;
            cur = nl + 1;
        }
        // Keep the start of an unfinished line for the cheap type check of the next block.
        if (lineStart >= blockPos && lineStart < blockPos + n) {
            const qsizetype offset = qsizetype(lineStart - blockPos);
            prefix = QByteArray(begin + offset, std::min<qsizetype>(kPrefixSize, n - offset));
        } else if (lineStart < blockPos && prefix.size() < kPrefixSize) {
            prefix.append(begin, std::min<qsizetype>(kPrefixSize - prefix.size(), n));
        }
        previousLast = end[-1];
        publish(pending, lineStart, blockPos + n);

        // Once at once, so the first rows show immediately; then at most every 100 ms.
        if (!signalled || sinceSignal.elapsed() >= kSignalIntervalMs) {
            signalled = true;
            sinceSignal.start();
            const qint64 lines = lineCount();
            const qint64 bytes = blockPos + n;
            post([this, lines] { emit linesAvailable(lines); });
            post([this, bytes, total] { emit progress(bytes, total); });
        }
    }

    const qint64 end = blockPos + blockLen;
    if (lineStart < end) { // a last line without "\n"
        const bool cr = previousLast == '\r';
        const qint64 length = end - lineStart - (cr ? 1 : 0);
        pending.push_back({lineStart, quint8(typeOfLine(lineStart, length) | (cr ? kCrFlag : 0))});
        publish(pending, end, end, false);
    }
    {
        QWriteLocker locker(&m_lock);
        if (!m_chunks.empty()) {
            m_chunks.back()->deltas.shrink_to_fit();
            m_chunks.back()->types.shrink_to_fit();
        }
    }
    if (hasChanged() || end != total) {
        setError(tr("%1 changed while it was indexed; reopen it.").arg(m_path));
        post([this] { emit fileChanged(); });
    }
    const qint64 lines = lineCount();
    post([this, lines] { emit linesAvailable(lines); });
    post([this, end, total] { emit progress(end, total); });
    done();
}

} // namespace cohort::review
