#pragma once

class QThreadPool;

namespace cohort {

// The pool for our long-running background work (indexing, scans, searches, the demo server's
// export generation). Not QThreadPool::globalInstance(): Qt's raster painter hands parts of large
// fills to that pool and waits for them, so work that occupies it for seconds freezes painting.
QThreadPool *workerPool();

} // namespace cohort
