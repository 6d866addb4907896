#include "Base64StreamDecoder.h"

#include <array>

namespace cohort::bulk {

namespace {

constexpr qint8 kSpace = -2;
constexpr qint8 kPad = -3;
constexpr qint8 kInvalid = -1;

constexpr std::array<qint8, 256> makeTable()
{
    std::array<qint8, 256> t{};
    for (auto &v : t)
        v = kInvalid;
    const char *alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int i = 0; i < 64; ++i)
        t[size_t(static_cast<unsigned char>(alphabet[i]))] = qint8(i);
    t['-'] = 62; // URL-safe alphabet
    t['_'] = 63;
    t[' '] = t['\t'] = t['\r'] = t['\n'] = kSpace;
    t['='] = kPad;
    return t;
}

constexpr std::array<qint8, 256> kTable = makeTable();

} // namespace

void Base64StreamDecoder::reset()
{
    m_bits = 0;
    m_count = 0;
    m_padding = 0;
    m_position = 0;
    m_error.clear();
}

bool Base64StreamDecoder::decode(QByteArrayView input, QByteArray *out)
{
    if (hasError())
        return false;
    const qsizetype start = out->size();
    out->resize(start + (input.size() / 4 + 1) * 3); // an upper bound, trimmed below
    char *w = out->data() + start;
    for (qsizetype i = 0; i < input.size(); ++i) {
        const auto c = static_cast<unsigned char>(input[i]);
        const qint8 v = kTable[c];
        if (v >= 0 && m_padding == 0) {
            m_bits = (m_bits << 6) | quint32(v);
            if (++m_count == 4) {
                *w++ = char(m_bits >> 16);
                *w++ = char(m_bits >> 8);
                *w++ = char(m_bits);
                m_bits = 0;
                m_count = 0;
            }
        } else if (v == kSpace) {
            // skipped
        } else if (v == kPad && m_count >= 2 && m_count + m_padding < 4) {
            if (m_count + ++m_padding == 4) {
                // A padded final group: 2 sextets → 1 byte, 3 sextets → 2 bytes.
                const quint32 bits = m_bits << (6 * m_padding);
                *w++ = char(bits >> 16);
                if (m_count == 3)
                    *w++ = char(bits >> 8);
                m_bits = 0;
                m_count = 0;
                m_padding = 4; // complete: nothing but whitespace may follow
            }
        } else {
            if (v == kInvalid)
                m_error = tr("The base64 data has an invalid character (code %1) at position %2.")
                              .arg(int(c))
                              .arg(m_position + i);
            else if (m_padding == 4)
                m_error = tr("The base64 data continues after its final padding (position %1).")
                              .arg(m_position + i);
            else
                m_error =
                    tr("The base64 data has misplaced padding at position %1.").arg(m_position + i);
            out->resize(w - out->data());
            return false;
        }
    }
    m_position += input.size();
    out->resize(w - out->data());
    return true;
}

bool Base64StreamDecoder::finish(QByteArray *out)
{
    if (hasError())
        return false;
    if (m_padding > 0 && m_padding < 4) {
        m_error = tr("The base64 data ends with incomplete padding.");
        return false;
    }
    if (m_count == 1) {
        m_error = tr("The base64 data ends with a lone character.");
        return false;
    }
    // Unpadded end: 2 sextets hold one byte, 3 hold two.
    if (m_count >= 2) {
        const quint32 bits = m_bits << (6 * (4 - m_count));
        out->append(char(bits >> 16));
        if (m_count == 3)
            out->append(char(bits >> 8));
        m_bits = 0;
        m_count = 0;
    }
    return true;
}

} // namespace cohort::bulk
