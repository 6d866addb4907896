// The streaming decoders a file body goes through (GzipInflater, BinaryResourceDecoder with its
// Base64StreamDecoder, NdjsonLineChecker) promise the same answer however the body is split.
// Each is fed the input whole and then in pieces whose sizes come from the first byte, and the
// answers must agree; the input is also gzip-compressed here and must inflate back to itself.
#include "FuzzSupport.h"

#include "export/BinaryResourceDecoder.h"
#include "export/GzipInflater.h"
#include "export/NdjsonLineChecker.h"

#include <zlib.h>

#include <functional>

using namespace cohort;

namespace {

// Calls piece() for consecutive pieces of data, sizes cycling through 1..(seed % 61 + 1).
void split(QByteArrayView data, uint8_t seed, const std::function<void(QByteArrayView)> &piece)
{
    const qsizetype cycle = seed % 61 + 1;
    qsizetype size = 1;
    for (qsizetype at = 0; at < data.size();) {
        const qsizetype n = qMin(size, data.size() - at);
        piece(data.sliced(at, n));
        at += n;
        size = size % cycle + 1;
    }
}

QByteArray gzip(QByteArrayView data)
{
    z_stream z{};
    if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return {};
    QByteArray out(qsizetype(deflateBound(&z, uLong(data.size()))) + 32, Qt::Uninitialized);
    z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.data()));
    z.avail_in = uInt(data.size());
    z.next_out = reinterpret_cast<Bytef *>(out.data());
    z.avail_out = uInt(out.size());
    const int result = deflate(&z, Z_FINISH);
    out.truncate(qsizetype(z.total_out));
    deflateEnd(&z);
    return result == Z_STREAM_END ? out : QByteArray();
}

struct Inflated
{
    bool ok = true;
    bool complete = false;
    QByteArray out;
};

Inflated inflateWhole(QByteArrayView input)
{
    Inflated r;
    bulk::GzipInflater inflater;
    r.ok = inflater.inflate(input, [&r](QByteArrayView block) {
        r.out.append(block);
        return true;
    });
    r.complete = inflater.isComplete();
    return r;
}

Inflated inflatePieces(QByteArrayView input, uint8_t seed)
{
    Inflated r;
    bulk::GzipInflater inflater;
    split(input, seed, [&](QByteArrayView piece) {
        if (r.ok)
            r.ok = inflater.inflate(piece, [&r](QByteArrayView block) {
                r.out.append(block);
                return true;
            });
    });
    r.complete = inflater.isComplete();
    return r;
}

struct Decoded
{
    bool fed = true;
    bool finished = false;
    QByteArray out;
    QString contentType;
};

Decoded decodeBinary(QByteArrayView input, uint8_t seed, bool whole)
{
    Decoded r;
    bulk::BinaryResourceDecoder decoder;
    if (whole) {
        r.fed = decoder.feed(input, &r.out);
    } else {
        split(input, seed, [&](QByteArrayView piece) {
            if (r.fed)
                r.fed = decoder.feed(piece, &r.out);
        });
    }
    r.finished = r.fed && decoder.finish();
    r.contentType = decoder.contentType();
    return r;
}

struct Checked
{
    qint64 lines = 0, bytes = 0, complete = 0, problems = 0;
    QList<qint64> problemLines;
};

Checked check(QByteArrayView input, uint8_t seed, bool whole)
{
    bulk::NdjsonLineChecker checker(QStringLiteral("Patient"), QStringLiteral("Patient.001.ndjson"),
                                    512);
    if (whole)
        checker.feed(input);
    else
        split(input, seed, [&](QByteArrayView piece) { checker.feed(piece); });
    checker.finish();
    checker.checkCount(3);
    Checked c{checker.lines(), checker.bytes(), checker.completeBytes(), checker.problemCount(), {}};
    for (const bulk::LineProblem &p : checker.problems())
        c.problemLines.append(p.line);
    return c;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const uint8_t seed = data[0];
    const QByteArrayView input(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));

    // gzip: what we compress comes back, whole or in pieces; garbage gives the same verdict.
    const QByteArray compressed = gzip(input);
    FUZZ_CHECK(!compressed.isEmpty());
    const Inflated round = inflatePieces(compressed, seed);
    FUZZ_CHECK(round.ok && round.complete && round.out == input);
    const Inflated whole = inflateWhole(input);
    const Inflated pieces = inflatePieces(input, seed);
    FUZZ_CHECK(whole.ok == pieces.ok);
    if (whole.ok) {
        FUZZ_CHECK(whole.complete == pieces.complete);
        FUZZ_CHECK(whole.out == pieces.out);
    }

    // Binary: the same bytes and verdict however the JSON is split.
    const Decoded a = decodeBinary(input, seed, true);
    const Decoded b = decodeBinary(input, seed, false);
    FUZZ_CHECK(a.fed == b.fed && a.finished == b.finished);
    if (a.fed) {
        FUZZ_CHECK(a.out == b.out);
        FUZZ_CHECK(a.contentType == b.contentType);
    }

    // NDJSON checks: the same counts and problem lines however the lines are split.
    const Checked x = check(input, seed, true);
    const Checked y = check(input, seed, false);
    FUZZ_CHECK(x.lines == y.lines && x.bytes == y.bytes && x.complete == y.complete);
    FUZZ_CHECK(x.problems == y.problems && x.problemLines == y.problemLines);
    FUZZ_CHECK(x.bytes == input.size());
    return 0;
}
