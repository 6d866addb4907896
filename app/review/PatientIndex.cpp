#include "PatientIndex.h"

#include "WorkerPool.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtConcurrent/QtConcurrentRun>
#include <algorithm>
#include <cstring>
#include <memory>

namespace cohort::review {

using namespace Qt::StringLiterals;

namespace {

bool isIdChar(char c)
{
    // FHIR ids: [A-Za-z0-9\-\.]{1,64}; a little wider so odd ids are still found.
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_';
}

QString nameOf(const QJsonObject &patient)
{
    const QJsonArray names = patient.value("name"_L1).toArray();
    if (names.isEmpty())
        return {};
    const QJsonObject n = names.first().toObject();
    const QString text = n.value("text"_L1).toString();
    if (!text.isEmpty())
        return text.simplified();
    QStringList parts;
    for (const QJsonValue &g : n.value("given"_L1).toArray())
        parts << g.toString();
    parts << n.value("family"_L1).toString();
    return parts.join(u' ').simplified();
}

} // namespace

PatientIndex::PatientIndex(QObject *parent)
    : QObject(parent)
{
}

PatientIndex::~PatientIndex()
{
    cancel();
    m_future.waitForFinished();
}

void PatientIndex::cancel()
{
    m_cancel.store(true);
}

void PatientIndex::start(const QStringList &files)
{
    cancel();
    m_future.waitForFinished();
    m_cancel.store(false);
    m_finished.store(false);
    m_files = files;
    {
        QMutexLocker lock(&m_mutex);
        m_locations.clear();
        m_names.clear();
        m_patients.clear();
    }
    m_future = QtConcurrent::run(workerPool(), [this] { run(); });
}

QStringList PatientIndex::referencedPatients(QByteArrayView line)
{
    QStringList ids;
    static constexpr QByteArrayView kPatient = "Patient/";
    qsizetype from = 0;
    while (true) {
        const qsizetype at = line.indexOf(kPatient, from);
        if (at < 0)
            break;
        from = at + kPatient.size();
        // Inside a JSON string: "Patient/x" or an absolute URL ".../Patient/x".
        if (at == 0 || (line[at - 1] != '"' && line[at - 1] != '/'))
            continue;
        qsizetype end = from;
        while (end < line.size() && isIdChar(line[end]))
            ++end;
        if (end == from || end >= line.size() || line[end] != '"')
            continue;
        const QString id = QString::fromLatin1(line.sliced(from, end - from));
        if (!ids.contains(id))
            ids << id;
    }
    if (line.indexOf("\"resourceType\":\"Patient\"") >= 0) {
        const QJsonObject o = QJsonDocument::fromJson(line.toByteArray()).object();
        const QString id = o.value("id"_L1).toString();
        if (!id.isEmpty() && !ids.contains(id))
            ids.prepend(id);
    }
    return ids;
}

void PatientIndex::run()
{
    qint64 total = 0;
    for (const QString &f : std::as_const(m_files))
        total += QFileInfo(f).size();
    qint64 done = 0;
    QHash<QString, std::vector<Packed>> locations;
    QHash<QString, QString> names;
    // A packed location has 16 bits for the file.
    const int files = int(qMin<qsizetype>(m_files.size(), 0x10000));
    for (int fileIndex = 0; fileIndex < files && !m_cancel.load(); ++fileIndex) {
        QFile file(m_files[fileIndex]);
        if (!file.open(QIODevice::ReadOnly))
            continue;
        constexpr qint64 kBlock = 4 * 1024 * 1024;
        QByteArray block(kBlock, Qt::Uninitialized);
        QByteArray carry;
        qint64 line = 0, offset = 0, carryStart = 0;
        auto handle = [&](QByteArrayView text, qint64 start) {
            if (text.endsWith('\r'))
                text.chop(1);
            if (text.indexOf("Patient") >= 0) {
                const QStringList ids = referencedPatients(text);
                for (const QString &id : ids)
                    locations[id].push_back(pack({fileIndex, line, start, text.size()}));
                if (!ids.isEmpty() && text.indexOf("\"resourceType\":\"Patient\"") >= 0) {
                    const QString name =
                        nameOf(QJsonDocument::fromJson(text.toByteArray()).object());
                    if (!name.isEmpty())
                        names.insert(ids.first(), name);
                }
            }
            ++line;
        };
        while (!m_cancel.load()) {
            const qint64 n = file.read(block.data(), kBlock);
            if (n <= 0)
                break;
            const char *base = block.constData();
            const char *p = base;
            const char *end = base + n;
            while (p < end) {
                const char *nl = static_cast<const char *>(std::memchr(p, '\n', size_t(end - p)));
                if (!nl) {
                    if (carry.isEmpty())
                        carryStart = offset + (p - base);
                    carry.append(p, end - p);
                    break;
                }
                if (!carry.isEmpty()) {
                    carry.append(p, nl - p);
                    handle(carry, carryStart);
                    carry.clear();
                } else {
                    handle(QByteArrayView(p, nl - p), offset + (p - base));
                }
                p = nl + 1;
            }
            offset += n;
            done += n;
            emit progress(done, total);
        }
        if (!carry.isEmpty() && !m_cancel.load())
            handle(carry, carryStart);
    }
    QList<Patient> sorted;
    sorted.reserve(locations.size());
    for (auto it = locations.begin(); it != locations.end(); ++it) {
        it->shrink_to_fit();
        sorted.append({it.key(), names.value(it.key())});
    }
    std::sort(sorted.begin(), sorted.end(),
              [](const Patient &a, const Patient &b) { return a.id < b.id; });
    {
        QMutexLocker lock(&m_mutex);
        m_locations = std::move(locations);
        m_names = std::move(names);
        m_patients = std::move(sorted);
    }
    m_finished.store(true);
    emit finished();
}

QList<PatientIndex::Patient> PatientIndex::patients() const
{
    QMutexLocker lock(&m_mutex);
    return m_patients; // shared, not copied
}

PatientIndex::Packed PatientIndex::pack(const Location &l)
{
    return {quint64(l.offset) << 16 | quint64(l.file),
            quint64(l.line) << 24 | qMin(quint64(l.length), kLongLine)};
}

PatientIndex::Location PatientIndex::unpack(const Packed &p)
{
    const quint64 length = p.lineLength & kLongLine;
    return {int(p.offsetFile & 0xffff), qint64(p.lineLength >> 24), qint64(p.offsetFile >> 16),
            length == kLongLine ? -1 : qint64(length)};
}

QList<PatientIndex::Location> PatientIndex::locations(const QString &patientId) const
{
    QMutexLocker lock(&m_mutex);
    QList<Location> list;
    const auto it = m_locations.constFind(patientId);
    if (it == m_locations.cend())
        return list;
    list.reserve(qsizetype(it->size()));
    for (const Packed &p : *it)
        list.append(unpack(p));
    return list;
}

QList<PatientIndex::Patient> PatientIndex::find(const QString &text, int limit) const
{
    QList<Patient> found;
    for (const Patient &p : patients()) {
        if (text.isEmpty() || p.id.contains(text, Qt::CaseInsensitive) ||
            p.name.contains(text, Qt::CaseInsensitive)) {
            found.append(p);
            if (found.size() >= limit)
                break;
        }
    }
    return found;
}

QList<QByteArray> PatientIndex::read(const QList<Location> &locations) const
{
    return read(m_files, locations);
}

QList<QByteArray> PatientIndex::read(const QStringList &files, const QList<Location> &locations)
{
    QList<QByteArray> lines;
    lines.reserve(locations.size());
    std::vector<std::unique_ptr<QFile>> open(size_t(files.size()));
    for (const Location &l : locations) {
        if (l.file < 0 || l.file >= files.size()) {
            lines.append(QByteArray());
            continue;
        }
        auto &file = open[size_t(l.file)];
        if (!file) {
            file = std::make_unique<QFile>(files.at(l.file));
            if (!file->open(QIODevice::ReadOnly))
                qWarning("cannot read %s", qPrintable(files.at(l.file)));
        }
        lines.append(readFrom(*file, l));
    }
    return lines;
}

QByteArray PatientIndex::readFrom(QFile &file, const Location &location)
{
    if (!file.isOpen() || !file.seek(location.offset))
        return {};
    if (location.length >= 0)
        return file.read(location.length);
    QByteArray line = file.readLine(); // longer than a packed length holds
    while (line.endsWith('\n') || line.endsWith('\r'))
        line.chop(1);
    return line;
}

QByteArray PatientIndex::read(const Location &location) const
{
    QFile file(m_files.value(location.file));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return readFrom(file, location);
}

} // namespace cohort::review
