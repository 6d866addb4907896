#include "auth/Jwk.h"
#include "auth/Jwt.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <openssl/evp.h>

using namespace cohort::auth;

namespace {

QString str(const char *latin1)
{
    return QString::fromLatin1(latin1);
}

// Tiny DER helpers written independently of the code under test, so the openssl CLI check does
// not rely on the converter it is supposed to check.
QByteArray derLength(qsizetype length)
{
    if (length < 0x80)
        return QByteArray(1, char(length));
    QByteArray bytes;
    while (length > 0) {
        bytes.prepend(char(length & 0xff));
        length >>= 8;
    }
    return char(0x80 | bytes.size()) + bytes;
}

QByteArray derInteger(QByteArray value)
{
    while (value.size() > 1 && value.at(0) == '\0')
        value.remove(0, 1);
    if (static_cast<unsigned char>(value.at(0)) & 0x80)
        value.prepend('\0');
    return '\x02' + derLength(value.size()) + value;
}

QByteArray rawEcdsaToDer(const QByteArray &raw)
{
    const QByteArray body = derInteger(raw.left(48)) + derInteger(raw.mid(48));
    return '\x30' + derLength(body.size()) + body;
}

// Accepts only what openssl emits for P-384: SEQUENCE { INTEGER r, INTEGER s }.
QByteArray derEcdsaToRaw(const QByteArray &der)
{
    qsizetype pos = 0;
    const auto byteAt = [&](qsizetype i) {
        return static_cast<unsigned char>(der.at(i));
    };
    const auto readLength = [&]() -> qsizetype {
        if (pos >= der.size())
            return -1;
        const unsigned char first = byteAt(pos++);
        if (first < 0x80)
            return first;
        if (first != 0x81 || pos >= der.size())
            return -1;
        return byteAt(pos++);
    };
    if (der.isEmpty() || byteAt(pos++) != 0x30 || readLength() != der.size() - pos)
        return {};
    QByteArray raw;
    for (int i = 0; i < 2; ++i) {
        if (pos >= der.size() || byteAt(pos++) != 0x02)
            return {};
        const qsizetype length = readLength();
        if (length <= 0 || pos + length > der.size())
            return {};
        QByteArray value = der.mid(pos, length);
        pos += length;
        while (value.size() > 48 && value.at(0) == '\0')
            value.remove(0, 1);
        if (value.size() > 48)
            return {};
        raw += QByteArray(48 - value.size(), '\0') + value;
    }
    return raw;
}

QByteArray replacePart(const QByteArray &compact, int index, const QByteArray &replacement)
{
    QList<QByteArray> parts = compact.split('.');
    parts[index] = replacement;
    return parts.join('.');
}

QByteArray flipLastSignatureByte(const QByteArray &compact)
{
    QByteArray signature = *fromBase64Url(compact.split('.').at(2));
    signature[signature.size() - 1] = char(signature.at(signature.size() - 1) ^ 0x01);
    return replacePart(compact, 2, base64Url(signature));
}

bool writeFile(const QString &path, const QByteArray &data)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(data) == data.size();
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

class TestJwt : public QObject
{
    Q_OBJECT

private:
    Key m_rsa;
    Key m_rsa2;
    Key m_ec;
    Key m_ec2;
    QString m_openssl;

    Key keyFor(const QString &alg) const { return alg == str("RS384") ? m_rsa : m_ec; }
    Key otherKeyFor(const QString &alg) const { return alg == str("RS384") ? m_rsa2 : m_ec2; }

    // Exit code of `openssl args...`, or -1 if it did not run to completion.
    int runOpenssl(const QStringList &args, QByteArray *output = nullptr)
    {
        QProcess process;
        process.setProcessChannelMode(QProcess::MergedChannels);
        process.start(m_openssl, args);
        if (!process.waitForFinished(120000) || process.exitStatus() != QProcess::NormalExit)
            return -1;
        if (output)
            *output = process.readAll();
        return process.exitCode();
    }

    void addAlgorithmRows()
    {
        QTest::addColumn<QString>("alg");
        QTest::newRow("RS384") << str("RS384");
        QTest::newRow("ES384") << str("ES384");
    }

private slots:
    void initTestCase();
    void algorithmNames();
    void generatedKeys_data() { addAlgorithmRows(); }
    void generatedKeys();
    void signVerifyRoundTrip_data() { addAlgorithmRows(); }
    void signVerifyRoundTrip();
    void tamperingFails_data() { addAlgorithmRows(); }
    void tamperingFails();
    void wrongKeyFails_data() { addAlgorithmRows(); }
    void wrongKeyFails();
    void algorithmMismatchFails();
    void es384SignatureIsRaw96Bytes();
    void rs384SignatureLength();
    void publicJwkRoundTrip_data() { addAlgorithmRows(); }
    void publicJwkRoundTrip();
    void privateJwkRoundTrip_data() { addAlgorithmRows(); }
    void privateJwkRoundTrip();
    void jwkRejected_data();
    void jwkRejected();
    void inconsistentPrivateJwkRejected();
    void jwksRoundTrip();
    void pkcs8PemRoundTrip_data() { addAlgorithmRows(); }
    void pkcs8PemRoundTrip();
    void traditionalPem_data();
    void traditionalPem();
    void p256PemRejected();
    void pemRejections();
    void fromBytesDetectsFormat();
    void decodeRejectsMalformed_data();
    void decodeRejectsMalformed();
    void base64UrlEncoding();
    void base64UrlRejects_data();
    void base64UrlRejects();
    void clientAssertion_data() { addAlgorithmRows(); }
    void clientAssertion();
    void clientAssertionErrors();
    void opensslVerifiesOurSignatures_data();
    void opensslVerifiesOurSignatures();
    void weVerifyOpensslSignatures_data() { addAlgorithmRows(); }
    void weVerifyOpensslSignatures();
};

void TestJwt::initTestCase()
{
    QString error;
    m_rsa = Key::generate(JwtAlgorithm::RS384, str("rsa-1"), &error);
    QVERIFY2(!m_rsa.isNull(), qPrintable(error));
    m_rsa2 = Key::generate(JwtAlgorithm::RS384, str("rsa-2"), &error);
    QVERIFY2(!m_rsa2.isNull(), qPrintable(error));
    m_ec = Key::generate(JwtAlgorithm::ES384, str("ec-1"), &error);
    QVERIFY2(!m_ec.isNull(), qPrintable(error));
    m_ec2 = Key::generate(JwtAlgorithm::ES384, str("ec-2"), &error);
    QVERIFY2(!m_ec2.isNull(), qPrintable(error));
    m_openssl = QStandardPaths::findExecutable(str("openssl"));
}

void TestJwt::algorithmNames()
{
    QCOMPARE(algorithmName(JwtAlgorithm::RS384), str("RS384"));
    QCOMPARE(algorithmName(JwtAlgorithm::ES384), str("ES384"));
    QCOMPARE(algorithmFromName(u"RS384"), JwtAlgorithm::RS384);
    QCOMPARE(algorithmFromName(u"ES384"), JwtAlgorithm::ES384);
    QVERIFY(!algorithmFromName(u"rs384"));
    QVERIFY(!algorithmFromName(u"RS256"));
    QVERIFY(!algorithmFromName(u"none"));
    QVERIFY(!algorithmFromName(u""));
}

void TestJwt::generatedKeys()
{
    QFETCH(QString, alg);
    const Key key = keyFor(alg);
    QVERIFY(key.isPrivate());
    QCOMPARE(algorithmName(*key.algorithm()), alg);
    QCOMPARE(key.keyId(), alg == str("RS384") ? str("rsa-1") : str("ec-1"));
    QVERIFY(key.handle() != nullptr);
    if (alg == str("RS384"))
        QCOMPARE(EVP_PKEY_get_bits(key.handle()), 3072);
    else
        QCOMPARE(EVP_PKEY_get_bits(key.handle()), 384);

    Key copy = key;
    QCOMPARE(copy.handle(), key.handle());
    copy.setKeyId(str("renamed"));
    QCOMPARE(copy.keyId(), str("renamed"));
    QCOMPARE(key.keyId(), alg == str("RS384") ? str("rsa-1") : str("ec-1"));

    const Key empty;
    QVERIFY(empty.isNull());
    QVERIFY(!empty.isPrivate());
    QVERIFY(!empty.algorithm());
    QVERIFY(empty.publicJwk().isEmpty());
    QVERIFY(empty.publicPem().isEmpty());
}

void TestJwt::signVerifyRoundTrip()
{
    QFETCH(QString, alg);
    const Key key = keyFor(alg);
    const QJsonObject claims{{str("sub"), str("patient-42")}, {str("n"), 7}};
    QString error;
    const QByteArray token = signJwt(key, {}, claims, &error);
    QVERIFY2(!token.isEmpty(), qPrintable(error));
    QCOMPARE(token.count('.'), 2);

    const std::optional<Jwt> jwt = decodeJwt(token, &error);
    QVERIFY2(jwt, qPrintable(error));
    QCOMPARE(jwt->header.value(str("alg")).toString(), alg);
    QCOMPARE(jwt->header.value(str("typ")).toString(), str("JWT"));
    QCOMPARE(jwt->header.value(str("kid")).toString(), key.keyId());
    QCOMPARE(jwt->claims, claims);
    QCOMPARE(jwt->signingInput, token.left(token.lastIndexOf('.')));
    QVERIFY2(verifyJwt(*jwt, key, &error), qPrintable(error));

    // Caller-provided typ/kid win over the defaults.
    const QByteArray custom =
        signJwt(key, QJsonObject{{str("typ"), str("custom")}, {str("kid"), str("other")}}, claims);
    const std::optional<Jwt> customJwt = decodeJwt(custom);
    QVERIFY(customJwt);
    QCOMPARE(customJwt->header.value(str("typ")).toString(), str("custom"));
    QCOMPARE(customJwt->header.value(str("kid")).toString(), str("other"));
    QVERIFY(verifyJwt(*customJwt, key));
}

void TestJwt::tamperingFails()
{
    QFETCH(QString, alg);
    const Key key = keyFor(alg);
    const QByteArray token = signJwt(key, {}, QJsonObject{{str("scope"), str("system/*.read")}});
    QVERIFY(!token.isEmpty());

    QString error;
    const std::optional<Jwt> badSignature = decodeJwt(flipLastSignatureByte(token));
    QVERIFY(badSignature);
    QVERIFY(!verifyJwt(*badSignature, key, &error));
    QVERIFY2(error.contains(str("does not match")), qPrintable(error));

    const QByteArray otherClaims =
        base64Url(QJsonDocument(QJsonObject{{str("scope"), str("system/*.write")}})
                      .toJson(QJsonDocument::Compact));
    const std::optional<Jwt> badClaims = decodeJwt(replacePart(token, 1, otherClaims));
    QVERIFY(badClaims);
    QVERIFY(!verifyJwt(*badClaims, key));

    const std::optional<Jwt> noSignature = decodeJwt(replacePart(token, 2, {}));
    QVERIFY(noSignature);
    QVERIFY(!verifyJwt(*noSignature, key, &error));
    QVERIFY(!error.isEmpty());

    // Control: the untouched token still verifies, so the failures above are due to tampering.
    QVERIFY(verifyJwt(*decodeJwt(token), key));
}

void TestJwt::wrongKeyFails()
{
    QFETCH(QString, alg);
    const QByteArray token = signJwt(keyFor(alg), {}, QJsonObject{{str("a"), 1}});
    const std::optional<Jwt> jwt = decodeJwt(token);
    QVERIFY(jwt);
    QString error;
    QVERIFY(!verifyJwt(*jwt, otherKeyFor(alg), &error));
    QVERIFY2(error.contains(str("does not match")), qPrintable(error));
    QVERIFY(!verifyJwt(*jwt, Key(), &error));
    QVERIFY(!error.isEmpty());
}

void TestJwt::algorithmMismatchFails()
{
    QString error;
    const QByteArray rsaToken = signJwt(m_rsa, {}, QJsonObject{{str("a"), 1}});
    const QByteArray ecToken = signJwt(m_ec, {}, QJsonObject{{str("a"), 1}});

    QVERIFY(!verifyJwt(*decodeJwt(rsaToken), m_ec, &error));
    QVERIFY2(error.contains(str("RS384")) && error.contains(str("EC P-384")), qPrintable(error));
    QVERIFY(!verifyJwt(*decodeJwt(ecToken), m_rsa, &error));
    QVERIFY2(error.contains(str("ES384")) && error.contains(str("RSA")), qPrintable(error));

    // Relabelling the header must not make an RSA signature acceptable to an EC key or vice versa.
    Jwt relabelled = *decodeJwt(rsaToken);
    relabelled.header.insert(str("alg"), str("ES384"));
    QVERIFY(!verifyJwt(relabelled, m_rsa, &error));

    for (const char *alg : {"none", "HS384", "RS256"}) {
        Jwt jwt = *decodeJwt(rsaToken);
        jwt.header.insert(str("alg"), str(alg));
        QVERIFY(!verifyJwt(jwt, m_rsa, &error));
        QVERIFY2(error.contains(str(alg)), qPrintable(error));
    }
    Jwt noAlg = *decodeJwt(rsaToken);
    noAlg.header.remove(str("alg"));
    QVERIFY(!verifyJwt(noAlg, m_rsa, &error));
    QVERIFY2(error.contains(str("alg")), qPrintable(error));

    Jwt critical = *decodeJwt(rsaToken);
    critical.header.insert(str("crit"), QJsonArray{str("exp")});
    QVERIFY(!verifyJwt(critical, m_rsa, &error));
    QVERIFY2(error.contains(str("crit")), qPrintable(error));

    QVERIFY(signJwt(m_rsa, QJsonObject{{str("alg"), str("ES384")}}, {}, &error).isEmpty());
    QVERIFY2(error.contains(str("ES384")), qPrintable(error));
    QVERIFY(!signJwt(m_rsa, QJsonObject{{str("alg"), str("RS384")}}, {}).isEmpty());
}

void TestJwt::es384SignatureIsRaw96Bytes()
{
    for (int i = 0; i < 5; ++i) {
        const std::optional<Jwt> jwt = decodeJwt(signJwt(m_ec, {}, QJsonObject{{str("i"), i}}));
        QVERIFY(jwt);
        QCOMPARE(jwt->signature.size(), 96);
        QVERIFY(verifyJwt(*jwt, m_ec));
    }

    const std::optional<Jwt> jwt = decodeJwt(signJwt(m_ec, {}, QJsonObject{{str("a"), 1}}));
    QString error;
    for (qsizetype size : {qsizetype(95), qsizetype(97), qsizetype(0)}) {
        Jwt wrong = *jwt;
        wrong.signature = size < 96 ? jwt->signature.left(size) : jwt->signature + '\0';
        QVERIFY(!verifyJwt(wrong, m_ec, &error));
        QVERIFY2(error.contains(str("96")), qPrintable(error));
    }
    // A DER-encoded signature is the classic interop mistake; it must not be accepted.
    Jwt der = *jwt;
    der.signature = rawEcdsaToDer(jwt->signature);
    QVERIFY(der.signature.size() != 96);
    QVERIFY(!verifyJwt(der, m_ec));
}

void TestJwt::rs384SignatureLength()
{
    const std::optional<Jwt> jwt = decodeJwt(signJwt(m_rsa, {}, QJsonObject{{str("a"), 1}}));
    QVERIFY(jwt);
    QCOMPARE(jwt->signature.size(), 384);
    Jwt shorter = *jwt;
    shorter.signature.chop(1);
    QString error;
    QVERIFY(!verifyJwt(shorter, m_rsa, &error));
    QVERIFY2(error.contains(str("384")), qPrintable(error));
}

void TestJwt::publicJwkRoundTrip()
{
    QFETCH(QString, alg);
    const Key key = keyFor(alg);
    const QJsonObject jwk = key.publicJwk();
    QCOMPARE(jwk.value(str("alg")).toString(), alg);
    QCOMPARE(jwk.value(str("kid")).toString(), key.keyId());
    QCOMPARE(jwk.value(str("use")).toString(), str("sig"));
    QCOMPARE(jwk.value(str("key_ops")).toArray(), QJsonArray{str("verify")});
    for (const char *secret : {"d", "p", "q", "dp", "dq", "qi"})
        QVERIFY2(!jwk.contains(str(secret)), secret);

    if (alg == str("RS384")) {
        QCOMPARE(jwk.value(str("kty")).toString(), str("RSA"));
        QCOMPARE(jwk.value(str("e")).toString(), str("AQAB"));
        const auto n = fromBase64Url(jwk.value(str("n")).toString().toLatin1());
        QVERIFY(n);
        QCOMPARE(n->size(), 384);
        QVERIFY(n->at(0) != '\0');
    } else {
        QCOMPARE(jwk.value(str("kty")).toString(), str("EC"));
        QCOMPARE(jwk.value(str("crv")).toString(), str("P-384"));
        for (const char *coordinate : {"x", "y"}) {
            const QString value = jwk.value(str(coordinate)).toString();
            QVERIFY(!value.contains(QLatin1Char('=')));
            const auto decoded = fromBase64Url(value.toLatin1());
            QVERIFY(decoded);
            QCOMPARE(decoded->size(), 48);
        }
    }

    QString error;
    const Key publicKey = Key::fromJwk(jwk, &error);
    QVERIFY2(!publicKey.isNull(), qPrintable(error));
    QVERIFY(!publicKey.isPrivate());
    QCOMPARE(publicKey.algorithm(), key.algorithm());
    QCOMPARE(publicKey.keyId(), key.keyId());
    QCOMPARE(publicKey.publicJwk(), jwk);
    QVERIFY(publicKey.privateJwk().isEmpty());
    QVERIFY(publicKey.privatePem().isEmpty());

    const std::optional<Jwt> jwt = decodeJwt(signJwt(key, {}, QJsonObject{{str("a"), 1}}));
    QVERIFY2(verifyJwt(*jwt, publicKey, &error), qPrintable(error));
    QVERIFY(!verifyJwt(*jwt, Key::fromJwk(otherKeyFor(alg).publicJwk())));

    QVERIFY(signJwt(publicKey, {}, {}, &error).isEmpty());
    QVERIFY2(error.contains(str("private")), qPrintable(error));
}

void TestJwt::privateJwkRoundTrip()
{
    QFETCH(QString, alg);
    const Key key = keyFor(alg);
    QJsonObject jwk = key.privateJwk();
    QCOMPARE(jwk.value(str("key_ops")).toArray(), QJsonArray{str("sign")});
    QVERIFY(jwk.contains(str("d")));
    if (alg == str("RS384")) {
        for (const char *member : {"n", "e", "p", "q", "dp", "dq", "qi"})
            QVERIFY2(jwk.contains(str(member)), member);
    } else {
        QCOMPARE(fromBase64Url(jwk.value(str("d")).toString().toLatin1())->size(), 48);
    }
    // Shaped like the keys the SMART reference tools hand out.
    jwk.insert(str("ext"), true);
    jwk.insert(str("key_ops"), QJsonArray{str("sign")});

    QString error;
    const Key reloaded = Key::fromJwk(jwk, &error);
    QVERIFY2(!reloaded.isNull(), qPrintable(error));
    QVERIFY(reloaded.isPrivate());
    QCOMPARE(reloaded.keyId(), key.keyId());
    QCOMPARE(reloaded.publicJwk(), key.publicJwk());

    const std::optional<Jwt> jwt = decodeJwt(signJwt(reloaded, {}, QJsonObject{{str("a"), 1}}));
    QVERIFY(jwt);
    QVERIFY2(verifyJwt(*jwt, key, &error), qPrintable(error));
    QVERIFY(verifyJwt(*jwt, Key::fromJwk(key.publicJwk())));
}

void TestJwt::jwkRejected_data()
{
    QTest::addColumn<QJsonObject>("jwk");
    QTest::addColumn<QString>("expected");

    // Coordinates need not be a real point: the curve is checked first.
    const QString coordinate32 = QString::fromLatin1(base64Url(QByteArray(32, '\x01')));
    QTest::newRow("P-256") << QJsonObject{{str("kty"), str("EC")},
                                          {str("crv"), str("P-256")},
                                          {str("x"), coordinate32},
                                          {str("y"), coordinate32}}
                           << str("P-256");
    QTest::newRow("OKP") << QJsonObject{{str("kty"), str("OKP")}, {str("crv"), str("Ed25519")}}
                         << str("OKP");
    QTest::newRow("no kty") << QJsonObject{{str("n"), str("AQAB")}} << str("kty");

    const QJsonObject rsa = m_rsa.publicJwk();
    QJsonObject wrongAlg = rsa;
    wrongAlg.insert(str("alg"), str("ES384"));
    QTest::newRow("alg mismatch") << wrongAlg << str("ES384");
    QJsonObject rs256 = rsa;
    rs256.insert(str("alg"), str("RS256"));
    QTest::newRow("RS256") << rs256 << str("RS256");
    QJsonObject encryption = rsa;
    encryption.insert(str("use"), str("enc"));
    QTest::newRow("use enc") << encryption << str("use");
    QJsonObject badN = rsa;
    badN.insert(str("n"), str("not base64url!"));
    QTest::newRow("bad n") << badN << str("\"n\"");
    QJsonObject noE = rsa;
    noE.remove(str("e"));
    QTest::newRow("no e") << noE << str("\"e\"");
    QJsonObject partialCrt = m_rsa.privateJwk();
    partialCrt.remove(str("qi"));
    QTest::newRow("partial CRT") << partialCrt << str("qi");

    QJsonObject shortX = m_ec.publicJwk();
    shortX.insert(str("x"), coordinate32);
    QTest::newRow("short x") << shortX << str("48");
    QJsonObject offCurve = m_ec.publicJwk();
    offCurve.insert(str("y"), QString::fromLatin1(base64Url(QByteArray(48, '\x07'))));
    QTest::newRow("off curve") << offCurve << str("point");

    // A 1024-bit RSA key from the CLI would need the binary; a made-up small modulus is enough
    // since the size check runs before any use of the key.
    QJsonObject small{{str("kty"), str("RSA")},
                      {str("n"), QString::fromLatin1(base64Url(QByteArray(128, '\xc3')))},
                      {str("e"), str("AQAB")}};
    QTest::newRow("RSA 1024") << small << str("2048");
}

void TestJwt::jwkRejected()
{
    QFETCH(QJsonObject, jwk);
    QFETCH(QString, expected);
    QString error;
    const Key key = Key::fromJwk(jwk, &error);
    QVERIFY(key.isNull());
    QVERIFY2(error.contains(expected), qPrintable(error));
    QVERIFY2(error.endsWith(QLatin1Char('.')) || error.endsWith(QLatin1Char(')')),
             qPrintable(error));
}

void TestJwt::inconsistentPrivateJwkRejected()
{
    // Public part of one key with the private scalar of another.
    QJsonObject mixed = m_ec.privateJwk();
    mixed.insert(str("d"), m_ec2.privateJwk().value(str("d")));
    QString error;
    QVERIFY(Key::fromJwk(mixed, &error).isNull());
    QVERIFY2(error.contains(str("inconsistent")), qPrintable(error));
    // The secret must not leak into the message.
    QVERIFY(!error.contains(mixed.value(str("d")).toString()));

    // OpenSSL signs with the CRT values, so the mismatch has to be in the public modulus.
    QJsonObject mixedRsa = m_rsa.privateJwk();
    mixedRsa.insert(str("n"), m_rsa2.publicJwk().value(str("n")));
    QVERIFY(Key::fromJwk(mixedRsa, &error).isNull());
    QVERIFY(!error.isEmpty());
}

void TestJwt::jwksRoundTrip()
{
    const QJsonObject set = jwks({m_rsa, Key(), m_ec});
    const QJsonArray keys = set.value(str("keys")).toArray();
    QCOMPARE(keys.size(), 2);
    for (const QJsonValue &value : keys)
        QVERIFY(!value.toObject().contains(str("d")));

    QString error;
    const QList<Key> loaded = keysFromJwks(set, &error);
    QCOMPARE(loaded.size(), 2);
    QCOMPARE(loaded.at(0).keyId(), str("rsa-1"));
    QCOMPARE(loaded.at(1).keyId(), str("ec-1"));
    QCOMPARE(loaded.at(1).algorithm(), JwtAlgorithm::ES384);
    QVERIFY(verifyJwt(*decodeJwt(signJwt(m_ec, {}, {})), loaded.at(1)));

    QJsonArray mixed{QJsonObject{{str("kty"), str("OKP")}}, str("not an object"), m_ec.publicJwk()};
    const QList<Key> usable = keysFromJwks(QJsonObject{{str("keys"), mixed}}, &error);
    QCOMPARE(usable.size(), 1);
    QCOMPARE(usable.at(0).keyId(), str("ec-1"));

    error.clear();
    mixed.removeLast();
    QVERIFY(keysFromJwks(QJsonObject{{str("keys"), mixed}}, &error).isEmpty());
    QVERIFY2(error.contains(str("no usable key")) && error.contains(str("OKP")), qPrintable(error));
    QVERIFY(keysFromJwks(QJsonObject{{str("keys"), QJsonArray()}}, &error).isEmpty());
    QVERIFY2(error.contains(str("empty")), qPrintable(error));
    QVERIFY(keysFromJwks(QJsonObject{}, &error).isEmpty());
    QVERIFY2(error.contains(str("keys")), qPrintable(error));
}

void TestJwt::pkcs8PemRoundTrip()
{
    QFETCH(QString, alg);
    const Key key = keyFor(alg);
    const QByteArray privatePem = key.privatePem();
    QVERIFY(privatePem.startsWith("-----BEGIN PRIVATE KEY-----\n"));
    const QByteArray publicPem = key.publicPem();
    QVERIFY(publicPem.startsWith("-----BEGIN PUBLIC KEY-----\n"));

    QString error;
    const Key reloaded = Key::fromPem(privatePem, &error);
    QVERIFY2(!reloaded.isNull(), qPrintable(error));
    QVERIFY(reloaded.isPrivate());
    QCOMPARE(reloaded.algorithm(), key.algorithm());
    QVERIFY(reloaded.keyId().isEmpty());
    QCOMPARE(reloaded.publicPem(), publicPem);

    const Key publicKey = Key::fromPem(publicPem, &error);
    QVERIFY2(!publicKey.isNull(), qPrintable(error));
    QVERIFY(!publicKey.isPrivate());
    QCOMPARE(publicKey.algorithm(), key.algorithm());

    const std::optional<Jwt> jwt = decodeJwt(signJwt(reloaded, {}, QJsonObject{{str("a"), 1}}));
    QVERIFY2(verifyJwt(*jwt, publicKey, &error), qPrintable(error));
    QVERIFY(verifyJwt(*jwt, key));
    QVERIFY(!verifyJwt(*jwt, Key::fromPem(otherKeyFor(alg).publicPem())));
}

void TestJwt::traditionalPem_data()
{
    QTest::addColumn<QString>("alg");
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QByteArray>("header");
    QTest::newRow("RSA") << str("RS384") << QStringList{str("genrsa"), str("-traditional")}
                         << QByteArray("-----BEGIN RSA PRIVATE KEY-----");
    QTest::newRow("EC") << str("ES384")
                        << QStringList{str("ecparam"), str("-name"), str("secp384r1"),
                                       str("-genkey"), str("-noout")}
                        << QByteArray("-----BEGIN EC PRIVATE KEY-----");
}

void TestJwt::traditionalPem()
{
    QFETCH(QString, alg);
    QFETCH(QStringList, args);
    QFETCH(QByteArray, header);
    if (m_openssl.isEmpty())
        QSKIP("The openssl command-line tool is not installed.");
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(str("key.pem"));
    QByteArray output;
    QCOMPARE(runOpenssl(args + QStringList{str("-out"), path}, &output), 0);
    const QByteArray pem = readFile(path);
    QVERIFY2(pem.startsWith(header), pem.left(40).constData());

    QString error;
    const Key key = Key::fromPem(pem, &error);
    QVERIFY2(!key.isNull(), qPrintable(error));
    QVERIFY(key.isPrivate());
    QCOMPARE(algorithmName(*key.algorithm()), alg);
    QVERIFY(key.privatePem().startsWith("-----BEGIN PRIVATE KEY-----"));

    const Key publicKey = Key::fromPem(key.publicPem(), &error);
    QVERIFY2(!publicKey.isNull(), qPrintable(error));
    const std::optional<Jwt> jwt = decodeJwt(signJwt(key, {}, QJsonObject{{str("a"), 1}}));
    QVERIFY2(verifyJwt(*jwt, publicKey, &error), qPrintable(error));
    QVERIFY(!verifyJwt(*jwt, keyFor(alg)));
}

void TestJwt::p256PemRejected()
{
    if (m_openssl.isEmpty())
        QSKIP("The openssl command-line tool is not installed.");
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(str("p256.pem"));
    QCOMPARE(runOpenssl({str("ecparam"), str("-name"), str("prime256v1"), str("-genkey"),
                         str("-noout"), str("-out"), path}),
             0);
    QString error;
    QVERIFY(Key::fromPem(readFile(path), &error).isNull());
    QCOMPARE(error, str("The key is an EC key on curve P-256; only P-384 (ES384) and RSA (RS384) "
                        "are supported."));
    QVERIFY(Key::fromBytes(readFile(path), &error).isNull());
    QVERIFY2(error.contains(str("P-256")), qPrintable(error));
}

void TestJwt::pemRejections()
{
    QString error;
    QVERIFY(Key::fromPem("not a key", &error).isNull());
    QVERIFY2(error.contains(str("PEM")), qPrintable(error));
    QVERIFY(Key::fromPem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", &error)
                .isNull());
    QVERIFY2(error.contains(str("readable")), qPrintable(error));
    QVERIFY(Key::fromPem("-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n"
                         "-----END ENCRYPTED PRIVATE KEY-----\n",
                         &error)
                .isNull());
    QVERIFY2(error.contains(str("encrypted")), qPrintable(error));
}

void TestJwt::fromBytesDetectsFormat()
{
    QString error;
    const Key fromPem = Key::fromBytes("\n" + m_ec.privatePem() + "\n", &error);
    QVERIFY2(!fromPem.isNull(), qPrintable(error));
    QVERIFY(fromPem.isPrivate());

    const QByteArray jwkBytes = QJsonDocument(m_rsa.publicJwk()).toJson();
    const Key fromJwk = Key::fromBytes(jwkBytes, &error);
    QVERIFY2(!fromJwk.isNull(), qPrintable(error));
    QCOMPARE(fromJwk.keyId(), str("rsa-1"));
    QVERIFY(!fromJwk.isPrivate());

    const QJsonObject set{
        {str("keys"), QJsonArray{m_rsa.publicJwk(), m_ec.privateJwk(), m_rsa2.privateJwk()}}};
    const Key firstPrivate = Key::fromBytes(QJsonDocument(set).toJson(), &error);
    QVERIFY2(!firstPrivate.isNull(), qPrintable(error));
    QCOMPARE(firstPrivate.keyId(), str("ec-1"));
    QVERIFY(firstPrivate.isPrivate());

    const QJsonObject publicSet{{str("keys"), QJsonArray{m_ec2.publicJwk(), m_rsa.publicJwk()}}};
    QCOMPARE(Key::fromBytes(QJsonDocument(publicSet).toJson(), &error).keyId(), str("ec-2"));

    QVERIFY(Key::fromBytes("", &error).isNull());
    QVERIFY2(error.contains(str("empty")), qPrintable(error));
    QVERIFY(Key::fromBytes("{\"kty\":", &error).isNull());
    QVERIFY2(error.contains(str("JSON")), qPrintable(error));
    QVERIFY(Key::fromBytes("hello", &error).isNull());
    QVERIFY2(error.contains(str("neither")), qPrintable(error));
    QVERIFY(Key::fromBytes("{\"keys\":[]}", &error).isNull());
    QVERIFY2(error.contains(str("empty")), qPrintable(error));
}

void TestJwt::decodeRejectsMalformed_data()
{
    QTest::addColumn<QByteArray>("compact");
    QTest::addColumn<QString>("expected");

    const QByteArray header = base64Url(R"({"alg":"RS384","typ":"JWT"})");
    const QByteArray claims = base64Url(R"({"sub":"x"})");
    const QByteArray signature = base64Url("sig");
    QTest::newRow("empty") << QByteArray() << str("three parts");
    QTest::newRow("one part") << header << str("has 1");
    QTest::newRow("two parts") << header + '.' + claims << str("has 2");
    QTest::newRow("four parts") << header + '.' + claims + '.' + signature + '.' + signature
                                << str("has 4");
    QTest::newRow("bad base64 header") << "e30!." + claims + '.' + signature << str("header");
    QTest::newRow("padded header") << header + "==." + claims + '.' + signature << str("header");
    QTest::newRow("standard alphabet claims")
        << header + '.' + base64Url("\xfb\xff").replace('-', '+') + '.' + signature
        << str("claims");
    QTest::newRow("bad base64 signature") << header + '.' + claims + ".ab+/" << str("signature");
    QTest::newRow("header array") << base64Url("[1,2]") + '.' + claims + '.' + signature
                                  << str("header");
    QTest::newRow("header not json")
        << base64Url("alg") + '.' + claims + '.' + signature << str("header");
    QTest::newRow("claims string")
        << header + '.' + base64Url("\"sub\"") + '.' + signature << str("claims");
    QTest::newRow("claims empty") << header + ".." + signature << str("claims");
}

void TestJwt::decodeRejectsMalformed()
{
    QFETCH(QByteArray, compact);
    QFETCH(QString, expected);
    QString error;
    QVERIFY(!decodeJwt(compact, &error));
    QVERIFY2(error.contains(expected), qPrintable(error));

    // Control: the well-formed token built from the same parts decodes.
    const QByteArray valid = base64Url(R"({"alg":"RS384"})") + '.' + base64Url("{}") + '.';
    const std::optional<Jwt> jwt = decodeJwt(valid);
    QVERIFY(jwt);
    QVERIFY(jwt->signature.isEmpty());
    QCOMPARE(jwt->header.value(str("alg")).toString(), str("RS384"));
}

void TestJwt::base64UrlEncoding()
{
    QCOMPARE(base64Url(QByteArray()), QByteArray());
    QCOMPARE(base64Url("f"), QByteArray("Zg"));
    QCOMPARE(base64Url("fo"), QByteArray("Zm8"));
    QCOMPARE(base64Url("foo"), QByteArray("Zm9v"));
    QCOMPARE(base64Url("foob"), QByteArray("Zm9vYg"));
    QCOMPARE(base64Url("\xfb\xff\xbf"), QByteArray("-_-_"));
    QCOMPARE(base64Url("\xfb\xff"), QByteArray("-_8"));

    QCOMPARE(fromBase64Url(""), QByteArray());
    QVERIFY(fromBase64Url("").has_value());
    QCOMPARE(fromBase64Url("Zg"), QByteArray("f"));
    QCOMPARE(fromBase64Url("Zm8"), QByteArray("fo"));
    QCOMPARE(fromBase64Url("Zm9v"), QByteArray("foo"));
    QCOMPARE(fromBase64Url("-_-_"), QByteArray("\xfb\xff\xbf"));

    QByteArray all(256, '\0');
    for (int i = 0; i < 256; ++i)
        all[i] = char(i);
    for (qsizetype length = 0; length <= all.size(); length += 17) {
        const QByteArray data = all.left(length);
        const QByteArray encoded = base64Url(data);
        QVERIFY(!encoded.contains('=') && !encoded.contains('+') && !encoded.contains('/'));
        QCOMPARE(fromBase64Url(encoded), data);
    }
}

void TestJwt::base64UrlRejects_data()
{
    QTest::addColumn<QByteArray>("encoded");
    QTest::newRow("padding") << QByteArray("Zg==");
    QTest::newRow("single padding") << QByteArray("Zm8=");
    QTest::newRow("plus") << QByteArray("+_8");
    QTest::newRow("slash") << QByteArray("-/8");
    QTest::newRow("space") << QByteArray("Zm 9v");
    QTest::newRow("newline") << QByteArray("Zm9v\n");
    QTest::newRow("dot") << QByteArray("Zm.9v");
    QTest::newRow("non-ascii") << QByteArray("Zm\xc3\xa9v");
    QTest::newRow("length 1 mod 4") << QByteArray("Zm9vY");
    QTest::newRow("single char") << QByteArray("Z");
    QTest::newRow("non-canonical bits") << QByteArray("Zh");
    QTest::newRow("non-canonical bits 2") << QByteArray("Zm9");
}

void TestJwt::base64UrlRejects()
{
    QFETCH(QByteArray, encoded);
    QVERIFY(!fromBase64Url(encoded));
}

void TestJwt::clientAssertion()
{
    QFETCH(QString, alg);
    const Key key = keyFor(alg);
    const QString clientId = str("demo-client");
    const QString tokenUrl = str("http://127.0.0.1:8080/auth/token");
    const qint64 now = 1700000000;
    QString error;

    const QByteArray assertion = makeClientAssertion(key, clientId, tokenUrl, 300, now, &error);
    QVERIFY2(!assertion.isEmpty(), qPrintable(error));
    const std::optional<Jwt> jwt = decodeJwt(assertion, &error);
    QVERIFY2(jwt, qPrintable(error));
    QVERIFY2(verifyJwt(*jwt, Key::fromJwk(key.publicJwk()), &error), qPrintable(error));

    QCOMPARE(jwt->header.value(str("alg")).toString(), alg);
    QCOMPARE(jwt->header.value(str("kid")).toString(), key.keyId());
    QCOMPARE(jwt->header.value(str("typ")).toString(), str("JWT"));

    const QJsonObject &claims = jwt->claims;
    QCOMPARE(claims.value(str("iss")).toString(), clientId);
    QCOMPARE(claims.value(str("sub")).toString(), clientId);
    QCOMPARE(claims.value(str("aud")).toString(), tokenUrl);
    QCOMPARE(claims.value(str("iat")).toInteger(), now);
    QCOMPARE(claims.value(str("exp")).toInteger(), now + 300);
    // Integer JSON numbers, not 1.7e+09.
    const QByteArray claimsJson = *fromBase64Url(assertion.split('.').at(1));
    QVERIFY2(claimsJson.contains("\"iat\":1700000000"), claimsJson.constData());
    QVERIFY2(claimsJson.contains("\"exp\":1700000300"), claimsJson.constData());
    static const QRegularExpression hex64(str("^[0-9a-f]{64}$"));
    const QString jti = claims.value(str("jti")).toString();
    QVERIFY2(hex64.match(jti).hasMatch(), qPrintable(jti));

    const std::optional<Jwt> second =
        decodeJwt(makeClientAssertion(key, clientId, tokenUrl, 300, now));
    QVERIFY(second);
    QVERIFY(hex64.match(second->claims.value(str("jti")).toString()).hasMatch());
    QVERIFY(second->claims.value(str("jti")).toString() != jti);

    const auto lifetime = [&](int requested) {
        const std::optional<Jwt> token =
            decodeJwt(makeClientAssertion(key, clientId, tokenUrl, requested, now));
        return token ? token->claims.value(str("exp")).toInteger() - now : -1;
    };
    QCOMPARE(lifetime(600), 300);
    QCOMPARE(lifetime(60), 60);
    QVERIFY(lifetime(0) >= 1 && lifetime(0) <= 300);

    const qint64 before = QDateTime::currentSecsSinceEpoch();
    const std::optional<Jwt> current = decodeJwt(makeClientAssertion(key, clientId, tokenUrl));
    const qint64 after = QDateTime::currentSecsSinceEpoch();
    QVERIFY(current);
    const qint64 iat = current->claims.value(str("iat")).toInteger();
    QVERIFY(iat >= before && iat <= after);
    const qint64 exp = current->claims.value(str("exp")).toInteger();
    QVERIFY(exp > iat && exp - iat <= 300);
}

void TestJwt::clientAssertionErrors()
{
    QString error;
    const QString url = str("https://example.invalid/token");
    QVERIFY(makeClientAssertion(m_ec, QString(), url, 300, {}, &error).isEmpty());
    QVERIFY2(error.contains(str("client ID")), qPrintable(error));
    QVERIFY(makeClientAssertion(m_ec, str("c"), QString(), 300, {}, &error).isEmpty());
    QVERIFY2(error.contains(str("token endpoint")), qPrintable(error));
    Key noKid = m_ec;
    noKid.setKeyId(QString());
    QVERIFY(makeClientAssertion(noKid, str("c"), url, 300, {}, &error).isEmpty());
    QVERIFY2(error.contains(str("key ID")), qPrintable(error));
    QVERIFY(makeClientAssertion(Key::fromJwk(m_ec.publicJwk()), str("c"), url, 300, {}, &error)
                .isEmpty());
    QVERIFY2(error.contains(str("private")), qPrintable(error));
    QVERIFY(makeClientAssertion(Key(), str("c"), url, 300, {}, &error).isEmpty());
    QVERIFY(!error.isEmpty());
}

void TestJwt::opensslVerifiesOurSignatures_data()
{
    QTest::addColumn<QString>("alg");
    QTest::addColumn<bool>("cliKey");
    QTest::newRow("RS384 generated key") << str("RS384") << false;
    QTest::newRow("ES384 generated key") << str("ES384") << false;
    QTest::newRow("RS384 openssl key") << str("RS384") << true;
    QTest::newRow("ES384 openssl key") << str("ES384") << true;
}

void TestJwt::opensslVerifiesOurSignatures()
{
    QFETCH(QString, alg);
    QFETCH(bool, cliKey);
    if (m_openssl.isEmpty())
        QSKIP("The openssl command-line tool is not installed.");
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString pubPath = dir.filePath(str("pub.pem"));
    const QString inputPath = dir.filePath(str("input.txt"));
    const QString sigPath = dir.filePath(str("sig.bin"));

    Key key = keyFor(alg);
    if (cliKey) {
        // Key and public key both come from the CLI, so our PEM writer is not involved.
        const QString keyPath = dir.filePath(str("key.pem"));
        const QStringList genArgs =
            alg == str("RS384") ? QStringList{str("genpkey"), str("-algorithm"), str("RSA"),
                                              str("-pkeyopt"), str("rsa_keygen_bits:2048")}
                                : QStringList{str("genpkey"), str("-algorithm"), str("EC"),
                                              str("-pkeyopt"), str("ec_paramgen_curve:P-384")};
        QCOMPARE(runOpenssl(genArgs + QStringList{str("-out"), keyPath}), 0);
        QCOMPARE(
            runOpenssl({str("pkey"), str("-in"), keyPath, str("-pubout"), str("-out"), pubPath}),
            0);
        QString error;
        key = Key::fromPem(readFile(keyPath), &error);
        QVERIFY2(!key.isNull(), qPrintable(error));
        key.setKeyId(str("cli"));
    } else {
        QVERIFY(writeFile(pubPath, key.publicPem()));
    }

    const QByteArray token =
        signJwt(key, {}, QJsonObject{{str("iss"), str("openssl-check")}, {str("n"), 42}});
    const std::optional<Jwt> jwt = decodeJwt(token);
    QVERIFY(jwt);
    QByteArray signature = jwt->signature;
    if (alg == str("ES384")) {
        QCOMPARE(signature.size(), 96);
        signature = rawEcdsaToDer(signature);
    }
    QVERIFY(writeFile(inputPath, jwt->signingInput));
    QVERIFY(writeFile(sigPath, signature));

    const QStringList verifyArgs{str("dgst"),       str("-sha384"), str("-verify"), pubPath,
                                 str("-signature"), sigPath,        inputPath};
    QByteArray output;
    QCOMPARE(runOpenssl(verifyArgs, &output), 0);
    QVERIFY2(output.contains("Verified OK"), output.constData());

    QByteArray tampered = jwt->signingInput;
    tampered[tampered.size() - 1] = tampered.at(tampered.size() - 1) == 'A' ? 'B' : 'A';
    QVERIFY(writeFile(inputPath, tampered));
    QVERIFY(runOpenssl(verifyArgs, &output) != 0);
    QVERIFY2(!output.contains("Verified OK"), output.constData());
}

void TestJwt::weVerifyOpensslSignatures()
{
    QFETCH(QString, alg);
    if (m_openssl.isEmpty())
        QSKIP("The openssl command-line tool is not installed.");
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const Key key = keyFor(alg);
    const QString keyPath = dir.filePath(str("key.pem"));
    const QString inputPath = dir.filePath(str("input.txt"));
    const QString sigPath = dir.filePath(str("sig.bin"));

    const QByteArray header =
        base64Url(QJsonDocument(QJsonObject{{str("alg"), alg}, {str("typ"), str("JWT")}})
                      .toJson(QJsonDocument::Compact));
    const QByteArray claims = base64Url(R"({"iss":"signed-by-openssl"})");
    const QByteArray signingInput = header + '.' + claims;
    QVERIFY(writeFile(keyPath, key.privatePem()));
    QVERIFY(writeFile(inputPath, signingInput));
    QCOMPARE(runOpenssl({str("dgst"), str("-sha384"), str("-sign"), keyPath, str("-out"), sigPath,
                         inputPath}),
             0);
    QByteArray signature = readFile(sigPath);
    if (alg == str("ES384")) {
        signature = derEcdsaToRaw(signature);
        QCOMPARE(signature.size(), 96);
    }
    QString error;
    const std::optional<Jwt> jwt = decodeJwt(signingInput + '.' + base64Url(signature), &error);
    QVERIFY2(jwt, qPrintable(error));
    QVERIFY2(verifyJwt(*jwt, Key::fromPem(key.publicPem()), &error), qPrintable(error));
    QVERIFY(!verifyJwt(*jwt, otherKeyFor(alg)));
}

QTEST_GUILESS_MAIN(TestJwt)
#include "tst_Jwt.moc"
