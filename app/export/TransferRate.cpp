#include "TransferRate.h"

#include <cmath>

namespace cohort::bulk {

namespace {
// Samples closer together than this are merged into the next one: tiny intervals make noisy
// instantaneous rates.
constexpr qint64 kMinIntervalMs = 50;
} // namespace

TransferRate::TransferRate(double windowSeconds, qint64 minEtaSpanMs)
    : m_windowMs(qMax(0.001, windowSeconds) * 1000.0)
    , m_minEtaSpanMs(minEtaSpanMs)
{
}

void TransferRate::reset()
{
    m_hasSample = false;
    m_hasRate = false;
    m_firstMs = m_lastMs = m_lastBytes = 0;
    m_rate = 0;
}

void TransferRate::addSample(qint64 timeMs, qint64 totalBytes)
{
    if (!m_hasSample) {
        m_hasSample = true;
        m_firstMs = m_lastMs = timeMs;
        m_lastBytes = totalBytes;
        return;
    }
    if (totalBytes < m_lastBytes) {
        m_lastBytes = totalBytes;
        return;
    }
    const qint64 dt = timeMs - m_lastMs;
    if (dt < kMinIntervalMs)
        return;
    const double instant = double(totalBytes - m_lastBytes) * 1000.0 / double(dt);
    if (!m_hasRate) {
        m_rate = instant;
        m_hasRate = true;
    } else {
        // Weight by elapsed time so irregular sampling still averages over the same window.
        const double alpha = 1.0 - std::exp(-double(dt) / m_windowMs);
        m_rate += alpha * (instant - m_rate);
    }
    m_lastMs = timeMs;
    m_lastBytes = totalBytes;
}

int TransferRate::etaSeconds(qint64 remainingBytes) const
{
    if (!m_hasRate || remainingBytes < 0 || observedMs() < m_minEtaSpanMs)
        return -1;
    if (remainingBytes == 0)
        return 0;
    if (m_rate < 1.0)
        return -1;
    const double seconds = std::ceil(double(remainingBytes) / m_rate);
    return seconds > 1e9 ? -1 : int(seconds);
}

} // namespace cohort::bulk
