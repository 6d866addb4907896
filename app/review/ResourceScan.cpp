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
#include <QThread>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>

#include <simdjson.h>

#ifdef Q_OS_LINUX
#include <sys/mman.h>
#endif

#include <algorithm>
#include <array>
#include <bit>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <limits>
#include <memory>
#include <mutex>
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
            m_chunks.emplace_back(new char[std::max(kChunk, text.size())]);
            m_used = 0;
        }
        std::memcpy(m_chunks.back().get() + m_used, text.data(), text.size());
        const size_t handle = (m_chunks.size() - 1) << 32 | m_used;
        m_used += text.size();
        return handle;
    }
    std::string_view view(size_t handle, size_t length) const
    {
        return {m_chunks[handle >> 32].get() + (handle & 0xffffffffU), length};
    }
    const char *copy(std::string_view text) { return view(append(text), text.size()).data(); }
    void clear() // keeps the first chunk
    {
        m_chunks.resize(std::min<size_t>(m_chunks.size(), 1));
        m_used = 0;
    }

private:
    static constexpr size_t kChunk = 1 << 20;
    std::vector<std::unique_ptr<char[]>> m_chunks; // not zeroed: fresh pages are slow enough
    size_t m_used = 0;
};

// The text of every "Type/id" key in the table, to confirm a hash match: the type's index in
// TypeRegistry (two bytes), the id's length and the id, and for the types beyond kMaxTypes
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
            m_chunks.emplace_back(new char[std::max(kChunk, size)]);
            m_used = 0;
        }
        char *p = m_chunks.back().get() + m_used;
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
        return m_chunks[handle >> 20].get() + (handle & ((1U << 20) - 1));
    }
    static constexpr size_t kChunk = 1 << 20;
    static constexpr size_t kMaxChunks = 1 << 12;
    std::vector<std::unique_ptr<char[]>> m_chunks; // not zeroed
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

constexpr size_t kMaxTypes = 1024;

// Every type met, as a resource's or in a reference, numbered in the order any thread first met
// it: key texts hold the number, not the name. Types beyond kMaxTypes (absurd input) share number
// 0, and their key texts hold the name. Shared by the parsing threads; an entry never changes
// once added, so one whose number came through a lock is read without it.
class TypeRegistry
{
public:
    struct Entry
    {
        TypeName name;
        quint64 seed; // typeSeed(name)
    };
    TypeRegistry()
        : m_entries(new std::unique_ptr<Entry>[kMaxTypes + 1])
    {
        m_entries[0] = std::make_unique<Entry>(Entry{TypeName({}), 0});
    }
    quint32 idOf(std::string_view type, quint64 seed)
    {
        const std::lock_guard lock(m_mutex);
        for (size_t i = 1; i < m_size; ++i) {
            if (m_entries[i]->name.is(type))
                return quint32(i);
        }
        if (m_size > kMaxTypes) {
            m_overflow = true;
            return 0;
        }
        m_entries[m_size] = std::make_unique<Entry>(Entry{TypeName(type), seed});
        return quint32(m_size++);
    }
    const Entry &at(quint32 id) const { return *m_entries[id]; }
    size_t size() const
    {
        const std::lock_guard lock(m_mutex);
        return m_size;
    }
    bool overflowed() const
    {
        const std::lock_guard lock(m_mutex);
        return m_overflow;
    }

private:
    mutable std::mutex m_mutex;
    std::unique_ptr<std::unique_ptr<Entry>[]> m_entries;
    size_t m_size = 1;
    bool m_overflow = false;
};

// A look-up in the key table, queued while a chunk is parsed and done when it is committed: an
// id (a resource met) or a reference target. 32 bytes: a chunk queues thousands.
struct Op
{
    quint64 key;
    quint64 place;      // file << 40 | line (within the chunk until commit)
    const char *text;   // "Type/id", or the id alone when the type's number says it all
    quint32 textLength; // the type's length (0: not in text) << 16 | the id's
    quint32 type;       // the type's number in TypeRegistry, | kRef for a reference

    static constexpr quint32 kRef = 1U << 31;
    bool ref() const { return type & kRef; }
    quint32 typeId() const { return type & ~kRef; }
    int file() const { return int(place >> 40); }
    qint64 line() const { return qint64(place & ((quint64(1) << 40) - 1)); }
    size_t typeLength() const { return textLength >> 16; }
    std::string_view id() const
    {
        return {text + (typeLength() > 0 ? typeLength() + 1 : 0), textLength & 0xffffU};
    }
    KeyText::Key keyText() const { return {typeId(), {text, typeLength()}, id()}; }
};

quint64 placeOf(int file, qint64 line)
{
    return quint64(file) << 40 | quint64(line);
}

struct TypeCount
{
    TypeName name;
    qint64 count;
    quint64 seed;   // typeSeed(name)
    quint32 typeId; // in TypeRegistry
    bool mismatch;  // not the file's expected type
};

// A piece of one file: the lines that start in [begin, end), read and parsed by one thread,
// then committed (looked up in the key table, numbered, reported) in file order. Recycled.
struct Chunk
{
    int file = 0;
    qint64 begin = 0, end = 0;
    bool lastOfFile = false;
    // From begin - 1 (whether a line starts at begin) to the end of the last line that starts
    // before end; SIMDJSON_PADDING more bytes allocated.
    std::unique_ptr<char[]> data;
    size_t capacity = 0;
    size_t size = 0;
    size_t firstLine = 0; // where the first line that starts in [begin, end) is in data
    size_t linesEnd = 0;  // where the lines to parse end (an overlong last line excluded)
    bool overlongLast = false;

    std::vector<Op> ops;     // in line order
    TextArena text;          // ids and references out of the tree
    QList<Problem> problems; // lines within the chunk until commit
    std::vector<TypeCount> counts;
    qint64 lines = 0; // that start in it
    qint64 resources = 0;
    QString error;
    bool cancelled = false;

    void reset()
    {
        size = firstLine = linesEnd = 0;
        overlongLast = false;
        ops.clear();
        text.clear();
        problems.clear();
        counts.clear();
        lines = resources = 0;
        error.clear();
        cancelled = false;
    }
    // Room for n bytes and the padding, and for the rest of a line of usual length after
    // them; what is there stays.
    void reserve(size_t n)
    {
        if (n + simdjson::SIMDJSON_PADDING <= capacity)
            return;
        const size_t grown = n + kSlack + simdjson::SIMDJSON_PADDING;
        std::unique_ptr<char[]> bigger(new char[grown]);
        if (size > 0)
            std::memcpy(bigger.get(), data.get(), size);
        data = std::move(bigger);
        capacity = grown;
    }
    static constexpr size_t kSlack = 64 * 1024;
};

// Reads a chunk from f (its file): see Chunk. An overlong line is read only as far as needed to
// know it is one. False with c.error set when the file cannot be read.
bool readChunk(Chunk &c, QFile &f, qint64 maxLineBytes)
{
    const auto failed = [&] {
        c.error = u"Cannot read %1: %2"_s.arg(f.fileName(), f.errorString());
        return false;
    };
    const qint64 from = c.begin > 0 ? c.begin - 1 : 0;
    c.reserve(size_t(c.end - from));
    if (!f.seek(from))
        return failed();
    while (c.size < size_t(c.end - from)) {
        const qint64 n = f.read(c.data.get() + c.size, qint64(size_t(c.end - from) - c.size));
        if (n < 0)
            return failed();
        if (n == 0)
            break; // shorter than it was: what is there
        c.size += size_t(n);
    }
    // The first line that starts here: at 0, or after the first '\n' from begin - 1.
    const char *data = c.data.get();
    if (c.begin == 0) {
        c.firstLine = 0;
    } else {
        const void *nl = c.size > 0 ? std::memchr(data, '\n', c.size - 1) : nullptr;
        c.firstLine = nl ? size_t(static_cast<const char *>(nl) - data) + 1 : c.size;
    }
    c.linesEnd = c.size;
    if (c.firstLine >= c.size || data[c.size - 1] == '\n')
        return true; // no line starts here, or the last one ends here
    // The last line goes on past end: read to its '\n', the end of the file, or until it is
    // longer than maxLineBytes.
    size_t last = c.size;
    while (last > c.firstLine && data[last - 1] != '\n')
        --last;
    size_t searched = c.size;
    for (;;) {
        if (qint64(c.size - last) > maxLineBytes) {
            c.overlongLast = true;
            c.linesEnd = last;
            return true;
        }
        const size_t step = std::clamp<size_t>(c.size - last, Chunk::kSlack, size_t(16) << 20);
        const size_t want = std::min<size_t>(step, size_t(maxLineBytes) + 2 - (c.size - last));
        c.reserve(c.size + want);
        const qint64 n = f.read(c.data.get() + c.size, qint64(want));
        if (n < 0)
            return failed();
        if (n == 0)
            break; // the last line of the file, without a '\n'
        c.size += size_t(n);
        if (const void *nl = std::memchr(c.data.get() + searched, '\n', c.size - searched)) {
            c.size = size_t(static_cast<const char *>(nl) - c.data.get()) + 1;
            break;
        }
        searched = c.size;
    }
    c.linesEnd = c.size;
    if (qint64(c.size - last) - (c.data[c.size - 1] == '\n' ? 1 : 0) > maxLineBytes) {
        c.overlongLast = true;
        c.linesEnd = last;
    }
    return true;
}

// One parsing thread's state: simdjson parsers, the document stream over a chunk, the types it
// has met. Fills a chunk with what its lines hold (counts, problems, look-ups to queue).
class LineParser
{
public:
    // The "reference" strings of a line; type and id set when it is a relative "Type/id".
    struct Found
    {
        std::string_view text, type, id;
    };
    struct TypeRef
    {
        quint64 seed;
        quint32 id;
    };

    LineParser(const QList<ScanInput> &inputs, const ScanOptions &options, TypeRegistry &types,
               const std::vector<std::string> &expectedTypes)
        : m_inputs(inputs)
        , m_options(options)
        , m_types(types)
        , m_expectedTypes(expectedTypes)
    {
    }

    void parseChunk(Chunk &c)
    {
        m_chunk = &c;
        std::fill(std::begin(m_recentRefs), std::end(m_recentRefs), RecentRef{});
        m_lastCount = 0;
        const char *data = c.data.get();
        const char *cur = data + c.firstLine, *const end = data + c.linesEnd;
        startStream(cur, end);
        qint64 lineNo = 0;
        while (cur < end) {
            const char *nl = static_cast<const char *>(std::memchr(cur, '\n', size_t(end - cur)));
            const char *lineEnd = nl ? nl : end;
            ++lineNo;
            const size_t length = size_t(lineEnd - cur);
            if (qint64(length) > m_options.maxLineBytes)
                tooLong(lineNo);
            else
                line(cur, length, lineNo);
            cur = nl ? nl + 1 : end;
        }
        if (c.overlongLast)
            tooLong(++lineNo);
        c.lines = lineNo;
        m_streaming = m_restartNext = false; // the chunk's text is the committer's now
        m_chunk = nullptr;
    }

    // The seed and TypeRegistry number of a type.
    TypeRef typeRef(std::string_view type)
    {
        // A line's references name one or two types mostly (subject, encounter): those first.
        for (quint32 &recent : m_recentTypes) {
            if (recent < m_local.size() && m_local[recent].name.is(type)) {
                std::swap(recent, m_recentTypes[0]);
                return m_local[m_recentTypes[0]].ref;
            }
        }
        for (size_t i = 0; i < m_local.size(); ++i) {
            if (m_local[i].name.is(type)) {
                m_recentTypes[1] = m_recentTypes[0];
                m_recentTypes[0] = quint32(i);
                return m_local[i].ref;
            }
        }
        const quint64 seed = typeSeed(type);
        const TypeRef ref{seed, m_types.idOf(type, seed)};
        if (ref.id != 0) // types beyond the registry's are looked up there every time
            m_local.push_back({TypeName(type), ref});
        return ref;
    }

    // The string members resourceType and id ({} when absent or not strings): a look at the
    // first two members, where FHIR servers put them, else a search of all.
    static void typeAndId(simdjson::dom::object object, std::string_view *type,
                          std::string_view *id)
    {
        // Keys compared as fixed-size blocks, which compile to a load or two and no call.
        const auto is = []<size_t N>(std::string_view key, const char(&name)[N]) {
            return key.size() == N - 1 && std::memcmp(key.data(), name, N - 1) == 0;
        };
        auto it = object.begin();
        const auto end = object.end();
        bool typeFound = false, idFound = false;
        if (it != end && is(it.key(), "resourceType")) {
            typeFound = true;
            if (it.value().get_string().get(*type))
                *type = {};
            ++it;
            if (it != end && is(it.key(), "id")) {
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

    std::vector<Found> &found() { return m_found; }
    simdjson::dom::parser &parser() { return m_parser; }

    // Every "reference" string member at any depth, into found().
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

private:
    void problem(qint64 line, Problem::Class kind, const QString &message)
    {
        m_chunk->problems.append({m_inputs.at(m_chunk->file).path, line, kind, message});
    }
    void tooLong(qint64 lineNo)
    {
        problem(lineNo, Problem::Class::LineTooLong,
                u"line longer than %1 bytes, not checked"_s.arg(m_options.maxLineBytes));
        ++m_chunk->resources;
    }

    void queueId(quint64 key, qint64 line, std::string_view id, const TypeCount &type)
    {
        Chunk &c = *m_chunk;
        if (type.typeId != 0) {
            c.ops.push_back(
                {key, placeOf(c.file, line), c.text.copy(id), quint32(id.size()), type.typeId});
            return;
        }
        // A type beyond the registry's: its name goes with the id.
        const std::string &name = type.name.str();
        const std::string joined = name + '/' + std::string(id);
        c.ops.push_back({key, placeOf(c.file, line), c.text.copy(joined),
                         quint32(name.size() << 16 | id.size()), 0});
    }
    // type and id (in one "Type/id" text) must stay readable until the commit: the chunk's
    // text, or copied with stable false.
    void queueReference(quint64 key, qint64 line, std::string_view type, std::string_view id,
                        quint32 typeId, bool stable)
    {
        // Resources of one patient, of one encounter, follow each other: a target queued a
        // moment ago is common, and a second look-up would change nothing. The same key is the
        // same target only with the same text.
        for (const RecentRef &recent : m_recentRefs) {
            if (recent.key == key && recent.typeId == typeId && recent.id == id &&
                (typeId != 0 || recent.type == type))
                return;
        }
        Chunk &c = *m_chunk;
        const std::string_view text(type.data(), type.size() + 1 + id.size());
        const char *kept = stable ? text.data() : c.text.copy(text);
        m_recentRefs[m_nextRecentRef++ % std::size(m_recentRefs)] = {
            key, typeId, {kept, type.size()}, {kept + type.size() + 1, id.size()}};
        c.ops.push_back({key, placeOf(c.file, line), kept, quint32(type.size() << 16 | id.size()),
                         typeId | Op::kRef});
    }

    void reference(const Found &ref, qint64 line, bool stable)
    {
        if (ref.id.empty())
            return;
        const TypeRef type = typeRef(ref.type);
        queueReference(keyOf(type.seed, ref.id, m_options.keyHashMask), line, ref.type, ref.id,
                       type.id, stable);
    }

    // The chunk's count of type, added when new.
    TypeCount &typeCount(std::string_view type)
    {
        auto &counts = m_chunk->counts;
        if (m_lastCount < counts.size() && counts[m_lastCount].name.is(type))
            return counts[m_lastCount];
        for (size_t i = 0; i < counts.size(); ++i) {
            if (counts[i].name.is(type)) {
                m_lastCount = i;
                return counts[i];
            }
        }
        const std::string &expected = m_expectedTypes[size_t(m_chunk->file)];
        const TypeRef ref = typeRef(type);
        counts.push_back(
            {TypeName(type), 0, ref.seed, ref.id, !expected.empty() && type != expected});
        m_lastCount = counts.size() - 1;
        return counts.back();
    }

    void line(const char *data, size_t length, qint64 lineNo)
    {
        if (length > 0 && data[length - 1] == '\r')
            --length;
        if (length == 0)
            return; // empty lines are not resources and not problems
        ++m_chunk->resources;
        simdjson::dom::element doc;
        if (!fromStream(data, length, &doc)) {
            // The chunk has SIMDJSON_PADDING readable bytes after every line.
            if (const auto error = m_parser.parse(data, length, false).get(doc)) {
                problem(lineNo, Problem::Class::InvalidJson,
                        QString::fromUtf8(simdjson::error_message(error)));
                return;
            }
        }
        simdjson::dom::object object;
        std::string_view type, id;
        if (doc.get_object().get(object) || (typeAndId(object, &type, &id), type.empty())) {
            problem(lineNo, Problem::Class::InvalidJson,
                    u"not a FHIR resource (no resourceType)"_s);
            return;
        }
        TypeCount &count = typeCount(type);
        ++count.count;
        if (count.mismatch)
            problem(lineNo, Problem::Class::TypeMismatch,
                    u"%1 in a file of %2"_s.arg(QString::fromStdString(count.name.str()),
                                                m_inputs.at(m_chunk->file).expectedType));
        if (id.empty())
            problem(lineNo, Problem::Class::MissingId,
                    u"%1 without an id"_s.arg(QString::fromStdString(count.name.str())));
        else
            queueId(keyOf(count.seed, id, m_options.keyHashMask), lineNo, id, count);
        // References found in the text stay readable until the commit; the tree's are copied.
        const bool textual = textReferences(data, length);
        if (!textual) {
            m_found.clear();
            walk(doc);
        }
        for (const Found &ref : m_found)
            reference(ref, lineNo, textual);
    }

    // A chunk's lines are parsed as one simdjson document stream, which finds the structure of
    // a whole batch at once rather than line by line (about 15% of the parse). Each line takes
    // the stream's next document when that is exactly the line; a line that is not (invalid,
    // two values, a value across lines) is parsed alone, and the stream starts again after it,
    // a few times a chunk at most: an invalid line can fail a whole batch (simdjson finds
    // strings and UTF-8 errors batch-wise), which the next start would read again. So results
    // are those of parsing each line alone.
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
        m_streamParser.threaded = false; // our threads parse other chunks meanwhile
#endif
        // A batch no larger than the chunk: the parser's memory follows the batch size.
        const size_t length = size_t(m_regionEnd - begin);
        const size_t batch = std::min(kStreamBatch, std::bit_ceil(std::max<size_t>(length, 4096)));
        if (m_streamParser.parse_many(begin, length, batch).get(m_stream))
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

    const QList<ScanInput> &m_inputs;
    const ScanOptions &m_options;
    TypeRegistry &m_types;
    const std::vector<std::string> &m_expectedTypes;
    Chunk *m_chunk = nullptr;
    simdjson::dom::parser m_parser;
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
    struct LocalType
    {
        TypeName name;
        TypeRef ref;
    };
    std::vector<LocalType> m_local;        // the types this thread met, not to lock for each
    quint32 m_recentTypes[2] = {~0U, ~0U}; // in m_local, the last found first
    size_t m_lastCount = 0;
    struct RecentRef
    {
        quint64 key = 0; // 0: none
        quint32 typeId = 0;
        std::string_view type, id;
    };
    RecentRef m_recentRefs[4]; // reference targets queued in this chunk lately
    quint32 m_nextRecentRef = 0;
    std::vector<Found> m_found;
};

// Pass 1 on several threads: chunks are claimed in order, read and parsed by whichever thread is
// free, and committed strictly in order by the thread that finished the next one while the
// others go on parsing. A thread claims a chunk only within `window` of the next to commit,
// which bounds the memory held by chunks waiting.
struct Pipeline
{
    std::mutex mutex;
    std::condition_variable changed;
    size_t next = 0;      // the next chunk to claim
    size_t committed = 0; // chunks committed so far
    size_t window = 0;
    bool committing = false;
    bool stop = false;   // an error or a cancel: nothing more is claimed nor committed
    bool closed = false; // the pass is over: a helper that starts now leaves at once
    int active = 0;      // helpers at work
    std::vector<std::unique_ptr<Chunk>> ready; // parsed, by index, until committed
    std::vector<std::unique_ptr<Chunk>> spare;
};

class Scanner
{
public:
    Scanner(const QList<ScanInput> &inputs, const ScanOptions &options, ScanResult &result)
        : m_inputs(inputs)
        , m_options(options)
        , m_result(result)
    {
    }

    void run(const std::atomic_bool &cancel, const std::function<void(qint64, qint64)> &progress)
    {
        qint64 total = 0;
        const qint64 chunkBytes = std::max<qint64>(1, m_options.chunkBytes);
        for (int i = 0; i < m_inputs.size(); ++i) {
            const ScanInput &in = m_inputs.at(i);
            const qint64 size = QFileInfo(in.path).size();
            total += size;
            ScanFileResult fr;
            fr.path = in.path;
            fr.expectedType = in.expectedType;
            fr.expectedCount = in.expectedCount;
            m_result.files.append(fr);
            m_expectedTypes.push_back(in.expectedType.toStdString());
            const qint64 chunks = std::max<qint64>(1, (size + chunkBytes - 1) / chunkBytes);
            for (qint64 k = 0; k < chunks; ++k)
                m_specs.push_back(
                    {i, k * chunkBytes, std::min(size, (k + 1) * chunkBytes), k == chunks - 1});
        }
        m_bytesTotal = total;
        m_fileCounts.resize(size_t(m_inputs.size()));
        m_lineBase.assign(size_t(m_inputs.size()), 0);
        QElapsedTimer sinceProgress;
        sinceProgress.start();
        qint64 &done = m_bytesDone;
        m_advanced = [&](qint64 n) {
            done += n;
            if (progress && sinceProgress.elapsed() >= 100) {
                sinceProgress.start();
                progress(done, total);
            }
        };
        if (!passOne(cancel)) {
            m_result.cancelled = cancel.load();
            return;
        }
        // A second pass reads everything again: the total doubles, so progress goes on from
        // half way (the window names the pass by that).
        const auto onSecondPass = [&] {
            total *= 2;
            if (progress)
                progress(done, total);
        };
        if (!checkReferences(cancel, onSecondPass)) {
            m_result.cancelled = cancel.load();
            return;
        }
        if (progress)
            progress(total, total);
    }

private:
    struct ChunkSpec
    {
        int file;
        qint64 begin, end;
        bool lastOfFile;
    };

    bool passOne(const std::atomic_bool &cancel)
    {
        int threads = m_options.threads > 0 ? m_options.threads : QThread::idealThreadCount();
        if (m_specs.empty())
            return true;
        threads = int(std::clamp<size_t>(size_t(std::max(threads, 1)), 1,
                                         std::min<size_t>(m_specs.size(), 64)));
        const auto p = std::make_shared<Pipeline>();
        p->window = size_t(threads) * 2;
        p->ready.resize(m_specs.size());
        // Helpers on the worker pool, and this thread: when the pool is busy the helpers start
        // late, or after the pass, and then do nothing.
        for (int i = 1; i < threads; ++i) {
            workerPool()->start([this, p, &cancel] {
                {
                    const std::lock_guard lock(p->mutex);
                    if (p->closed)
                        return;
                    ++p->active;
                }
                work(*p, cancel);
                const std::lock_guard lock(p->mutex);
                --p->active;
                p->changed.notify_all();
            });
        }
        work(*p, cancel);
        std::unique_lock lock(p->mutex);
        p->closed = true;
        p->changed.wait(lock, [&] { return p->active == 0; });
        return !p->stop && p->committed == m_specs.size();
    }

    void work(Pipeline &p, const std::atomic_bool &cancel)
    {
        LineParser parser(m_inputs, m_options, m_types, m_expectedTypes);
        QFile file;
        int openFile = -1;
        std::unique_lock lock(p.mutex);
        while (!p.stop && p.next < m_specs.size()) {
            const size_t i = p.next++;
            p.changed.wait(lock, [&] { return p.stop || i < p.committed + p.window; });
            if (p.stop)
                break;
            std::unique_ptr<Chunk> c;
            if (!p.spare.empty()) {
                c = std::move(p.spare.back());
                p.spare.pop_back();
            } else {
                c = std::make_unique<Chunk>();
            }
            lock.unlock();
            const ChunkSpec &spec = m_specs[i];
            c->reset();
            c->file = spec.file;
            c->begin = spec.begin;
            c->end = spec.end;
            c->lastOfFile = spec.lastOfFile;
            if (cancel.load()) {
                c->cancelled = true;
            } else {
                if (openFile != spec.file) {
                    file.close();
                    file.setFileName(m_inputs.at(spec.file).path);
                    openFile = spec.file;
                    if (!file.open(QIODevice::ReadOnly | QIODevice::Unbuffered))
                        c->error = u"Cannot read %1: %2"_s.arg(file.fileName(), file.errorString());
                }
                if (c->error.isEmpty() && readChunk(*c, file, m_options.maxLineBytes))
                    parser.parseChunk(*c);
            }
            lock.lock();
            p.ready[i] = std::move(c);
            if (p.committing)
                continue; // the thread committing takes it in turn
            p.committing = true;
            while (!p.stop && p.committed < m_specs.size() && p.ready[p.committed]) {
                std::unique_ptr<Chunk> next = std::move(p.ready[p.committed]);
                lock.unlock();
                const bool ok = commit(*next, cancel);
                lock.lock();
                p.spare.push_back(std::move(next));
                ++p.committed;
                p.stop = p.stop || !ok;
                p.changed.notify_all();
            }
            p.committing = false;
        }
    }

    // A chunk's results, in file order: its look-ups, its lines numbered, its problems reported.
    bool commit(Chunk &c, const std::atomic_bool &cancel)
    {
        if (!c.error.isEmpty()) {
            m_result.error = c.error;
            return false;
        }
        if (c.cancelled || cancel.load())
            return false;
        const size_t file = size_t(c.file);
        const qint64 base = m_lineBase[file];
        m_result.files[c.file].resources += c.resources;
        auto &counts = m_fileCounts[file];
        for (const TypeCount &t : c.counts) {
            auto it = std::find_if(counts.begin(), counts.end(),
                                   [&](const FileCount &f) { return f.name.is(t.name.str()); });
            if (it == counts.end())
                counts.push_back({t.name, t.count});
            else
                it->count += t.count;
        }
        for (Problem &p : c.problems)
            p.line += base;
        lookUp(c, base);
        m_lineBase[file] += c.lines;
        report(c.problems);
        m_advanced(c.end - c.begin);
        if (!m_reserved && m_bytesDone > 0 && m_bytesDone < m_bytesTotal) {
            // The first chunk tells how many resources, hence ids, the rest will bring (most
            // reference targets are among them). Lines of at least 32 bytes bound it.
            m_reserved = true;
            qint64 lines = 0;
            for (const ScanFileResult &f : std::as_const(m_result.files))
                lines += f.resources;
            const double perByte = std::min(1.0 / 32, double(lines) / double(m_bytesDone));
            m_keys.reserve(size_t(double(m_bytesTotal) * perByte * 1.1));
        }
        if (c.lastOfFile)
            finishFile(c.file);
        return true;
    }

    // The chunk's ids and reference targets against the key table, in line order.
    void lookUp(Chunk &c, qint64 base)
    {
        constexpr size_t kAhead = 16; // look-ups in flight: each is a cache miss
        const std::vector<Op> &ops = c.ops;
        const size_t n = ops.size();
        for (size_t i = 0; i < n; ++i) {
            if (i + kAhead < n)
                m_keys.prefetch(ops[i + kAhead].key);
            // Halfway there the slot has arrived: the text that confirms a match can follow.
            if (i + kAhead / 2 < n) {
                if (const size_t text = m_keys.peekValue(ops[i + kAhead / 2].key);
                    text != KeyTable::npos)
                    m_keyText.prefetch(quint32(text));
            }
            const Op &op = ops[i];
            const KeyText::Key key = op.keyText();
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
                if (!m_keys.isSet(slot)) { // referenced before
                    m_keys.set(slot);
                    --m_pending[op.typeId()];
                    continue;
                }
                const std::string_view type =
                    op.typeLength() > 0 ? std::string_view(op.text, op.typeLength())
                                        : std::string_view(m_types.at(op.typeId()).name.str());
                c.problems.append(
                    {m_inputs.at(c.file).path, base + op.line(), Problem::Class::DuplicateId,
                     u"%1/%2 occurs more than once"_s.arg(
                         QString::fromUtf8(type.data(), qsizetype(type.size())),
                         QString::fromUtf8(key.id.data(), qsizetype(key.id.size())))});
                continue;
            }
            const size_t slot = m_keys.findOrInsert(op.key, 0, &inserted, same);
            if (inserted) { // a target not met as a resource so far
                m_keys.value(slot) = m_keyText.append(key);
                ++m_pending[op.typeId()];
            }
        }
    }

    // Problems of one chunk, or of a whole file, in line order after those reported before.
    void report(QList<Problem> &problems)
    {
        std::stable_sort(problems.begin(), problems.end(),
                         [](const Problem &l, const Problem &r) { return l.line < r.line; });
        for (const Problem &p : std::as_const(problems)) {
            ++m_result.problemCount;
            if (m_result.problems.size() < m_options.maxProblems)
                m_result.problems.append(p);
        }
    }

    void finishFile(int file)
    {
        const ScanInput &in = m_inputs.at(file);
        ScanFileResult &fr = m_result.files[file];
        fr.bytes = QFileInfo(in.path).size();
        for (const FileCount &count : m_fileCounts[size_t(file)]) {
            const QString name = QString::fromStdString(count.name.str());
            fr.countsByType.insert(name, count.count);
            m_result.countsByType[name] += count.count;
        }
        if (in.expectedCount >= 0 && fr.resources != in.expectedCount) {
            QList<Problem> mismatch{
                {in.path, 0, Problem::Class::CountMismatch,
                 u"%1 resources, the manifest says %2"_s.arg(fr.resources).arg(in.expectedCount)}};
            report(mismatch);
        }
    }

    // Pass 2 reads every line of a file in blocks, on this thread: onLine(data, length, lineNo)
    // with SIMDJSON_PADDING readable bytes after the line, numbered as in pass 1. Lines longer
    // than maxLineBytes, which pass 1 did not check, are not read whole.
    template<typename OnLine>
    bool readLines(int file, const std::atomic_bool &cancel, OnLine &&onLine)
    {
        const ScanInput &in = m_inputs.at(file);
        QFile f(in.path);
        if (!f.open(QIODevice::ReadOnly)) {
            m_result.error = u"Cannot read %1: %2"_s.arg(in.path, f.errorString());
            return false;
        }
        // No larger than the file: a small one is not worth 4 MiB of fresh memory.
        m_buffer.resize(size_t(std::clamp<qint64>(f.size() + 1, 4096, kBlockSize)) +
                        simdjson::SIMDJSON_PADDING);
        size_t filled = 0;
        qint64 lineNo = 0;
        bool skipping = false; // inside a line longer than maxLineBytes
        for (;;) {
            if (cancel.load())
                return false;
            const size_t room = m_buffer.size() - simdjson::SIMDJSON_PADDING - filled;
            const qint64 n = f.read(m_buffer.data() + filled, qint64(room));
            if (n < 0) {
                m_result.error = u"Cannot read %1: %2"_s.arg(in.path, f.errorString());
                return false;
            }
            m_advanced(n);
            const bool eof = n == 0;
            const char *cur = m_buffer.data();
            const char *end = cur + filled + size_t(n);
            while (const char *nl =
                       static_cast<const char *>(std::memchr(cur, '\n', size_t(end - cur)))) {
                ++lineNo;
                if (skipping)
                    skipping = false;
                else
                    onLine(cur, size_t(nl - cur), lineNo);
                cur = nl + 1;
            }
            filled = size_t(end - cur);
            if (eof) {
                if (filled > 0 && !skipping)
                    onLine(cur, filled, ++lineNo);
                break;
            }
            if (skipping || qint64(filled) > m_options.maxLineBytes) {
                skipping = true;
                filled = 0;
                continue;
            }
            std::memmove(m_buffer.data(), cur, filled);
            if (filled > m_buffer.size() / 2) // a long line: make room for the rest of it
                m_buffer.resize((m_buffer.size() - simdjson::SIMDJSON_PADDING) * 2 +
                                simdjson::SIMDJSON_PADDING);
        }
        m_buffer.clear();
        m_buffer.shrink_to_fit();
        return true;
    }

    static void countReference(RefSite &site)
    {
        if (site.occurrences != std::numeric_limits<quint32>::max())
            ++site.occurrences;
    }

    // Pass 2, for one line: the references to targets still missing, with their first place
    // and how often they occur. Only lines that pass 1 took references from count (valid JSON
    // with a resourceType, not too long); most lines are passed over by the text search alone.
    void collectSites(int file, const char *data, size_t length, qint64 lineNo)
    {
        if (qint64(length) > m_options.maxLineBytes)
            return;
        if (length > 0 && data[length - 1] == '\r')
            --length;
        if (length == 0)
            return;
        std::vector<LineParser::Found> &found = m_pass2.found();
        const bool textual = m_pass2.textReferences(data, length);
        if (textual && std::none_of(found.begin(), found.end(), [this](const auto &ref) {
                return missingTarget(ref.text) != 0;
            }))
            return;
        simdjson::dom::element doc;
        simdjson::dom::object object;
        std::string_view type;
        if (m_pass2.parser().parse(data, length, false).get(doc) || doc.get_object().get(object) ||
            object["resourceType"].get_string().get(type) || type.empty())
            return;
        if (!textual) {
            found.clear();
            m_pass2.walk(doc);
        }
        for (const LineParser::Found &ref : found) {
            const quint64 key = missingTarget(ref.text);
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
            site.place = placeOf(file, lineNo);
            site.occurrences = 1;
            const std::string_view kept = ref.text.substr(0, kMaxRefText);
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
        if (!LineParser::splitReference(ref, &type, &id) ||
            std::find(m_present.begin(), m_present.end(), type) == m_present.end())
            return 0;
        const LineParser::TypeRef t = m_pass2.typeRef(type);
        const KeyText::Key text{t.id, type, id};
        const size_t slot = m_keys.find(keyOf(t.seed, id, m_options.keyHashMask), [&](size_t s) {
            return m_keyText.equals(m_keys.value(s), text);
        });
        return slot != KeyTable::npos && !m_keys.isSet(slot) ? quint64(slot + 1) << 1 : 0;
    }

    // onSecondPass() before the files are read again.
    bool checkReferences(const std::atomic_bool &cancel, const std::function<void()> &onSecondPass)
    {
        for (auto it = m_result.countsByType.cbegin(); it != m_result.countsByType.cend(); ++it)
            m_present.push_back(it.key().toStdString());
        bool missing = m_types.overflowed();
        const size_t types = m_types.size();
        for (size_t id = 1; id < types; ++id)
            missing |= m_pending[id] > 0 &&
                       std::find(m_present.begin(), m_present.end(),
                                 m_types.at(quint32(id)).name.str()) != m_present.end();
        if (!missing)
            return true;
        onSecondPass();
        for (int file = 0; file < m_inputs.size(); ++file) {
            const bool ok = readLines(file, cancel,
                                      [this, file](const char *data, size_t length, qint64 lineNo) {
                                          collectSites(file, data, length, lineNo);
                                      });
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

    const QList<ScanInput> &m_inputs;
    const ScanOptions &m_options;
    ScanResult &m_result;
    std::vector<ChunkSpec> m_specs; // every file's chunks, in order
    std::vector<std::string> m_expectedTypes;
    TypeRegistry m_types;
    std::function<void(qint64)> m_advanced; // bytes committed or read in pass 2: progress
    // Per file, in commit order: the types met, and the lines before the next chunk.
    struct FileCount
    {
        TypeName name;
        qint64 count;
    };
    std::vector<std::vector<FileCount>> m_fileCounts;
    std::vector<qint64> m_lineBase;
    // "Type/id" of every resource (kSet) and of every reference target (kSet once it is met as
    // a resource), with the handle of its text in m_keyText: a hash match is a match only when
    // the texts are equal, so colliding hashes never merge two keys. The committing thread's.
    KeyTable m_keys{true};
    KeyText m_keyText;
    // Per type number: targets referenced but not (yet) met as resources. A second pass over
    // the files is only needed when one of the export's own types has some at the end.
    std::vector<qint64> m_pending = std::vector<qint64>(kMaxTypes + 1, 0);
    qint64 m_bytesTotal = 0; // of all files, for the table's size and progress
    qint64 m_bytesDone = 0;
    bool m_reserved = false;
    // Pass 2: the types in the export, and the first place of each target still missing.
    LineParser m_pass2{m_inputs, m_options, m_types, m_expectedTypes};
    std::vector<char> m_buffer;
    std::vector<std::string> m_present;
    KeyTable m_siteOf{true};
    std::deque<RefSite> m_sites; // in chunks: growing copies nothing
    TextArena m_refText;
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
