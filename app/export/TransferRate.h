#pragma once

#include <QtGlobal>

namespace cohort::bulk {

// A transfer rate smoothed by an exponential moving average over a time window (~5 s), and the
// ETA from it. Driven by explicit timestamps so it is tested without waiting.
class TransferRate
{
public:
    explicit TransferRate(double windowSeconds = 5.0, qint64 minEtaSpanMs = 2000);

    void reset();
    // The cumulative byte count at timeMs (any monotonic clock). A count that goes down (a file
    // restarted from zero) re-bases the count without counting the drop as a rate.
    void addSample(qint64 timeMs, qint64 totalBytes);
    double bytesPerSecond() const { return m_rate; }
    qint64 observedMs() const { return m_hasSample ? m_lastMs - m_firstMs : 0; }
    // Seconds to transfer remainingBytes at the smoothed rate; -1 while it cannot be trusted:
    // less than minEtaSpanMs of samples, an unknown remainder (< 0), or nothing moving.
    int etaSeconds(qint64 remainingBytes) const;

private:
    double m_windowMs;
    qint64 m_minEtaSpanMs;
    bool m_hasSample = false;
    bool m_hasRate = false;
    qint64 m_firstMs = 0;
    qint64 m_lastMs = 0;
    qint64 m_lastBytes = 0;
    double m_rate = 0;
};

} // namespace cohort::bulk
