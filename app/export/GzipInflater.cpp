#include "GzipInflater.h"

#include <QByteArray>

#include <zlib.h>

namespace cohort::bulk {

namespace {
constexpr int kOutputBytes = 256 * 1024;
constexpr int kAutoDetectHeader = 15 + 32; // 32: accept a gzip or a zlib header
} // namespace

struct GzipInflater::State
{
    z_stream zs{};
    bool initialized = false;
    bool memberEnded = false;
    QByteArray out{kOutputBytes, Qt::Uninitialized};

    ~State()
    {
        if (initialized)
            inflateEnd(&zs);
    }
};

GzipInflater::GzipInflater()
{
    reset();
}

GzipInflater::~GzipInflater() = default;

void GzipInflater::reset()
{
    m_state = std::make_unique<State>();
    m_error.clear();
    m_totalIn = 0;
    m_totalOut = 0;
    if (inflateInit2(&m_state->zs, kAutoDetectHeader) != Z_OK)
        m_error = tr("The decompressor could not be initialised.");
    else
        m_state->initialized = true;
}

bool GzipInflater::isComplete() const
{
    return !hasError() && (m_totalIn == 0 || m_state->memberEnded);
}

bool GzipInflater::inflate(QByteArrayView input, const Sink &sink)
{
    if (hasError())
        return false;
    State &s = *m_state;
    z_stream &zs = s.zs;
    m_totalIn += input.size();
    zs.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(input.data()));
    zs.avail_in = uInt(input.size());
    for (;;) {
        if (s.memberEnded) {
            if (zs.avail_in == 0)
                break;
            // More bytes after a complete member: another member follows (gzip allows that).
            inflateReset(&zs);
            s.memberEnded = false;
        }
        zs.next_out = reinterpret_cast<Bytef *>(s.out.data());
        zs.avail_out = uInt(s.out.size());
        const int rc = ::inflate(&zs, Z_NO_FLUSH);
        const qsizetype produced = s.out.size() - qsizetype(zs.avail_out);
        if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
            m_error = tr("The compressed data is corrupt (%1).")
                          .arg(zs.msg ? QString::fromLatin1(zs.msg) : QString::number(rc));
            return false;
        }
        if (produced > 0) {
            m_totalOut += produced;
            if (!sink(QByteArrayView(s.out.constData(), produced)))
                return false;
        }
        if (rc == Z_STREAM_END) {
            s.memberEnded = true;
            continue;
        }
        // Z_BUF_ERROR: no progress possible until more input arrives.
        if (rc == Z_BUF_ERROR || (zs.avail_in == 0 && zs.avail_out != 0))
            break;
    }
    zs.next_in = nullptr;
    return true;
}

} // namespace cohort::bulk
