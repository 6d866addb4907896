// GUI-thread stall probe for the review window: opens a large NDJSON file (index, validating
// scan and patient index all run in the background) while a "user" jumps to a random row every
// 50 ms, which parses that row and shows its JSON. A 5 ms precise timer on the GUI thread records
// the gaps between its ticks; the longest gap, less the 5 ms, is the longest stall. Baseline: the
// same probe on the idle window, in the same run. Prints figures, asserts nothing.
//
//   bench_review_gui FILE.ndjson        (QT_QPA_PLATFORM=offscreen works)
#include "ProcessStats.h"
#include "ResourceTableModel.h"
#include "ReviewWindow.h"
#include "StallProbe.h"
#include "review/NdjsonIndex.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QTableView>
#include <QTextStream>
#include <QTimer>

#include <algorithm>
#include <vector>

using cohort::ui::ReviewWindow;

using cohort::bench::StallProbe;

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QTextStream out(stdout);
    if (argc < 2) {
        out << "usage: bench_review_gui FILE.ndjson\n";
        return 1;
    }
    // A scan result cached by an earlier run would make the scan instant.
    QStandardPaths::setTestModeEnabled(true);
    QDir(QStandardPaths::writableLocation(QStandardPaths::CacheLocation)).removeRecursively();

    // Phases end with a local event loop: QApplication::quit() would close (and so delete) it.
    ReviewWindow &window = *new ReviewWindow;
    window.resize(1280, 800);
    window.show();
    StallProbe probe;

    QEventLoop loop;
    probe.start();
    QTimer::singleShot(2000, &loop, &QEventLoop::quit);
    loop.exec();
    probe.stop();
    out << "idle window (2 s)    " << probe.report() << '\n';
    out.flush();

    QElapsedTimer elapsed;
    probe.start();
    elapsed.start();
    if (!window.openPaths({QString::fromLocal8Bit(argv[1])})) {
        out << "cannot open " << argv[1] << '\n';
        return 1;
    }
    const qint64 openMs = elapsed.elapsed();
    qint64 indexedAt = -1, scannedAt = -1, patientsAt = -1; // ms, as seen by the user timer
    QTimer user;
    user.setInterval(50);
    QObject::connect(&user, &QTimer::timeout, [&] {
        auto *model = window.resourceModel();
        const int rows = model->rowCount();
        if (rows > 0) {
            const QModelIndex index = model->index(QRandomGenerator::global()->bounded(rows), 0);
            window.resourceTable()->setCurrentIndex(index);
            window.resourceTable()->scrollTo(index);
        }
        const auto *index = model->ndjsonIndex();
        const auto note = [&](qint64 &at, bool done) {
            if (done && at < 0)
                at = elapsed.elapsed();
        };
        note(indexedAt, index && index->isFinished());
        note(scannedAt, window.isScanFinished());
        note(patientsAt, window.isPatientIndexFinished());
        if (index && index->isFinished() && window.isScanFinished() &&
            window.isPatientIndexFinished())
            loop.quit();
    });
    user.start();
    loop.exec();
    probe.stop();
    out << "opening " << QString::number(double(QFileInfo(QString::fromLocal8Bit(argv[1])).size()) / (1 << 20), 'f', 0)
        << " MiB: openPaths() " << openMs << " ms, all background work done in "
        << QString::number(double(elapsed.elapsed()) / 1000, 'f', 1) << " s\n";
    out << "finished: index " << indexedAt << " ms, scan " << scannedAt << " ms, patient index "
        << patientsAt << " ms\n";
    out << "while loading        " << probe.report() << '\n';
    out << "peak RSS of the window with everything loaded " << cohort::bench::peakRssKiB() / 1024
        << " MiB\n";
    delete &window;
    return 0;
}
