#pragma once

#include <QFile>
#include <QFuture>
#include <QHash>
#include <QMutex>
#include <QObject>
#include <QStringList>
#include <atomic>
#include <vector>

namespace cohort::review {

// Patient id → every line, across the files of an export, that is that Patient or references it
// (subject, patient, beneficiary or any other reference to "Patient/<id>"), built in one pass
// per file on the thread pool. Lines are found by their bytes ("Patient/<id>" inside a JSON
// string), so the pass runs near read() speed; names come from the Patient resources.
class PatientIndex : public QObject
{
    Q_OBJECT
public:
    struct Location
    {
        int file = 0;    // index into files()
        qint64 line = 0; // 0-based
        qint64 offset = 0;
        qint64 length = 0; // -1: up to the newline (lines of 16 MiB and more)
    };
    struct Patient
    {
        QString id;
        QString name; // from the Patient resource, when the export has it
    };

    explicit PatientIndex(QObject *parent = nullptr);
    ~PatientIndex() override; // cancels and waits

    void start(const QStringList &files);
    void cancel();
    bool isFinished() const { return m_finished.load(); }
    QStringList files() const { return m_files; }

    // Valid once finished.
    QList<Patient> patients() const; // sorted by id
    QList<Location> locations(const QString &patientId) const;
    // Patients whose id or name contains text (case-insensitive), at most limit.
    QList<Patient> find(const QString &text, int limit = 200) const;
    // The raw bytes of a location (positioned read).
    QByteArray read(const Location &location) const;
    // The bytes of many locations, each file opened once.
    QList<QByteArray> read(const QList<Location> &locations) const;
    // The same for files() given: safe on any thread, whatever the index does meanwhile.
    static QList<QByteArray> read(const QStringList &files, const QList<Location> &locations);

    // Exposed for tests: the patient ids a line references, and its own id when it is a Patient.
    static QStringList referencedPatients(QByteArrayView line);

signals:
    void progress(qint64 bytesDone, qint64 total);
    void finished();

private:
    void run();

    QStringList m_files;
    QFuture<void> m_future;
    std::atomic_bool m_cancel{false};
    std::atomic_bool m_finished{false};
    mutable QMutex m_mutex;
    // 16 bytes a location (a 1 GiB export has about one per line): offset << 16 | file, and
    // line << 24 | length (kLongLine: longer, read up to the newline).
    struct Packed
    {
        quint64 offsetFile;
        quint64 lineLength;
    };
    static constexpr quint64 kLongLine = (1 << 24) - 1;
    static Packed pack(const Location &l);
    static QByteArray readFrom(QFile &file, const Location &location);
    static Location unpack(const Packed &p);
    QHash<QString, std::vector<Packed>> m_locations;
    QHash<QString, QString> m_names;
    QList<Patient> m_patients; // sorted by id, built once
};

} // namespace cohort::review
