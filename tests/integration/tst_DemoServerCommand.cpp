// `cohort-export demo-server` as a separate process: first line is the base URL, it serves
// real HTTP, stops cleanly on SIGINT/SIGTERM, and refuses bad options with a clear message.

#include "TestHttp.h"
#include "auth/Jwk.h"
#include "auth/Jwt.h"
#include "demo/DemoServerOptions.h"

#include <QJsonArray>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>

#ifdef Q_OS_UNIX
#include <csignal>
#endif

using namespace cohort;
using namespace cohort::test;
using namespace Qt::StringLiterals;

class TestDemoServerCommand : public QObject
{
    Q_OBJECT

private:
    // Starts the server and returns its base URL (empty on failure).
    QUrl start(QProcess &process, const QStringList &extra)
    {
        process.start(QStringLiteral(COHORT_EXE),
                      QStringList{u"demo-server"_s, u"--port"_s, u"0"_s, u"--patients"_s, u"15"_s,
                                  u"--export-seconds"_s, u"0"_s} +
                          extra);
        if (!process.waitForStarted(10000))
            return {};
        QByteArray out;
        QSignalSpy spy(&process, &QProcess::readyReadStandardOutput);
        while (!out.contains('\n')) {
            if (process.state() != QProcess::Running || !spy.wait(20000))
                return {};
            out += process.readAllStandardOutput();
        }
        return QUrl(QString::fromUtf8(out.left(out.indexOf('\n'))));
    }
    struct Outcome
    {
        int exitCode = -1;
        QByteArray out, err;
    };
    Outcome runToEnd(const QStringList &args)
    {
        QProcess p;
        p.start(QStringLiteral(COHORT_EXE), args);
        Outcome o;
        if (!p.waitForFinished(30000))
            return o;
        o.exitCode = p.exitCode();
        o.out = p.readAllStandardOutput();
        o.err = p.readAllStandardError();
        return o;
    }

    Http m_http;

private slots:
    void printsBaseUrlAndServes();
    void stopsOnSignal_data();
    void stopsOnSignal();
    void helpListsEveryFault();
    void rejectsBadOptions_data();
    void rejectsBadOptions();
    void withAuthAndFault();
    void withClientSecret();
    void versionAndUnknownCommand();
};

void TestDemoServerCommand::printsBaseUrlAndServes()
{
    QProcess p;
    const QUrl base = start(p, {});
    QVERIFY2(base.isValid() && !base.isEmpty(), p.readAllStandardError().constData());
    QCOMPARE(base.host(), u"127.0.0.1"_s);
    QVERIFY(base.port() > 0);
    QCOMPARE(base.path(), u"/fhir"_s);
    const Reply r = m_http.get(QUrl(base.toString() + u"/metadata"_s));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json().value("fhirVersion"_L1).toString(), u"4.0.1"_s);
    const Reply groups = m_http.get(QUrl(base.toString() + u"/Group"_s));
    QVERIFY(groups.json().value("total"_L1).toInt() >= 6);
    p.terminate();
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QCOMPARE(p.exitCode(), 0);
}

void TestDemoServerCommand::stopsOnSignal_data()
{
    QTest::addColumn<int>("signalNumber");
#ifdef Q_OS_UNIX
    QTest::newRow("SIGINT") << int(SIGINT);
    QTest::newRow("SIGTERM") << int(SIGTERM);
#endif
}

void TestDemoServerCommand::stopsOnSignal()
{
#ifdef Q_OS_UNIX
    QFETCH(int, signalNumber);
    QProcess p;
    const QUrl base = start(p, {});
    QVERIFY(!base.isEmpty());
    ::kill(pid_t(p.processId()), signalNumber);
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QCOMPARE(p.exitCode(), 0);
    // The port is closed afterwards.
    const Reply r = m_http.get(QUrl(base.toString() + u"/metadata"_s));
    QCOMPARE(r.error, QNetworkReply::ConnectionRefusedError);
#else
    QSKIP("signals are Unix-only");
#endif
}

void TestDemoServerCommand::helpListsEveryFault()
{
    const Outcome o = runToEnd({u"demo-server"_s, u"--help"_s});
    QCOMPARE(o.exitCode, 0);
    const QString help = QString::fromUtf8(o.out);
    for (const auto &fault : demo::allFaults()) {
        QVERIFY2(help.contains(fault.name), qPrintable(fault.name));
        QVERIFY2(help.contains(fault.description.left(30)), qPrintable(fault.name));
    }
    for (const char *option :
         {"--port", "--patients", "--seed", "--export-seconds", "--auth", "--client-id", "--jwks",
          "--client-secret-env", "--token-lifetime", "--fault"})
        QVERIFY2(help.contains(QLatin1String(option)), option);
}

void TestDemoServerCommand::rejectsBadOptions_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("unknown fault") << QStringList{u"--fault"_s, u"meteor"_s} << u"meteor"_s;
    QTest::newRow("bad port") << QStringList{u"--port"_s, u"70000"_s} << u"--port"_s;
    QTest::newRow("bad patients") << QStringList{u"--patients"_s, u"many"_s} << u"--patients"_s;
    QTest::newRow("auth without key") << QStringList{u"--auth"_s} << u"--client-id"_s;
    QTest::newRow("auth with id only")
        << QStringList{u"--auth"_s, u"--client-id"_s, u"x"_s} << u"--client-secret-env"_s;
    QTest::newRow("secret variable unset")
        << QStringList{u"--auth"_s, u"--client-id"_s, u"x"_s, u"--client-secret-env"_s,
                       u"COHORT_TEST_UNSET_SECRET"_s}
        << u"COHORT_TEST_UNSET_SECRET is not set"_s;
    QTest::newRow("secret without auth")
        << QStringList{u"--client-secret-env"_s, u"PATH"_s} << u"only make sense with --auth"_s;
    QTest::newRow("missing jwks") << QStringList{u"--auth"_s, u"--client-id"_s, u"x"_s, u"--jwks"_s,
                                                 u"/nonexistent/keys.json"_s}
                                  << u"/nonexistent/keys.json"_s;
}

void TestDemoServerCommand::rejectsBadOptions()
{
    QFETCH(QStringList, args);
    QFETCH(QString, mentions);
    const Outcome o = runToEnd(QStringList{u"demo-server"_s} + args);
    QCOMPARE(o.exitCode, 1);
    QVERIFY(o.out.isEmpty());
    QVERIFY2(QString::fromUtf8(o.err).contains(mentions), o.err.constData());
}

void TestDemoServerCommand::withAuthAndFault()
{
    QString error;
    const auth::Key key = auth::Key::generate(auth::JwtAlgorithm::ES384, u"cli-key"_s, &error);
    QVERIFY2(!key.isNull(), qPrintable(error));
    QTemporaryDir dir;
    QFile jwks(dir.filePath(u"jwks.json"_s));
    QVERIFY(jwks.open(QIODevice::WriteOnly));
    jwks.write(QJsonDocument(auth::jwks({key})).toJson());
    jwks.close();

    QProcess p;
    const QUrl base =
        start(p, {u"--auth"_s, u"--client-id"_s, u"cli-client"_s, u"--jwks"_s, jwks.fileName(),
                  u"--token-lifetime"_s, u"120"_s, u"--fault"_s, u"kickoff-429"_s});
    QVERIFY2(!base.isEmpty(), p.readAllStandardError().constData());
    const QUrl tokenUrl(base.toString() + u"/auth/token"_s);
    QUrlQuery form;
    form.addQueryItem(u"grant_type"_s, u"client_credentials"_s);
    form.addQueryItem(u"scope"_s, u"system/*.read"_s);
    form.addQueryItem(u"client_assertion_type"_s,
                      u"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"_s);
    form.addQueryItem(u"client_assertion"_s, QString::fromLatin1(auth::makeClientAssertion(
                                                 key, u"cli-client"_s, tokenUrl.toString())));
    const Reply token = m_http.post(tokenUrl, form.toString(QUrl::FullyEncoded).toUtf8(),
                                    {{"Content-Type", "application/x-www-form-urlencoded"}});
    QCOMPARE(token.status, 200);
    QCOMPARE(token.json().value("expires_in"_L1).toInt(), 120);
    const QByteArray bearer =
        "Bearer " + token.json().value("access_token"_L1).toString().toLatin1();
    QCOMPARE(m_http.get(QUrl(base.toString() + u"/Group"_s)).status, 401);
    const QUrl kick(base.toString() + u"/$export"_s);
    QCOMPARE(m_http.get(kick, Headers{{"Authorization", bearer}} + kickoffHeaders()).status, 429);
    QCOMPARE(m_http.get(kick, Headers{{"Authorization", bearer}} + kickoffHeaders()).status, 202);
    p.terminate();
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitCode(), 0);
}

void TestDemoServerCommand::withClientSecret()
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"COHORT_TEST_DEMO_SECRET"_s, u"s3cret: with+odd/chars"_s);
    p.setProcessEnvironment(env);
    const QUrl base = start(p, {u"--auth"_s, u"--client-id"_s, u"secret-client"_s,
                                u"--client-secret-env"_s, u"COHORT_TEST_DEMO_SECRET"_s});
    QVERIFY2(!base.isEmpty(), p.readAllStandardError().constData());
    const Reply smart = m_http.get(QUrl(base.toString() + u"/.well-known/smart-configuration"_s));
    QVERIFY(smart.json()
                .value("token_endpoint_auth_methods_supported"_L1)
                .toArray()
                .contains(u"client_secret_basic"_s));
    const QUrl tokenUrl(base.toString() + u"/auth/token"_s);
    auto basic = [](const QString &id, const QString &secret) {
        return "Basic " +
               (QUrl::toPercentEncoding(id) + ':' + QUrl::toPercentEncoding(secret)).toBase64();
    };
    const QByteArray form = "grant_type=client_credentials&scope=system%2F%2A.read";
    const Headers formType{{"Content-Type", "application/x-www-form-urlencoded"}};
    const Reply good =
        m_http.post(tokenUrl, form,
                    formType + Headers{{"Authorization",
                                        basic(u"secret-client"_s, u"s3cret: with+odd/chars"_s)}});
    QCOMPARE(good.status, 200);
    QVERIFY(!good.json().value("access_token"_L1).toString().isEmpty());
    const Reply bad =
        m_http.post(tokenUrl, form,
                    formType + Headers{{"Authorization", basic(u"secret-client"_s, u"nope"_s)}});
    QCOMPARE(bad.status, 401);
    QCOMPARE(bad.json().value("error"_L1).toString(), u"invalid_client"_s);
    // Without any client authentication the server says what it wants.
    const Reply none = m_http.post(tokenUrl, form, formType);
    QCOMPARE(none.status, 401);
    QCOMPARE(none.json().value("error"_L1).toString(), u"invalid_client"_s);
    p.terminate();
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitCode(), 0);
}

void TestDemoServerCommand::versionAndUnknownCommand()
{
    const Outcome v = runToEnd({u"--version"_s});
    QCOMPARE(v.exitCode, 0);
    QCOMPARE(v.out.trimmed(), QByteArray("cohort-export " COHORT_VERSION));
    const Outcome u = runToEnd({u"frobnicate"_s});
    QCOMPARE(u.exitCode, 1);
    QVERIFY(u.err.contains("unknown command 'frobnicate'"));
}

QTEST_GUILESS_MAIN(TestDemoServerCommand)
#include "tst_DemoServerCommand.moc"
