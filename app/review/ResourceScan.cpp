#include "ResourceScan.h"

#include "WorkerPool.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>

#include <simdjson.h>

#ifdef Q_OS_LINUX
#include <sys/mman.h>
#endif

#include <algorithm>
#include <array>
#include <bit>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <limits>
#include <new>
#include <string>
#include <vector>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#elif defined(_MSC_VER)
#include <intrin.h>
#endif

namespace cohort::review {

using namespace Qt::StringLiterals;

namespace {

constexpr qint64 kBlockSize = 4 * 1024 * 1024;
constexpr int kCacheVersion = 1;

struct ClassName
{
    Problem::Class kind;
    const char *name;
};
constexpr ClassName kClassNames[] = {
    {Problem::Class::InvalidJson, "invalid-json"},
    {Problem::Class::TypeMismatch, "type-mismatch"},
    {Problem::Class::MissingId, "missing-id"},
    {Problem::Class::DuplicateId, "duplicate-id"},
    {Problem::Class::CountMismatch, "count-mismatch"},
    {Problem::Class::UnresolvedReference, "unresolved-reference"},
    {Problem::Class::LineTooLong, "line-too-long"},
};

// The 128-bit product of a and b, its halves xored: the mixing step of the key hash.
inline quint64 mix(quint64 a, quint64 b)
{
#if defined(__SIZEOF_INT128__)
    __extension__ using U128 = unsigned __int128;
    const U128 p = static_cast<U128>(a) * b;
    return quint64(p) ^ quint64(p >> 64);
#elif defined(_MSC_VER) && defined(_M_X64)
    quint64 high = 0;
    const quint64 low = _umul128(a, b, &high);
    return low ^ high;
#else
    const quint64 a0 = a & 0xffffffffU, a1 = a >> 32, b0 = b & 0xffffffffU, b1 = b >> 32;
    const quint64 p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    const quint64 middle = (p00 >> 32) + (p01 & 0xffffffffU) + (p10 & 0xffffffffU);
    return (p00 & 0xffffffffU | middle << 32) ^ (p11 + (p01 >> 32) + (p10 >> 32) + (middle >> 32));
#endif
}

// Up to 8 bytes as one little-endian word, zero-filled.
inline quint64 loadTail(const char *p, size_t n)
{
    quint64 w = 0;
    for (size_t i = 0; i < n; ++i)
        w |= quint64(quint8(p[i])) << (8 * i);
    return w;
}

// A type name kept for comparing with the names in lines: most compare unequal at their length
// or first 8 bytes, without a call to memcmp.
class TypeName
{
public:
    explicit TypeName(std::string_view name)
        : m_name(name)
        , m_prefix(prefixOf(name))
    {
    }
    bool is(std::string_view s) const
    {
        if (s.size() != m_name.size() || prefixOf(s) != m_prefix)
            return false;
        if (s.size() <= 8)
            return true;
        if (s.size() <= 16) { // the last 8 bytes, overlapping the first
            quint64 a, b;
            std::memcpy(&a, s.data() + s.size() - 8, 8);
            std::memcpy(&b, m_name.data() + s.size() - 8, 8);
            return a == b;
        }
        return std::memcmp(s.data() + 8, m_name.data() + 8, s.size() - 8) == 0;
    }
    const std::string &str() const { return m_name; }

private:
    static quint64 prefixOf(std::string_view s)
    {
        if (s.size() < 8)
            return loadTail(s.data(), s.size());
        quint64 w;
        std::memcpy(&w, s.data(), 8);
        return w;
    }
    std::string m_name;
    quint64 m_prefix;
};

// A 64-bit hash of s, 16 bytes per multiply; seed chains the parts of a key.
quint64 hashText(std::string_view s, quint64 seed)
{
    constexpr quint64 k0 = 0xa0761d6478bd642fULL, k1 = 0xe7037ed1a0b428dbULL,
                      k2 = 0x8ebc6af09c88c6e3ULL;
    const char *p = s.data();
    size_t n = s.size();
    quint64 h = mix(seed ^ k0, n ^ k1);
    for (; n >= 16; p += 16, n -= 16) {
        quint64 a, b;
        std::memcpy(&a, p, 8);
        std::memcpy(&b, p + 8, 8);
        h = mix(a ^ k1, b ^ h);
    }
    quint64 a = 0, b = 0;
    if (n > 8) {
        std::memcpy(&a, p, 8);
        b = loadTail(p + 8, n - 8);
    } else {
        a = loadTail(p, n);
    }
    return mix(mix(a ^ k1, b ^ h) ^ k2, h ^ k0);
}

// "Type/id" as a 64-bit hash with the low bit clear (the tables keep a state bit there). Two
// keys of one export share a hash with a probability of about n²/2^64: 1 in 7 million for a
// million resources, so a match is confirmed by comparing the keys themselves (KeyText).
// Twelve bytes a slot (the hash and its text's handle) and the ids' text keep a 1 GiB export's
// table within a few tens of MB; fresh memory is not free either, as every new page is a fault
// (slow on virtual machines). The type's hash seeds the id's, so the text is never put
// together. mask keeps every bit but in tests (ScanOptions::keyHashMask), which make keys
// collide.
quint64 typeSeed(std::string_view type)
{
    return hashText(type, 0x9e3779b97f4a7c15ULL);
}
quint64 keyOf(quint64 typeSeed, std::string_view id, quint64 mask)
{
    const quint64 k = hashText(id, typeSeed) & mask & ~quint64(1);
    return k != 0 ? k : 2; // 0 marks a free slot
}

// Open addressing over 8-byte keys, linear probing, load ≤ 0.8: a look-up mostly stays in one
// cache line and can be prefetched ahead; no allocation per entry. Each key carries a state bit
// (kSet), and optionally a 32-bit value in a parallel array.
class KeyTable
{
public:
    static constexpr quint64 kSet = 1;

    explicit KeyTable(bool withValues = false)
        : m_withValues(withValues)
    {
    }
    KeyTable(const KeyTable &) = delete;
    KeyTable &operator=(const KeyTable &) = delete;
    ~KeyTable() { release(); }

    // Confirms a slot whose key matches: keys that are hashes may stand for several texts.
    struct AnySlot
    {
        bool operator()(size_t) const { return true; }
    };

    // The slot of key (state bit clear) for which same(slot) holds, inserted with `state` when
    // there is none; *inserted tells which.
    template<typename Same = AnySlot>
    size_t findOrInsert(quint64 key, quint64 state, bool *inserted, Same &&same = {})
    {
        if (m_size * 5 >= m_capacity * 4)
            grow();
        for (size_t i = slotOf(key);; i = (i + 1) & m_mask) {
            const quint64 s = m_keys[i];
            if ((s & ~kSet) == key && same(i)) {
                *inserted = false;
                return i;
            }
            if (s == 0) {
                m_keys[i] = key | state;
                ++m_size;
                *inserted = true;
                return i;
            }
        }
    }
    // The slot of key for which same(slot) holds, or npos.
    template<typename Same = AnySlot> size_t find(quint64 key, Same &&same = {}) const
    {
        if (m_capacity == 0)
            return npos;
        for (size_t i = slotOf(key);; i = (i + 1) & m_mask) {
            if ((m_keys[i] & ~kSet) == key && same(i))
                return i;
            if (m_keys[i] == 0)
                return npos;
        }
    }
    bool isSet(size_t slot) const { return m_keys[slot] & kSet; }
    void set(size_t slot) { m_keys[slot] |= kSet; }
    quint32 &value(size_t slot) { return m_values[slot]; }
    quint32 value(size_t slot) const { return m_values[slot]; }
    void prefetch(quint64 key) const
    {
#if defined(__GNUC__) || defined(__clang__)
        if (m_capacity != 0) {
            __builtin_prefetch(&m_keys[slotOf(key)]);
            if (m_values)
                __builtin_prefetch(&m_values[slotOf(key)]);
        }
#else
        Q_UNUSED(key)
#endif
    }
    // The value of key's first slot when that slot holds key, else npos: to prefetch what
    // the value points to, before the look-up itself.
    size_t peekValue(quint64 key) const
    {
        if (m_capacity == 0)
            return npos;
        const size_t i = slotOf(key);
        return (m_keys[i] & ~kSet) == key ? m_values[i] : npos;
    }
    static constexpr size_t npos = ~size_t(0);
    size_t size() const
    {
        return m_size;
    }

    // Room for n keys without growing: growth on the way to a large table costs as much again
    // in fresh pages and rehashing.
    void reserve(size_t n)
    {
        const size_t capacity = std::bit_ceil(std::max<size_t>(1024, n + n / 4 + 1));
        if (capacity > m_capacity)
            grow(capacity);
    }

private:
    size_t slotOf(quint64 key) const
    {
        return size_t((key * 0x9e3779b97f4a7c15ULL) >> m_shift);
    }
    void grow()
    {
        grow(std::max<size_t>(1024, m_capacity * 2));
    }
    void grow(size_t capacity)
    {
        quint64 *keys = allocate<quint64>(capacity);
        quint32 *values = m_withValues ? allocate<quint32>(capacity) : nullptr;
        quint64 *oldKeys = m_keys;
        quint32 *oldValues = m_values;
        const size_t oldCapacity = m_capacity;
        m_keys = keys;
        m_values = values;
        m_capacity = capacity;
        m_mask = capacity - 1;
        m_shift = 64 - std::countr_zero(capacity);
        for (size_t j = 0; j < oldCapacity; ++j) {
            if (oldKeys[j] == 0)
                continue;
            size_t i = slotOf(oldKeys[j] & ~kSet);
            while (m_keys[i] != 0)
                i = (i + 1) & m_mask;
            m_keys[i] = oldKeys[j];
            if (m_values)
                m_values[i] = oldValues[j];
        }
        deallocate(oldKeys, oldCapacity);
        deallocate(oldValues, oldCapacity);
    }
    // Zeroed memory; large tables as fresh pages (no memset) on huge pages where the system
    // allows it, as every look-up is a cache miss and, with 4 KiB pages, a TLB miss too.
    template<typename T> static T *allocate(size_t count)
    {
#ifdef Q_OS_LINUX
        if (count * sizeof(T) >= kMapped) {
            void *p = mmap(nullptr, count * sizeof(T), PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (p == MAP_FAILED)
                throw std::bad_alloc();
            madvise(p, count * sizeof(T), MADV_HUGEPAGE);
            return static_cast<T *>(p);
        }
#endif
        void *p = std::calloc(count, sizeof(T));
        if (!p)
            throw std::bad_alloc();
        return static_cast<T *>(p);
    }
    template<typename T> static void deallocate(T *p, size_t count)
    {
        if (!p)
            return;
#ifdef Q_OS_LINUX
        if (count * sizeof(T) >= kMapped) {
            munmap(p, count * sizeof(T));
            return;
        }
#else
        Q_UNUSED(count)
#endif
        std::free(p);
    }
    void release()
    {
        deallocate(m_keys, m_capacity);
        deallocate(m_values, m_capacity);
    }
    static constexpr size_t kMapped = 2 * 1024 * 1024;

    const bool m_withValues;
    quint64 *m_keys = nullptr;
    quint32 *m_values = nullptr;
    size_t m_capacity = 0;
    size_t m_mask = 0;
    int m_shift = 64;
    size_t m_size = 0;
};

// Reference texts, appended one after another in 1 MiB chunks: growing never copies (a copy
// would double the peak memory), and a text keeps its place.
class TextArena
{
public:
    size_t append(std::string_view text)
    {
        if (m_chunks.empty() || m_used + text.size() > kChunk) {
            m_chunks.emplace_back(std::max(kChunk, text.size()));
            m_used = 0;
        }
        std::memcpy(m_chunks.back().data() + m_used, text.data(), text.size());
        const size_t handle = (m_chunks.size() - 1) << 32 | m_used;
        m_used += text.size();
        return handle;
    }
    std::string_view view(size_t handle, size_t length) const
    {
        return {m_chunks[handle >> 32].data() + (handle & 0xffffffffU), length};
    }
    const char *copy(std::string_view text) { return view(append(text), text.size()).data(); }
    void clear() // keeps the first chunk
    {
        m_chunks.resize(std::min<size_t>(m_chunks.size(), 1));
        m_used = 0;
    }

private:
    static constexpr size_t kChunk = 1 << 20;
    std::vector<std::vector<char>> m_chunks;
    size_t m_used = 0;
};

// The text of every "Type/id" key in the table, to confirm a hash match: the type's index in
// Scanner::m_types (two bytes), the id's length and the id, and for the types beyond kMaxTypes
// (index 0) the type's length and name too; a length is one byte, or 0xff and four. In 1 MiB
// chunks; a key's handle (32 bits, in KeyTable's values) is its chunk << 20 | offset.
class KeyText
{
public:
    struct Key
    {
        quint32 typeId;
        std::string_view type; // read for typeId 0 only
        std::string_view id;
    };

    quint32 append(const Key &key)
    {
        const size_t size = 2 + sizeOf(key.id) + (key.typeId == 0 ? sizeOf(key.type) : 0);
        if (m_chunks.empty() || m_used + size > kChunk) {
            if (m_chunks.size() >= kMaxChunks)
                throw std::bad_alloc(); // 4 GiB of keys: beyond any table this scan can hold
            m_chunks.emplace_back(std::max(kChunk, size));
            m_used = 0;
        }
        char *p = m_chunks.back().data() + m_used;
        const quint32 handle = quint32((m_chunks.size() - 1) << 20 | m_used);
        m_used += size;
        const quint16 typeId = quint16(key.typeId);
        std::memcpy(p, &typeId, 2);
        p = put(p + 2, key.id);
        if (key.typeId == 0)
            put(p, key.type);
        return handle;
    }
    bool equals(quint32 handle, const Key &key) const
    {
        const char *p = at(handle);
        quint16 typeId;
        std::memcpy(&typeId, p, 2);
        return typeId == key.typeId && matches(p + 2, key.id, &p) &&
               (key.typeId != 0 || matches(p, key.type, &p));
    }
    void prefetch(quint32 handle) const
    {
#if defined(__GNUC__) || defined(__clang__)
        __builtin_prefetch(at(handle));
#else
        Q_UNUSED(handle)
#endif
    }

private:
    static size_t sizeOf(std::string_view s)
    {
        return (s.size() < 0xff ? 1 : 5) + s.size();
    }
    static char *put(char *p, std::string_view s)
    {
        if (s.size() < 0xff) {
            *p++ = char(s.size());
        } else {
            *p++ = char(0xff);
            const quint32 n = quint32(s.size());
            std::memcpy(p, &n, 4);
            p += 4;
        }
        std::memcpy(p, s.data(), s.size());
        return p + s.size();
    }
    // Whether the text stored at p is s; *next: after it.
    static bool matches(const char *p, std::string_view s, const char **next)
    {
        size_t n = quint8(*p++);
        if (n == 0xff) {
            quint32 n32;
            std::memcpy(&n32, p, 4);
            n = n32;
            p += 4;
        }
        *next = p + n;
        return n == s.size() && std::memcmp(p, s.data(), n) == 0;
    }
    const char *at(quint32 handle) const
    {
        return m_chunks[handle >> 20].data() + (handle & ((1U << 20) - 1));
    }
    static constexpr size_t kChunk = 1 << 20;
    static constexpr size_t kMaxChunks = 1 << 12;
    std::vector<std::vector<char>> m_chunks;
    size_t m_used = 0;
};

// The first reference to a target missing from the export (found by the second pass).
struct RefSite
{
    quint64 place = 0;       // file << 40 | line
    size_t text = 0;         // in Scanner::m_refText, at most kMaxRefText bytes of it
    quint32 occurrences = 0; // saturates
    quint16 textLength = 0;

    int file() const { return int(place >> 40); }
    qint64 line() const { return qint64(place & ((quint64(1) << 40) - 1)); }
};
constexpr size_t kMaxRefText = 1024;
static_assert(sizeof(size_t) >= 8, "TextArena handles need 64 bits");

// Character classes of reference parts, a table look-up a byte.
constexpr quint8 kLetter = 1, kIdChar = 2;
constexpr auto kCharClass = [] {
    std::array<quint8, 256> t{};
    for (int c = 0; c < 256; ++c) {
        const bool letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
        t[size_t(c)] =
            quint8((letter ? kLetter : 0) |
                   (letter || (c >= '0' && c <= '9') || c == '-' || c == '.' ? kIdChar : 0));
    }
    return t;
}();

bool allOfClass(std::string_view s, quint8 cls)
{
    quint8 all = cls;
    for (const char c : s)
        all &= kCharClass[quint8(c)];
    return all != 0;
}

bool isTypeName(std::string_view s)
{
    return !s.empty() && s.size() <= 64 && s[0] >= 'A' && s[0] <= 'Z' && allOfClass(s, kLetter);
}

bool isId(std::string_view s)
{
    return !s.empty() && s.size() <= 64 && allOfClass(s, kIdChar);
}

bool isJsonSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// The next `"reference"` or `\u` in [p, end), or end: candidates by two of their letters, 32
// bytes at a time where AVX2 is there, then compared whole. One pass finds both, as a `\u`
// anywhere in a line sends it to the tree (see textReferences()).
constexpr std::string_view kReferenceKey = "\"reference\"";

const char *findReferenceScalar(const char *p, const char *end)
{
    const std::string_view rest(p, size_t(end - p));
    const size_t at = std::min(rest.find(kReferenceKey), rest.find("\\u"));
    return at == std::string_view::npos ? end : p + at;
}

// kReferenceKey at p (11 readable bytes), as two overlapping 8-byte words.
inline bool isReferenceKey(const char *p)
{
    static_assert(kReferenceKey.size() == 11);
    quint64 a, b, x, y;
    std::memcpy(&a, p, 8);
    std::memcpy(&b, p + 3, 8);
    std::memcpy(&x, kReferenceKey.data(), 8);
    std::memcpy(&y, kReferenceKey.data() + 3, 8);
    return a == x && b == y;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define COHORT_SCAN_AVX2 1
// Reads up to 39 bytes past end: lines come with SIMDJSON_PADDING readable bytes after them.
__attribute__((target("avx2"))) const char *findReferenceAvx2(const char *p, const char *end)
{
    static_assert(simdjson::SIMDJSON_PADDING >= 39);
    const __m256i quote = _mm256_set1_epi8('"'), f = _mm256_set1_epi8('f'),
                  n = _mm256_set1_epi8('n');
    const __m256i backslash = _mm256_set1_epi8('\\'), u = _mm256_set1_epi8('u');
    for (; p < end; p += 32) {
        const __m256i at0 = _mm256_loadu_si256(reinterpret_cast<const __m256i_u *>(p));
        const __m256i at1 = _mm256_loadu_si256(reinterpret_cast<const __m256i_u *>(p + 1));
        const __m256i at3 = _mm256_loadu_si256(reinterpret_cast<const __m256i_u *>(p + 3));
        const __m256i at7 = _mm256_loadu_si256(reinterpret_cast<const __m256i_u *>(p + 7));
        const __m256i reference = _mm256_and_si256(
            _mm256_cmpeq_epi8(at0, quote),
            _mm256_and_si256(_mm256_cmpeq_epi8(at3, f), _mm256_cmpeq_epi8(at7, n)));
        const __m256i escape =
            _mm256_and_si256(_mm256_cmpeq_epi8(at0, backslash), _mm256_cmpeq_epi8(at1, u));
        auto mask = quint32(_mm256_movemask_epi8(_mm256_or_si256(reference, escape)));
        while (mask) {
            const char *c = p + __builtin_ctz(mask);
            if (c >= end)
                return end;
            if (c[0] == '\\' ? end - c >= 2 : end - c >= 11 && isReferenceKey(c))
                return c;
            mask &= mask - 1;
        }
    }
    return end;
}
const bool kHasAvx2 = __builtin_cpu_supports("avx2");
#endif

const char *findReference(const char *p, const char *end)
{
#ifdef COHORT_SCAN_AVX2
    if (kHasAvx2)
        return findReferenceAvx2(p, end);
#endif
    return findReferenceScalar(p, end);
}

class Scanner
{
public:
    // The "reference" strings of a line; type and id set when it is a relative "Type/id".
    struct Found
    {
        std::string_view text, type, id;
    };

    Scanner(const QList<ScanInput> &inputs, const ScanOptions &options, ScanResult &result)
        : m_inputs(inputs)
        , m_options(options)
        , m_result(result)
    {
    }

    // Problems wait in m_pending until flush(), which puts them in line order: the id and
    // reference look-ups of a block are done together after its lines are parsed.
    void problem(int file, qint64 line, Problem::Class kind, const QString &message)
    {
        m_pending.append({m_inputs.at(file).path, line, kind, message});
    }

    // A look-up that waits for flush(): an id (ref == false) or a reference target. Its text
    // stays readable until then: a reference in the block being read, an id copied.
    struct Op // 32 bytes: a block queues tens of thousands
    {
        quint64 key;
        quint64 place;    // file << 40 | line
        const char *text; // ids: the id; references: "Type/id" (each at most 64 bytes)
        quint32 textLength; // references: the type's length << 16 | the id's
        quint32 type; // ids: the index in m_counts[file]; references: kRef | in m_types

        static constexpr quint32 kRef = 1U << 31;
        bool ref() const { return type & kRef; }
        int file() const { return int(place >> 40); }
        qint64 line() const { return qint64(place & ((quint64(1) << 40) - 1)); }
    };
    // What KeyText compares for an op.
    KeyText::Key keyText(const Op &op) const
    {
        if (!op.ref()) {
            const TypeCount &type = m_counts[size_t(op.file())][op.type];
            return {type.typeId, type.name.str(), {op.text, op.textLength}};
        }
        const size_t typeLength = op.textLength >> 16;
        return {op.type & ~Op::kRef,
                {op.text, typeLength},
                {op.text + typeLength + 1, op.textLength & 0xffffU}};
    }
    static quint64 placeOf(int file, qint64 line) { return quint64(file) << 40 | quint64(line); }

    void queueId(quint64 key, qint64 line, int file, std::string_view id, quint32 typeIndex)
    {
        m_ops.push_back(
            {key, placeOf(file, line), m_opText.copy(id), quint32(id.size()), typeIndex});
    }
    // type and id (in one "Type/id" text) must stay readable until flush(): the block's text,
    // or copied with stable false.
    void queueReference(quint64 key, qint64 line, int file, std::string_view type,
                        std::string_view id, quint32 typeId, bool stable)
    {
        // Resources of one patient, of one encounter, follow each other: a target queued a
        // moment ago is common, and a second look-up would change nothing. The same key is the
        // same target only with the same text (the texts stay until flush(), as the list).
        for (const RecentRef &recent : m_recentRefs) {
            if (recent.key == key && recent.typeId == typeId && recent.id == id &&
                (typeId != 0 || recent.type == type))
                return;
        }
        const std::string_view text(type.data(), type.size() + 1 + id.size());
        const char *kept = stable ? text.data() : m_opText.copy(text);
        m_recentRefs[m_nextRecentRef++ % std::size(m_recentRefs)] = {
            key, typeId, {kept, type.size()}, {kept + type.size() + 1, id.size()}};
        m_ops.push_back({key, placeOf(file, line), kept, quint32(type.size() << 16 | id.size()),
                         typeId | Op::kRef});
    }

    static void countReference(RefSite &site)
    {
        if (site.occurrences != std::numeric_limits<quint32>::max())
            ++site.occurrences;
    }

    void flush()
    {
        constexpr size_t kAhead = 16; // look-ups in flight: each is a cache miss
        const size_t n = m_ops.size();
        for (size_t i = 0; i < n; ++i) {
            if (i + kAhead < n)
                m_keys.prefetch(m_ops[i + kAhead].key);
            // Halfway there the slot has arrived: the text that confirms a match can follow.
            if (i + kAhead / 2 < n) {
                if (const size_t text = m_keys.peekValue(m_ops[i + kAhead / 2].key);
                    text != KeyTable::npos)
                    m_keyText.prefetch(quint32(text));
            }
            const Op &op = m_ops[i];
            const KeyText::Key key = keyText(op);
            const auto same = [this, &key](size_t slot) {
                return m_keyText.equals(m_keys.value(slot), key);
            };
            bool inserted = false;
            if (!op.ref()) {
                const size_t slot = m_keys.findOrInsert(op.key, KeyTable::kSet, &inserted, same);
                if (inserted) {
                    m_keys.value(slot) = m_keyText.append(key);
                    continue;
                }
                const TypeCount &type = m_counts[size_t(op.file())][op.type];
                if (!m_keys.isSet(slot)) { // referenced before
                    m_keys.set(slot);
                    --m_types[type.typeId].pending;
                    continue;
                }
                problem(op.file(), op.line(), Problem::Class::DuplicateId,
                        u"%1/%2 occurs more than once"_s.arg(
                            QString::fromStdString(type.name.str()),
                            QString::fromUtf8(key.id.data(), qsizetype(key.id.size()))));
                continue;
            }
            const size_t slot = m_keys.findOrInsert(op.key, 0, &inserted, same);
            if (inserted) { // a target not met as a resource so far
                m_keys.value(slot) = m_keyText.append(key);
                ++m_types[op.type & ~Op::kRef].pending;
            }
        }
        m_ops.clear();
        m_opText.clear();
        std::fill(std::begin(m_recentRefs), std::end(m_recentRefs), RecentRef{});
        m_streaming = m_restartNext = false; // the block's text is about to go
        if (!m_reserved && m_bytesDone > 0 && m_bytesDone < m_bytesTotal) {
            // The first block tells how many resources, hence ids, the rest will bring (most
            // reference targets are among them). Lines of at least 32 bytes bound it.
            m_reserved = true;
            qint64 lines = 0;
            for (const ScanFileResult &f : std::as_const(m_result.files))
                lines += f.resources;
            const double perByte = std::min(1.0 / 32, double(lines) / double(m_bytesDone));
            m_keys.reserve(size_t(double(m_bytesTotal) * perByte * 1.1));
        }
        std::stable_sort(m_pending.begin(), m_pending.end(),
                         [](const Problem &l, const Problem &r) { return l.line < r.line; });
        for (const Problem &p : std::as_const(m_pending)) {
            ++m_result.problemCount;
            if (m_result.problems.size() < m_options.maxProblems)
                m_result.problems.append(p);
        }
        m_pending.clear();
    }

    // The string members resourceType and id ({} when absent or not strings): a look at the
    // first two members, where FHIR servers put them, else a search of all.
    static void typeAndId(simdjson::dom::object object, std::string_view *type,
                          std::string_view *id)
    {
        auto it = object.begin();
        const auto end = object.end();
        bool typeFound = false, idFound = false;
        if (it != end && it.key() == "resourceType") {
            typeFound = true;
            if (it.value().get_string().get(*type))
                *type = {};
            ++it;
            if (it != end && it.key() == "id") {
                idFound = true;
                if (it.value().get_string().get(*id))
                    *id = {};
            }
        }
        if (!typeFound && object["resourceType"].get_string().get(*type))
            *type = {};
        if (!idFound && object["id"].get_string().get(*id))
            *id = {};
    }

    // Every "reference" string member at any depth, into m_found.
    void walk(simdjson::dom::element e)
    {
        if (e.is_object()) {
            for (auto field : simdjson::dom::object(e)) {
                if (field.key == "reference" && field.value.is_string()) {
                    Found found{std::string_view(field.value), {}, {}};
                    if (!splitReference(found.text, &found.type, &found.id))
                        found.type = found.id = {};
                    m_found.push_back(found);
                } else if (field.value.is_object() || field.value.is_array())
                    walk(field.value);
            }
        } else if (e.is_array()) {
            for (auto child : simdjson::dom::array(e)) {
                if (child.is_object() || child.is_array())
                    walk(child);
            }
        }
    }

    // The same as walk() on the text of a line that simdjson accepted, without the tree: in
    // valid JSON an unescaped `"reference"` followed by `:` is a key (a string's closing quote
    // cannot be followed by a letter). Keys spelled with \u escapes, and values with escapes,
    // need the tree: false then, and nothing was recorded.
    bool textReferences(const char *data, size_t length)
    {
        const char *const begin = data, *const end = data + length;
        m_found.clear();
        for (const char *p = begin; (p = findReference(p, end)) != end;) {
            if (*p == '\\')
                return false; // a \u: the key may be spelled with it
            size_t backslashes = 0;
            for (const char *b = p; b > begin && b[-1] == '\\'; --b)
                ++backslashes;
            const char *q = p + kReferenceKey.size();
            if (backslashes % 2 != 0) {
                p = q - 1;
                continue;
            }
            while (q < end && isJsonSpace(*q))
                ++q;
            if (q == end || *q != ':') {
                p = q;
                continue;
            }
            ++q;
            while (q < end && isJsonSpace(*q))
                ++q;
            if (q == end || *q != '"') { // not a string: an object or array is searched on
                p = q;
                continue;
            }
            // The value, read once: a relative "Type/id" or "Type/id/_history/v" is split
            // as splitReference() would.
            const char *v = ++q;
            while (q < end && (kCharClass[quint8(*q)] & kLetter))
                ++q;
            Found found;
            if (q < end && *q == '/' && q > v && q - v <= 64 && *v >= 'A' && *v <= 'Z') {
                const char *id = ++q;
                while (q < end && (kCharClass[quint8(*q)] & kIdChar))
                    ++q;
                if (q > id && q - id <= 64 && q < end &&
                    (*q == '"' || std::string_view(q, size_t(end - q)).starts_with("/_history/"))) {
                    found.type = std::string_view(v, size_t(id - 1 - v));
                    found.id = std::string_view(id, size_t(q - id));
                }
            }
            while (q < end && *q != '"' && *q != '\\')
                ++q;
            if (q == end || *q == '\\')
                return false;
            found.text = std::string_view(v, size_t(q - v));
            m_found.push_back(found);
            p = q + 1;
        }
        return true;
    }

    // Relative "Type/id" or "Type/id/_history/v"; URLs, "#contained" and urn:uuid are not ours
    // to resolve (false).
    static bool splitReference(std::string_view ref, std::string_view *type, std::string_view *id)
    {
        const size_t slash = ref.find('/');
        if (slash == std::string_view::npos)
            return false;
        *type = ref.substr(0, slash);
        *id = ref.substr(slash + 1);
        if (const size_t h = id->find('/'); h != std::string_view::npos) {
            if (id->substr(h).starts_with("/_history/"))
                *id = id->substr(0, h);
            else
                return false;
        }
        return isTypeName(*type) && isId(*id);
    }

    void reference(const Found &ref, int file, qint64 line, bool stable)
    {
        if (ref.id.empty())
            return;
        const TypeRef type = typeRef(ref.type);
        queueReference(keyOf(type.seed, ref.id, m_keyMask), line, file, ref.type, ref.id, type.id,
                       stable);
    }

    // The seed and m_types index of a type, added when new.
    struct TypeRef
    {
        quint64 seed;
        quint32 id;
    };
    TypeRef typeRef(std::string_view type)
    {
        // A line's references name one or two types mostly (subject, encounter): those first.
        for (quint32 &recent : m_recentTypes) {
            if (recent != 0 && m_types[recent].name.is(type)) {
                std::swap(recent, m_recentTypes[0]);
                return {m_types[m_recentTypes[0]].seed, m_recentTypes[0]};
            }
        }
        for (size_t i = 1; i < m_types.size(); ++i) {
            if (m_types[i].name.is(type)) {
                m_recentTypes[1] = m_recentTypes[0];
                m_recentTypes[0] = quint32(i);
                return {m_types[i].seed, quint32(i)};
            }
        }
        const quint64 seed = typeSeed(type);
        if (m_types.size() > kMaxTypes) { // absurd input: count the rest together
            m_typesOverflow = true;
            return {seed, 0};
        }
        m_types.push_back({TypeName(type), seed, 0});
        return {seed, quint32(m_types.size() - 1)};
    }

    // The index of type in m_counts[file], added when new.
    quint32 typeIndex(int file, std::string_view type)
    {
        auto &counts = m_counts[size_t(file)];
        if (m_lastCount < counts.size() && counts[m_lastCount].name.is(type))
            return quint32(m_lastCount);
        for (size_t i = 0; i < counts.size(); ++i) {
            if (counts[i].name.is(type)) {
                m_lastCount = i;
                return quint32(i);
            }
        }
        const std::string &expected = m_expectedTypes[size_t(file)];
        const TypeRef ref = typeRef(type);
        counts.push_back(
            {TypeName(type), 0, ref.seed, ref.id, !expected.empty() && type != expected});
        m_lastCount = counts.size() - 1;
        return quint32(m_lastCount);
    }

    void line(int file, const char *data, size_t length, qint64 lineNo)
    {
        if (length > 0 && data[length - 1] == '\r')
            --length;
        if (length == 0)
            return; // empty lines are not resources and not problems
        ScanFileResult &fr = m_result.files[file];
        ++fr.resources;
        simdjson::dom::element doc;
        if (!fromStream(data, length, &doc)) {
            // The block buffer has SIMDJSON_PADDING readable bytes after every line.
            if (const auto error = m_parser.parse(data, length, false).get(doc)) {
                problem(file, lineNo, Problem::Class::InvalidJson,
                        QString::fromUtf8(simdjson::error_message(error)));
                return;
            }
        }
        simdjson::dom::object object;
        std::string_view type, id;
        if (doc.get_object().get(object) || (typeAndId(object, &type, &id), type.empty())) {
            problem(file, lineNo, Problem::Class::InvalidJson,
                    u"not a FHIR resource (no resourceType)"_s);
            return;
        }
        const quint32 t = typeIndex(file, type);
        TypeCount &count = m_counts[size_t(file)][t];
        ++count.count;
        if (count.mismatch)
            problem(file, lineNo, Problem::Class::TypeMismatch,
                    u"%1 in a file of %2"_s.arg(QString::fromStdString(count.name.str()),
                                                m_inputs.at(file).expectedType));
        if (id.empty())
            problem(file, lineNo, Problem::Class::MissingId,
                    u"%1 without an id"_s.arg(QString::fromStdString(count.name.str())));
        else
            queueId(keyOf(count.seed, id, m_keyMask), lineNo, file, id, t);
        // References found in the text stay readable until flush(); the tree's are copied.
        const bool textual = textReferences(data, length);
        if (!textual) {
            m_found.clear();
            walk(doc);
        }
        for (const Found &ref : m_found)
            reference(ref, file, lineNo, textual);
    }
    // Pass 1 parses the complete lines of a block as one simdjson document stream, which
    // finds the structure of a whole batch at once rather than line by line (about 15% of the
    // parse). Each line takes the stream's next document when that is exactly the line; a line
    // that is not (invalid, two values, a value across lines) is parsed alone, and the stream
    // starts again after it, a few times a block at most: an invalid line can fail a whole batch
    // (simdjson finds strings and UTF-8 errors batch-wise), which the next start would read again.
    // So results are those of parsing each line alone.
    void startStream(const char *begin, const char *end)
    {
        m_regionEnd = end;
        m_restartsLeft = kMaxRestarts;
        openStream(begin);
    }
    void openStream(const char *begin)
    {
        m_streaming = false;
        m_advance = false;
        m_restartNext = false;
        if (!m_options.streamParse || begin >= m_regionEnd)
            return;
#ifdef SIMDJSON_THREADS_ENABLED
        m_streamParser.threaded = false; // one core: stage 1 of the next batch waits its turn
#endif
        if (m_streamParser.parse_many(begin, size_t(m_regionEnd - begin), kStreamBatch)
                .get(m_stream))
            return;
        m_streamBase = begin;
        m_doc = m_stream.begin();
        m_streaming = true;
    }

    // The stream's next document into doc, if it is the text of this line.
    bool fromStream(const char *data, size_t length, simdjson::dom::element *doc)
    {
        if (!m_streaming) {
            if (!m_restartNext || m_restartsLeft == 0)
                return false;
            --m_restartsLeft;
            openStream(data);
            if (!m_streaming)
                return false;
        }
        if (m_advance) { // only now: the last document lives in the parser until then
            ++m_doc;
            m_advance = false;
        }
        const char *first = data, *last = data + length;
        while (first < last && isJsonSpace(*first))
            ++first;
        while (last > first && isJsonSpace(last[-1]))
            --last;
        simdjson::dom::element element;
        if (!(m_doc != m_stream.end()) || first == last || *first != '{' ||
            m_streamBase + m_doc.current_index() != first || (*m_doc).get(element) ||
            m_doc.source().data() + m_doc.source().size() != last) {
            m_streaming = false;
            m_restartNext = data + length < m_regionEnd;
            return false;
        }
        *doc = element;
        m_advance = true;
        return true;
    }

    // Every line of a file, in blocks: onRegion(begin, end) with the block's complete lines
    // before the first of them, onLine(data, length, lineNo) with SIMDJSON_PADDING
    // readable bytes after the line, onBlock() after each block's lines, onTooLong(lineNo) for a
    // line longer than maxLineBytes (its bytes are skipped). Both passes read through here, so
    // they see the same lines with the same numbers.
    template<typename OnRegion, typename OnLine, typename OnBlock, typename OnTooLong>
    bool readLines(int file, const std::atomic_bool &cancel,
                   const std::function<void(qint64)> &advanced, OnRegion &&onRegion,
                   OnLine &&onLine, OnBlock &&onBlock, OnTooLong &&onTooLong)
    {
        const ScanInput &in = m_inputs.at(file);
        QFile f(in.path);
        if (!f.open(QIODevice::ReadOnly)) {
            m_result.error = u"Cannot read %1: %2"_s.arg(in.path, f.errorString());
            return false;
        }
        m_buffer.resize(size_t(kBlockSize) + simdjson::SIMDJSON_PADDING);
        size_t filled = 0;
        qint64 lineNo = 0;
        bool skipping = false; // inside a line already reported as too long
        for (;;) {
            if (cancel.load())
                return false;
            const size_t room = m_buffer.size() - simdjson::SIMDJSON_PADDING - filled;
            const qint64 n = f.read(m_buffer.data() + filled, qint64(room));
            if (n < 0) {
                m_result.error = u"Cannot read %1: %2"_s.arg(in.path, f.errorString());
                return false;
            }
            if (advanced)
                advanced(n);
            const bool eof = n == 0;
            const char *begin = m_buffer.data();
            const char *end = begin + filled + size_t(n);
            const char *cur = begin;
            const char *complete = end; // the end of the block's last complete line
            while (complete > begin && complete[-1] != '\n')
                --complete;
            bool started = false;
            while (const char *nl =
                       static_cast<const char *>(std::memchr(cur, '\n', size_t(end - cur)))) {
                ++lineNo;
                if (skipping) {
                    skipping = false;
                } else {
                    if (!started) {
                        onRegion(cur, complete);
                        started = true;
                    }
                    onLine(cur, size_t(nl - cur), lineNo);
                }
                cur = nl + 1;
            }
            onBlock();
            filled = size_t(end - cur);
            if (eof) {
                if (filled > 0 && !skipping) {
                    onLine(cur, filled, ++lineNo);
                    onBlock(); // its text lives in m_buffer, which is about to shrink
                }
                break;
            }
            if (skipping) { // drop the rest of an overlong line
                filled = 0;
                continue;
            }
            if (qint64(filled) > m_options.maxLineBytes) {
                onTooLong(lineNo + 1);
                skipping = true;
                filled = 0;
                continue;
            }
            std::memmove(m_buffer.data(), cur, filled);
            if (filled > m_buffer.size() / 2) // a long line: make room for the rest of it
                m_buffer.resize((m_buffer.size() - simdjson::SIMDJSON_PADDING) * 2 +
                                simdjson::SIMDJSON_PADDING);
        }
        m_buffer.resize(size_t(kBlockSize) + simdjson::SIMDJSON_PADDING);
        m_buffer.shrink_to_fit();
        return true;
    }

    bool scanFile(int file, const std::atomic_bool &cancel,
                  const std::function<void(qint64)> &advanced)
    {
        const bool ok = readLines(
            file, cancel, advanced,
            [this](const char *begin, const char *end) { startStream(begin, end); },
            [this, file](const char *data, size_t length, qint64 lineNo) {
                line(file, data, length, lineNo);
            },
            [this] { flush(); },
            [this, file](qint64 lineNo) {
                problem(file, lineNo, Problem::Class::LineTooLong,
                        u"line longer than %1 bytes, not checked"_s.arg(m_options.maxLineBytes));
                ++m_result.files[file].resources;
            });
        if (!ok)
            return false;
        flush(); // the last line's problems before the whole file's
        const ScanInput &in = m_inputs.at(file);
        ScanFileResult &fr = m_result.files[file];
        fr.bytes = QFileInfo(in.path).size();
        for (const auto &[type, count, seed, typeId, mismatch] : m_counts[size_t(file)]) {
            const QString name = QString::fromStdString(type.str());
            fr.countsByType.insert(name, count);
            m_result.countsByType[name] += count;
        }
        if (in.expectedCount >= 0 && fr.resources != in.expectedCount)
            problem(
                file, 0, Problem::Class::CountMismatch,
                u"%1 resources, the manifest says %2"_s.arg(fr.resources).arg(in.expectedCount));
        flush();
        return true;
    }

    // Pass 2, for one line: the references to targets still missing, with their first place
    // and how often they occur. Only lines that pass 1 took references from count (valid JSON
    // with a resourceType); most lines are passed over by the text search alone.
    void collectSites(int file, const char *data, size_t length, qint64 lineNo)
    {
        if (length > 0 && data[length - 1] == '\r')
            --length;
        if (length == 0)
            return;
        const bool textual = textReferences(data, length);
        if (textual && std::none_of(m_found.begin(), m_found.end(), [this](const Found &ref) {
                return missingTarget(ref.text) != 0;
            }))
            return;
        simdjson::dom::element doc;
        simdjson::dom::object object;
        std::string_view type;
        if (m_parser.parse(data, length, false).get(doc) || doc.get_object().get(object) ||
            object["resourceType"].get_string().get(type) || type.empty())
            return;
        if (!textual) {
            m_found.clear();
            walk(doc);
        }
        for (const Found &found : m_found) {
            const std::string_view ref = found.text;
            const quint64 key = missingTarget(ref);
            if (key == 0)
                continue;
            bool inserted = false;
            const size_t slot = m_siteOf.findOrInsert(key, 0, &inserted);
            if (!inserted) {
                countReference(m_sites[m_siteOf.value(slot)]);
                continue;
            }
            m_siteOf.value(slot) = quint32(m_sites.size());
            RefSite site;
            site.place = quint64(file) << 40 | quint64(lineNo);
            site.occurrences = 1;
            const std::string_view kept = ref.substr(0, kMaxRefText);
            site.text = m_refText.append(kept);
            site.textLength = quint16(kept.size());
            m_sites.push_back(site);
        }
    }

    // For a reference whose target is of a type in the export and was never met as a
    // resource: its slot in m_keys as a key for m_siteOf (one per target, whatever the hashes);
    // 0 otherwise.
    quint64 missingTarget(std::string_view ref)
    {
        std::string_view type, id;
        if (!splitReference(ref, &type, &id) ||
            std::find(m_present.begin(), m_present.end(), type) == m_present.end())
            return 0;
        const TypeRef t = typeRef(type);
        const KeyText::Key text{t.id, type, id};
        const size_t slot = m_keys.find(keyOf(t.seed, id, m_keyMask), [&](size_t s) {
            return m_keyText.equals(m_keys.value(s), text);
        });
        return slot != KeyTable::npos && !m_keys.isSet(slot) ? quint64(slot + 1) << 1 : 0;
    }

    // onSecondPass() before the files are read again, then advanced(bytes) as in pass 1.
    bool checkReferences(const std::atomic_bool &cancel,
                         const std::function<void(qint64)> &advanced,
                         const std::function<void()> &onSecondPass)
    {
        for (auto it = m_result.countsByType.cbegin(); it != m_result.countsByType.cend(); ++it)
            m_present.push_back(it.key().toStdString());
        bool missing = m_typesOverflow;
        for (const TypeInfo &type : m_types)
            missing |= type.pending > 0 && std::find(m_present.begin(), m_present.end(),
                                                     type.name.str()) != m_present.end();
        if (!missing)
            return true;
        onSecondPass();
        for (int file = 0; file < m_inputs.size(); ++file) {
            const bool ok = readLines(
                file, cancel, advanced, [](const char *, const char *) {},
                [this, file](const char *data, size_t length, qint64 lineNo) {
                    collectSites(file, data, length, lineNo);
                },
                [] {}, [](qint64) {});
            if (!ok)
                return false;
        }
        QList<Problem> unresolved;
        for (const RefSite &site : m_sites) { // in the order they were first seen
            const std::string_view text = m_refText.view(site.text, site.textLength);
            QString message = u"%1 is not in the export"_s.arg(
                QString::fromUtf8(text.data(), qsizetype(text.size())));
            if (site.occurrences > 1)
                message += u" (referenced %1 times, first here)"_s.arg(site.occurrences);
            unresolved.append({m_inputs.at(site.file()).path, site.line(),
                               Problem::Class::UnresolvedReference, message});
        }
        // Sites come in file then line order already; problems of a line keep their order.
        for (const Problem &p : std::as_const(unresolved)) {
            ++m_result.problemCount;
            if (m_result.problems.size() < m_options.maxProblems)
                m_result.problems.append(p);
        }
        return true;
    }

    void run(const std::atomic_bool &cancel, const std::function<void(qint64, qint64)> &progress)
    {
        qint64 total = 0;
        for (const ScanInput &in : m_inputs)
            total += QFileInfo(in.path).size();
        m_bytesTotal = total;
        qint64 &done = m_bytesDone;
        QElapsedTimer sinceProgress;
        sinceProgress.start();
        auto advanced = [&](qint64 n) {
            done += n;
            if (progress && sinceProgress.elapsed() >= 100) {
                sinceProgress.start();
                progress(done, total);
            }
        };
        m_counts.resize(size_t(m_inputs.size()));
        for (const ScanInput &in : m_inputs)
            m_expectedTypes.push_back(in.expectedType.toStdString());
        for (int i = 0; i < m_inputs.size(); ++i) {
            ScanFileResult fr;
            fr.path = m_inputs.at(i).path;
            fr.expectedType = m_inputs.at(i).expectedType;
            fr.expectedCount = m_inputs.at(i).expectedCount;
            m_result.files.append(fr);
        }
        for (int i = 0; i < m_inputs.size(); ++i) {
            if (!scanFile(i, cancel, advanced)) {
                m_result.cancelled = cancel.load();
                return;
            }
        }
        // A second pass reads everything again: the total doubles, so progress goes on from
        // half way (the window names the pass by that).
        const auto onSecondPass = [&] {
            total *= 2;
            if (progress)
                progress(done, total);
        };
        if (!checkReferences(cancel, advanced, onSecondPass)) {
            m_result.cancelled = cancel.load();
            return;
        }
        if (progress)
            progress(total, total);
    }

private:
    const QList<ScanInput> &m_inputs;
    const ScanOptions &m_options;
    ScanResult &m_result;
    simdjson::dom::parser m_parser;
    // Pass 1's document stream over the block being read (see startStream()).
    static constexpr size_t kStreamBatch = 1 << 20;
    static constexpr int kMaxRestarts = 16;
    simdjson::dom::parser m_streamParser;
    simdjson::dom::document_stream m_stream;
    simdjson::dom::document_stream::iterator m_doc;
    const char *m_streamBase = nullptr;
    const char *m_regionEnd = nullptr;
    int m_restartsLeft = 0;
    bool m_restartNext = false; // start the stream again at the next line
    bool m_streaming = false;
    bool m_advance = false;
    std::vector<char> m_buffer;
    struct TypeCount
    {
        TypeName name;
        qint64 count;
        quint64 seed;   // typeSeed(name)
        quint32 typeId; // in m_types
        bool mismatch;  // not the file's expected type
    };
    std::vector<std::vector<TypeCount>> m_counts; // per file, types in order first seen
    std::vector<std::string> m_expectedTypes;
    size_t m_lastCount = 0;
    // "Type/id" of every resource (kSet) and of every reference target (kSet once it is met as
    // a resource), with the handle of its text in m_keyText: a hash match is a match only when
    // the texts are equal, so colliding hashes never merge two keys.
    KeyTable m_keys{true};
    KeyText m_keyText;
    quint64 m_keyMask = m_options.keyHashMask;
    qint64 m_bytesTotal = 0; // of all files, for the table's size and progress
    qint64 m_bytesDone = 0;  // read in pass 1
    bool m_reserved = false;
    // Every type met, as a resource's or in a reference: its key seed, and how many of its
    // targets are referenced but not (yet) met as resources. A second pass over the files is
    // only needed when one of the export's own types has some at the end. [0] counts the types
    // beyond kMaxTypes together.
    struct TypeInfo
    {
        TypeName name;
        quint64 seed;
        qint64 pending;
    };
    std::vector<TypeInfo> m_types{{TypeName({}), 0, 0}};
    bool m_typesOverflow = false;
    quint32 m_recentTypes[2] = {0, 0}; // in m_types, the last found first
    static constexpr size_t kMaxTypes = 1024;
    struct RecentRef
    {
        quint64 key = 0; // 0: none
        quint32 typeId = 0;
        std::string_view type, id;
    };
    RecentRef m_recentRefs[4]; // reference targets queued since the last flush()
    quint32 m_nextRecentRef = 0;
    // Pass 2: the types in the export, and the first place of each target still missing.
    std::vector<std::string> m_present;
    KeyTable m_siteOf{true};
    std::deque<RefSite> m_sites; // in chunks: growing copies nothing
    TextArena m_refText;
    std::vector<Found> m_found;
    std::vector<Op> m_ops;
    TextArena m_opText; // ids and references out of the tree, until flush()
    QList<Problem> m_pending;
};

QJsonObject countsJson(const QMap<QString, qint64> &counts)
{
    QJsonObject o;
    for (auto it = counts.cbegin(); it != counts.cend(); ++it)
        o.insert(it.key(), double(it.value()));
    return o;
}

QMap<QString, qint64> countsFrom(const QJsonObject &o)
{
    QMap<QString, qint64> counts;
    for (auto it = o.begin(); it != o.end(); ++it)
        counts.insert(it.key(), qint64(it.value().toDouble()));
    return counts;
}

} // namespace

QString Problem::className(Class kind)
{
    for (const auto &c : kClassNames) {
        if (c.kind == kind)
            return QString::fromLatin1(c.name);
    }
    return {};
}

std::optional<Problem::Class> Problem::classFromName(QStringView name)
{
    for (const auto &c : kClassNames) {
        if (name == QLatin1StringView(c.name))
            return c.kind;
    }
    return std::nullopt;
}

QJsonObject Problem::toJson() const
{
    return {{u"file"_s, file},
            {u"line"_s, double(line)},
            {u"class"_s, className(kind)},
            {u"message"_s, message}};
}

Problem Problem::fromJson(const QJsonObject &o)
{
    return {o.value("file"_L1).toString(), qint64(o.value("line"_L1).toDouble()),
            classFromName(o.value("class"_L1).toString()).value_or(Class::InvalidJson),
            o.value("message"_L1).toString()};
}

QJsonObject ScanResult::toJson() const
{
    QJsonArray fileArray;
    for (const ScanFileResult &f : files) {
        fileArray.append(QJsonObject{{u"path"_s, f.path},
                                     {u"expectedType"_s, f.expectedType},
                                     {u"expectedCount"_s, double(f.expectedCount)},
                                     {u"bytes"_s, double(f.bytes)},
                                     {u"resources"_s, double(f.resources)},
                                     {u"counts"_s, countsJson(f.countsByType)}});
    }
    QJsonArray problemArray;
    for (const Problem &p : problems)
        problemArray.append(p.toJson());
    QJsonObject o{{u"files"_s, fileArray},
                  {u"counts"_s, countsJson(countsByType)},
                  {u"problems"_s, problemArray},
                  {u"problemCount"_s, double(problemCount)}};
    if (!error.isEmpty())
        o.insert(u"error"_s, error);
    if (cancelled)
        o.insert(u"cancelled"_s, true);
    return o;
}

std::optional<ScanResult> ScanResult::fromJson(const QJsonObject &o)
{
    if (!o.value("files"_L1).isArray() || !o.value("problems"_L1).isArray())
        return std::nullopt;
    ScanResult r;
    for (const QJsonValue &v : o.value("files"_L1).toArray()) {
        const QJsonObject f = v.toObject();
        r.files.append({f.value("path"_L1).toString(), f.value("expectedType"_L1).toString(),
                        qint64(f.value("expectedCount"_L1).toDouble(-1)),
                        qint64(f.value("bytes"_L1).toDouble()),
                        qint64(f.value("resources"_L1).toDouble()),
                        countsFrom(f.value("counts"_L1).toObject())});
    }
    r.countsByType = countsFrom(o.value("counts"_L1).toObject());
    for (const QJsonValue &v : o.value("problems"_L1).toArray())
        r.problems.append(Problem::fromJson(v.toObject()));
    r.problemCount = qint64(o.value("problemCount"_L1).toDouble());
    r.error = o.value("error"_L1).toString();
    r.cancelled = o.value("cancelled"_L1).toBool();
    return r;
}

ResourceScan::ResourceScan(QString cacheFolder, QObject *parent)
    : QObject(parent)
    , m_cacheFolder(std::move(cacheFolder))
{
}

ResourceScan::~ResourceScan()
{
    cancel();
    m_future.waitForFinished();
}

ScanResult ResourceScan::result() const
{
    return m_finished.load() ? m_result : ScanResult();
}

ScanResult ResourceScan::scan(const QList<ScanInput> &inputs, const ScanOptions &options,
                              const std::atomic_bool &cancel,
                              const std::function<void(qint64, qint64)> &progress)
{
    ScanResult result;
    Scanner(inputs, options, result).run(cancel, progress);
    return result;
}

QString ResourceScan::cacheKey(const QList<ScanInput> &inputs, const ScanOptions &options)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(QByteArray::number(kCacheVersion) + ' ' +
                 QByteArray::number(options.maxLineBytes) + ' ' +
                 QByteArray::number(options.maxProblems) + '\n');
    for (const ScanInput &in : inputs) {
        const QFileInfo info(in.path);
        hash.addData(info.absoluteFilePath().toUtf8() + '\0' + QByteArray::number(info.size()) +
                     '\0' + QByteArray::number(info.lastModified().toMSecsSinceEpoch()) + '\0' +
                     in.expectedType.toUtf8() + '\0' + QByteArray::number(in.expectedCount) + '\n');
    }
    return QString::fromLatin1(hash.result().toHex().left(32));
}

QString ResourceScan::cachePath(const QList<ScanInput> &inputs) const
{
    return QDir(m_cacheFolder).filePath(u"scan-%1.json"_s.arg(cacheKey(inputs, m_options)));
}

void ResourceScan::start(const QList<ScanInput> &inputs)
{
    m_cancel.store(false);
    m_finished.store(false);
    const QString cacheFile = m_cacheFolder.isEmpty() ? QString() : cachePath(inputs);
    if (!cacheFile.isEmpty()) {
        QFile f(cacheFile);
        if (f.open(QIODevice::ReadOnly)) {
            if (auto cached = ScanResult::fromJson(QJsonDocument::fromJson(f.readAll()).object())) {
                m_result = *cached;
                m_result.fromCache = true;
                m_finished.store(true);
                QMetaObject::invokeMethod(this, &ResourceScan::finished, Qt::QueuedConnection);
                return;
            }
        }
    }
    m_future = QtConcurrent::run(workerPool(), [this, inputs, cacheFile] {
        auto post = [this](qint64 done, qint64 total) {
            QMetaObject::invokeMethod(
                this, [this, done, total] { emit progress(done, total); }, Qt::QueuedConnection);
        };
        ScanResult r = scan(inputs, m_options, m_cancel, post);
        if (!cacheFile.isEmpty() && !r.cancelled && r.error.isEmpty() &&
            QDir().mkpath(m_cacheFolder)) {
            QSaveFile f(cacheFile);
            if (f.open(QIODevice::WriteOnly)) {
                f.write(QJsonDocument(r.toJson()).toJson(QJsonDocument::Compact));
                f.commit(); // a cache that cannot be written only costs a rescan
            }
        }
        QMetaObject::invokeMethod(
            this,
            [this, r = std::move(r)] {
                m_result = r;
                m_finished.store(true);
                emit finished();
            },
            Qt::QueuedConnection);
    });
}

} // namespace cohort::review
