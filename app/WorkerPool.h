#pragma once

class QThreadPool;

namespace cohort {

// The pool for our long-running background work (indexing, scans, searches, the demo server's
// export generation). Not QThreadPool::globalInstance(): Qt's raster painter hands parts of large
// fills to that pool and waits for them, so work that occupies it for seconds freezes painting.
QThreadPool *workerPool();

// The pool for file output (downloads: inflate, check, write, fsync, rename). Apart from
// workerPool() so that a slow disk never delays review work, and the reverse; more threads than
// cores because its jobs mostly wait for the disk.
QThreadPool *ioPool();

} // namespace cohort
