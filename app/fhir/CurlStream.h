#pragma once

// Internal to app/fhir: the libcurl transport of FhirClient::stream() (see CurlStream.cpp).

#include "FhirClient_p.h"

#include <memory>

namespace cohort::fhir::detail {

struct CurlHop;

// A thread that runs libcurl's multi interface for the streams of one FhirClient: it reads
// sockets and decrypts TLS, and hands the bodies over in large batches. Every curl call on a
// transfer happens on this thread; other threads talk to it through commands.
class CurlWorker
{
public:
    CurlWorker();
    ~CurlWorker(); // ends every transfer still running and joins the thread
    CurlWorker(const CurlWorker &) = delete;
    CurlWorker &operator=(const CurlWorker &) = delete;

    bool isValid() const; // false when libcurl could not be initialised

    void add(std::shared_ptr<CurlHop> hop);
    void remove(std::shared_ptr<CurlHop> hop); // ends it unless it already ended
    void resume(std::shared_ptr<CurlHop> hop); // the consumer has read its buffer down

private:
    struct State;
    std::unique_ptr<State> d;
};

FhirStream *createCurlStream(RequestContext context, std::shared_ptr<CurlWorker> worker,
                             const QUrl &url, const RequestOptions &options, QObject *parent);

} // namespace cohort::fhir::detail
