#include "DownloadQueue.h"

#include "TransferRate.h"

namespace cohort::bulk {

namespace {
constexpr int kSampleIntervalMs = 500;
constexpr int kProgressIntervalMs = 100;
} // namespace

struct DownloadQueue::Private
{
    struct Entry
    {
        enum class State
        {
            Pending,
            Active,
            Done,
            Failed
        };
        State state = State::Pending;
        QPointer<FileDownload> download;
        qint64 received = 0;
        qint64 total = -1;
        qint64 counted = -1; // the byte count already added to `transferred`; -1: no report yet
    };

    void launch(int index);
    void startMore();
    void onFileProgress(int index, qint64 received, qint64 total);
    void onFileFinished(int index, const FileResult &result);
    void checkDone();
    void emitProgress(bool force);
    Progress compute() const;

    DownloadQueue *q = nullptr;
    QPointer<fhir::FhirClient> client;
    QString directory;
    DownloadOptions options;
    int parallel = 4;
    QList<FileTask> tasks;
    QList<Entry> entries;
    int next = 0;
    int active = 0;
    bool running = false;
    bool aborting = false;
    // Bytes that crossed the network in this run: what the rate is about. A resumed file's
    // kept part and a restarted file's discarded bytes are not counted.
    qint64 transferred = 0;
    TransferRate rate;
    QElapsedTimer clock;
    QTimer sampler;
    QElapsedTimer progressClock;
};

DownloadQueue::DownloadQueue(fhir::FhirClient *client, QString directory, DownloadOptions options,
                             int parallel, QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Private>())
{
    d->q = this;
    d->client = client;
    d->directory = std::move(directory);
    d->options = std::move(options);
    d->parallel = qMax(1, parallel);
    d->sampler.setInterval(kSampleIntervalMs);
    connect(&d->sampler, &QTimer::timeout, this, [this] {
        d->rate.addSample(d->clock.elapsed(), d->transferred);
        d->emitProgress(true);
    });
}

DownloadQueue::~DownloadQueue()
{
    // The downloads are children; stop them without letting their signals reach a half-gone us.
    for (auto &entry : d->entries) {
        if (entry.download)
            entry.download->disconnect(this);
    }
}

void DownloadQueue::setTasks(const QList<FileTask> &tasks)
{
    if (d->running)
        return;
    d->tasks = tasks;
}

void DownloadQueue::start()
{
    if (d->running)
        return;
    d->running = true;
    d->aborting = false;
    d->entries = QList<Private::Entry>(d->tasks.size());
    d->next = 0;
    d->active = 0;
    d->transferred = 0;
    d->rate.reset();
    d->clock.start();
    d->rate.addSample(0, 0);
    d->sampler.start();
    d->progressClock.invalidate();
    if (d->tasks.isEmpty()) {
        // Not from inside start(): callers connect finished() expecting it later.
        QMetaObject::invokeMethod(
            this, [this] { d->checkDone(); }, Qt::QueuedConnection);
        return;
    }
    d->startMore();
    d->emitProgress(true);
}

void DownloadQueue::abort()
{
    if (!d->running || d->aborting)
        return;
    d->aborting = true;
    QList<QPointer<FileDownload>> running;
    for (const auto &entry : std::as_const(d->entries)) {
        if (entry.state == Private::Entry::State::Active && entry.download)
            running.append(entry.download);
    }
    // Each download reports finished() once its file is closed; the last one finishes the queue.
    for (const auto &download : std::as_const(running)) {
        if (download)
            download->abort();
    }
    d->checkDone();
}

bool DownloadQueue::isRunning() const
{
    return d->running;
}

DownloadQueue::Progress DownloadQueue::currentProgress() const
{
    return d->compute();
}

void DownloadQueue::Private::startMore()
{
    while (!aborting && active < parallel && next < tasks.size())
        launch(next++);
}

void DownloadQueue::Private::launch(int index)
{
    auto *download = new FileDownload(client, tasks[index], directory, options, q);
    Entry &entry = entries[index];
    entry.state = Entry::State::Active;
    entry.download = download;
    ++active;
    connect(download, &FileDownload::progress, q, [this, index](qint64 received, qint64 total) {
        onFileProgress(index, received, total);
    });
    connect(download, &FileDownload::finished, q,
            [this, index](const FileResult &result) { onFileFinished(index, result); });
    connect(download, &FileDownload::logMessage, q, &DownloadQueue::logMessage);
    emit q->fileStarted(index);
    download->start(); // never finishes synchronously
}

void DownloadQueue::Private::onFileProgress(int index, qint64 received, qint64 total)
{
    Entry &entry = entries[index];
    // Only growth after the first report is traffic; a drop is a file cut back or restarted.
    if (entry.counted >= 0 && received > entry.counted)
        transferred += received - entry.counted;
    entry.counted = received;
    entry.received = received;
    entry.total = total;
    emit q->fileProgress(index, received, total);
    emitProgress(false);
}

void DownloadQueue::Private::onFileFinished(int index, const FileResult &result)
{
    Entry &entry = entries[index];
    entry.state = result.ok ? Entry::State::Done : Entry::State::Failed;
    if (entry.download) {
        entry.download->disconnect(q);
        entry.download->deleteLater();
    }
    entry.download = nullptr;
    --active;
    emit q->fileFinished(index, result);
    if (!aborting)
        startMore();
    checkDone();
}

void DownloadQueue::Private::checkDone()
{
    if (!running || active > 0 || (!aborting && next < tasks.size()))
        return;
    running = false;
    sampler.stop();
    rate.addSample(clock.elapsed(), transferred);
    emit q->progress(compute());
    emit q->finished();
}

void DownloadQueue::Private::emitProgress(bool force)
{
    if (!force && progressClock.isValid() && progressClock.elapsed() < kProgressIntervalMs)
        return;
    progressClock.start();
    emit q->progress(compute());
}

DownloadQueue::Progress DownloadQueue::Private::compute() const
{
    Progress p;
    p.filesTotal = int(tasks.size());
    p.filesActive = active;
    qint64 expected = 0;
    bool known = true;
    int started = 0;
    for (const Entry &e : entries) {
        if (e.state == Entry::State::Pending)
            continue;
        ++started;
        if (e.state == Entry::State::Done)
            ++p.filesDone;
        else if (e.state == Entry::State::Failed)
            ++p.filesFailed;
        p.bytesReceived += e.received;
        if (e.state != Entry::State::Active)
            expected += e.received; // what it came to
        else if (e.total >= 0)
            expected += e.total;
        else
            known = false;
    }
    if (known && started > 0) {
        // Files not started yet have unknown sizes: assume they are like those seen so far.
        p.bytesExpected = started < p.filesTotal && running && !aborting
                              ? qint64(double(expected) * p.filesTotal / started)
                              : expected;
    }
    p.bytesPerSecond = rate.bytesPerSecond();
    if (running && p.bytesExpected >= 0)
        p.etaSeconds = rate.etaSeconds(qMax<qint64>(0, p.bytesExpected - p.bytesReceived));
    return p;
}

} // namespace cohort::bulk
