// A GUI-thread stall probe for the benchmarks: a 5 ms precise timer on the calling thread records
// the gaps between its ticks; the longest gap, less the 5 ms, is the longest stall.
#pragma once

#include <QElapsedTimer>
#include <QString>
#include <QTimer>

#include <algorithm>
#include <vector>

namespace cohort::bench {

constexpr int kTickMs = 5;

class StallProbe
{
public:
    StallProbe()
    {
        m_timer.setTimerType(Qt::PreciseTimer);
        m_timer.setInterval(kTickMs);
        QObject::connect(&m_timer, &QTimer::timeout, [this] {
            const qint64 now = m_clock.nsecsElapsed();
            if (now - m_last > m_worst) {
                m_worst = now - m_last;
                m_worstAt = m_last;
            }
            m_gaps.push_back(now - m_last);
            m_last = now;
        });
    }
    void start()
    {
        m_gaps.clear();
        m_worst = m_worstAt = 0;
        m_clock.start();
        m_last = 0;
        m_timer.start();
    }
    void stop() { m_timer.stop(); }
    double longestStallMs() const
    {
        return double(qMax<qint64>(0, m_worst - kTickMs * 1000000LL)) / 1e6;
    }

    QString report() const
    {
        std::vector<qint64> gaps = m_gaps;
        if (gaps.empty())
            return QStringLiteral("no ticks");
        std::sort(gaps.begin(), gaps.end());
        const auto ms = [](qint64 ns) {
            return QString::number(double(ns) / 1e6, 'f', 1);
        };
        const auto stall = [](qint64 gap) {
            return qMax<qint64>(0, gap - kTickMs * 1000000LL);
        };
        const qint64 over50 = std::count_if(gaps.begin(), gaps.end(),
                                            [&](qint64 g) { return stall(g) > 50 * 1000000LL; });
        return QStringLiteral(
                   "longest stall %1 ms (from %2 s), 99th percentile %3 ms, %4 stalls > 50 ms, "
                   "%5 ticks")
            .arg(ms(stall(gaps.back())), QString::number(double(m_worstAt) / 1e9, 'f', 2),
                 ms(stall(gaps[gaps.size() * 99 / 100])))
            .arg(over50)
            .arg(gaps.size());
    }

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_last = 0;
    qint64 m_worst = 0, m_worstAt = 0; // the longest gap and when it began
    std::vector<qint64> m_gaps;
};

} // namespace cohort::bench
