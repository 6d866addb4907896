// FhirError: OperationOutcome parsing, excerpts of non-FHIR bodies, sentences for people, and
// redactSecrets, which every log line and message goes through.

#include "fhir/FhirClient.h"
#include "fhir/FhirError.h"

#include <QElapsedTimer>
#include <QTest>

using namespace cohort::fhir;
using namespace Qt::StringLiterals;

class TestFhirError : public QObject
{
    Q_OBJECT

private slots:
    void outcomeDiagnostics();
    void outcomeFallbacks();
    void notAnOutcome_data();
    void notAnOutcome();
    void fromHttpResponseWithOutcome();
    void htmlExcerpt();
    void excerptIsCapped();
    void oauthErrorExcerpt();
    void messages_data();
    void messages();
    void messageNeverLeaksTokens();
    void isTransient();
    void redact_data();
    void redact();
};

void TestFhirError::outcomeDiagnostics()
{
    const QByteArray body = R"({"resourceType":"OperationOutcome","issue":[
        {"severity":"error","code":"not-found","diagnostics":"Group 'x' does not exist."},
        {"severity":"warning","code":"informational","diagnostics":"  second  "}]})";
    const auto issues = parseOperationOutcome(body);
    QVERIFY(issues);
    QCOMPARE(issues->size(), 2);
    QCOMPARE(issues->at(0).severity, u"error"_s);
    QCOMPARE(issues->at(0).code, u"not-found"_s);
    QCOMPARE(issues->at(0).text, u"Group 'x' does not exist."_s);
    QCOMPARE(issues->at(1).text, u"second"_s);
}

void TestFhirError::outcomeFallbacks()
{
    const QByteArray body = R"({"resourceType":"OperationOutcome","issue":[
        {"severity":"fatal","code":"exception","details":{"text":"From details.text",
            "coding":[{"display":"not used"}]}},
        {"severity":"error","code":"processing","details":{"coding":[{"code":"x"},
            {"display":"From a coding display"}]}},
        {"severity":"error","code":"invalid"}]})";
    const auto issues = parseOperationOutcome(body);
    QVERIFY(issues);
    QCOMPARE(issues->size(), 3);
    QCOMPARE(issues->at(0).text, u"From details.text"_s);
    QCOMPARE(issues->at(1).text, u"From a coding display"_s);
    QCOMPARE(issues->at(2).text, QString());
    QCOMPARE(issues->at(2).code, u"invalid"_s);
}

void TestFhirError::notAnOutcome_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("html") << QByteArray("<html><body>502 Bad Gateway</body></html>");
    QTest::newRow("json array") << QByteArray(R"([{"resourceType":"OperationOutcome"}])");
    QTest::newRow("other resource") << QByteArray(R"({"resourceType":"Patient","id":"p"})");
    QTest::newRow("truncated") << QByteArray(R"({"resourceType":"OperationOutcome","iss)");
}

void TestFhirError::notAnOutcome()
{
    QFETCH(QByteArray, body);
    QVERIFY(!parseOperationOutcome(body).has_value());
}

void TestFhirError::fromHttpResponseWithOutcome()
{
    const FhirError e = FhirError::fromHttpResponse(
        404,
        R"({"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"not-found","diagnostics":"Group 'x' does not exist."}]})",
        QUrl(u"http://h/fhir/Group/x?_secret=abc"_s));
    QCOMPARE(e.kind, FhirError::Kind::Http);
    QCOMPARE(e.httpStatus, 404);
    QCOMPARE(e.issues.size(), 1);
    QVERIFY(e.bodyExcerpt.isEmpty());
    QCOMPARE(e.url, QUrl(u"http://h/fhir/Group/x"_s));
    QCOMPARE(e.message(), u"The server answered 404 (Not Found): Group 'x' does not exist."_s);
    QVERIFY(e.isError());
}

void TestFhirError::htmlExcerpt()
{
    const QByteArray html = "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title>"
                            "<style>body { color: red; }</style>"
                            "<script>var secret = 1;</script></head>\n"
                            "<body>\n  <h1>502   Bad Gateway</h1>\n<!-- upstream: 10.0.0.3 -->"
                            "<p>The upstream &amp; its proxy &lt;nginx&gt; failed&#33;</p>"
                            "<hr><center>nginx/1.25</center></body></html>";
    const FhirError e = FhirError::fromHttpResponse(502, html, QUrl(u"https://h/fhir/x"_s));
    QCOMPARE(e.kind, FhirError::Kind::Http);
    QVERIFY(e.issues.isEmpty());
    QCOMPARE(e.bodyExcerpt,
             u"502 Bad Gateway The upstream & its proxy <nginx> failed! nginx/1.25"_s);
    QVERIFY(!e.bodyExcerpt.contains(u"color"_s));
    QVERIFY(!e.bodyExcerpt.contains(u"secret"_s));
    QVERIFY(!e.bodyExcerpt.contains(u"10.0.0.3"_s));
    QCOMPARE(e.message(), u"The server answered 502 (Bad Gateway): 502 Bad Gateway The upstream & "
                          "its proxy <nginx> failed! nginx/1.25."_s);
    // A page with nothing but a title still says something.
    QCOMPARE(bodyExcerptOf("<html><head><title>Service Unavailable</title></head><body></body>"),
             u"Service Unavailable"_s);
    QCOMPARE(bodyExcerptOf("plain text\r\n\twith   spaces"), u"plain text with spaces"_s);
}

void TestFhirError::excerptIsCapped()
{
    QByteArray html = "<html><body><p>";
    for (int i = 0; i < 2000; ++i)
        html += "word" + QByteArray::number(i) + ' ';
    html += "</p></body></html>";
    const QString excerpt = bodyExcerptOf(html);
    QVERIFY2(excerpt.size() <= 300, qPrintable(QString::number(excerpt.size())));
    QVERIFY(excerpt.size() > 200);
    QVERIFY(excerpt.startsWith(u"word0 word1 "_s));
    QVERIFY(excerpt.endsWith(u'\u2026'));
    QVERIFY(!excerpt.contains(u'<'));
    // Many megabytes of markup do not take long either.
    QByteArray huge(8 * 1024 * 1024, 'x');
    huge.prepend("<html><body>");
    QElapsedTimer timer;
    timer.start();
    QVERIFY(bodyExcerptOf(huge).size() <= 300);
    QVERIFY(timer.elapsed() < 5000);
}

void TestFhirError::oauthErrorExcerpt()
{
    const FhirError e = FhirError::fromHttpResponse(
        400, R"({"error":"invalid_client","error_description":"The assertion has expired."})");
    QCOMPARE(e.bodyExcerpt, u"The assertion has expired. (invalid_client)"_s);
}

void TestFhirError::messages_data()
{
    QTest::addColumn<FhirError>("error");
    QTest::addColumn<QString>("expected");

    FhirError e;
    e.kind = FhirError::Kind::Http;
    e.httpStatus = 500;
    e.issues = {{u"fatal"_s, u"exception"_s, u"The export failed"_s},
                {u"information"_s, u"informational"_s, u"Job 12 stopped."_s}};
    QTest::newRow("500 fatal") << e
                               << u"The server answered 500 (Internal Server Error): The export "
                                  "failed."_s;

    e = {};
    e.kind = FhirError::Kind::Http;
    e.httpStatus = 503;
    QTest::newRow("no body") << e << u"The server answered 503 (Service Unavailable)."_s;

    e.httpStatus = 599;
    e.bodyExcerpt = u"Custom gateway page"_s;
    QTest::newRow("unknown status") << e << u"The server answered 599: Custom gateway page."_s;

    e = {};
    e.kind = FhirError::Kind::Http;
    e.httpStatus = 422;
    e.issues = {{u"error"_s, u"invalid"_s, QString()}};
    QTest::newRow("code only") << e
                               << u"The server answered 422 (Unprocessable Content): invalid."_s;

    e = {};
    e.kind = FhirError::Kind::Network;
    e.networkError = QNetworkReply::ConnectionRefusedError;
    e.detail = u"Connection refused"_s;
    e.url = QUrl(u"http://127.0.0.1:1234/fhir/metadata"_s);
    QTest::newRow("refused") << e << u"Could not connect to 127.0.0.1:1234: Connection refused."_s;

    e.networkError = QNetworkReply::RemoteHostClosedError;
    e.detail = u"The connection closed after 10 of 20 bytes."_s;
    e.url = QUrl(u"https://example.org/files/1.ndjson"_s);
    QTest::newRow("truncated") << e
                               << u"The connection to example.org:443 was interrupted: The "
                                  "connection closed after 10 of 20 bytes."_s;

    e = {};
    e.kind = FhirError::Kind::Timeout;
    e.detail = u"No data arrived for 60 seconds."_s;
    QTest::newRow("timeout") << e
                             << u"The server did not answer in time: No data arrived for 60 "
                                "seconds."_s;

    e = {};
    e.kind = FhirError::Kind::Tls;
    e.url = QUrl(u"https://example.org/fhir"_s);
    e.detail = u"The issuer certificate of a locally looked up certificate could not be found "
               "(certificate example.org, issuer Private CA)"_s;
    QTest::newRow("tls certificate")
        << e
        << u"The TLS certificate of example.org is not trusted: The issuer certificate of a "
           "locally looked up certificate could not be found (certificate example.org, issuer "
           "Private CA). Add the server's CA certificate to the profile."_s;

    e.detail = u"Unsupported protocol"_s;
    QTest::newRow("tls handshake")
        << e << u"The secure connection to example.org:443 failed: Unsupported protocol."_s;

    e = {};
    e.kind = FhirError::Kind::Cancelled;
    QTest::newRow("cancelled") << e << u"The request was cancelled."_s;

    e = {};
    e.kind = FhirError::Kind::Auth;
    e.detail = u"The token endpoint refused the client"_s;
    QTest::newRow("auth") << e
                          << u"No access token could be obtained: The token endpoint refused the "
                             "client."_s;

    e = {};
    e.kind = FhirError::Kind::InvalidResponse;
    e.detail = u"The manifest is not JSON."_s;
    QTest::newRow("invalid") << e
                             << u"The server sent an answer that could not be read: The manifest "
                                "is not JSON."_s;
}

void TestFhirError::messages()
{
    QFETCH(FhirError, error);
    QFETCH(QString, expected);
    QCOMPARE(error.message(), expected);
}

void TestFhirError::messageNeverLeaksTokens()
{
    FhirError e;
    e.kind = FhirError::Kind::Http;
    e.httpStatus = 401;
    e.issues = {{u"error"_s, u"login"_s, u"Token Bearer abc.def-123 was refused"_s}};
    QVERIFY(!e.message().contains(u"abc.def-123"_s));
    QVERIFY(e.message().contains(u"[redacted]"_s));
    e = {};
    e.kind = FhirError::Kind::Auth;
    e.detail = u"access_token=s3cr3t rejected"_s;
    QVERIFY(!e.message().contains(u"s3cr3t"_s));
}

void TestFhirError::isTransient()
{
    FhirError e = FhirError::fromHttpResponse(
        503,
        R"({"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"transient","diagnostics":"Try again."}]})");
    QVERIFY(e.isTransient());
    e = FhirError::fromHttpResponse(
        500,
        R"({"resourceType":"OperationOutcome","issue":[{"severity":"fatal","code":"exception"}]})");
    QVERIFY(!e.isTransient());
    QVERIFY(!FhirError().isTransient());
    QVERIFY(!FhirError().isError());
}

void TestFhirError::redact_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("expected");
    const QString jwt =
        u"eyJhbGciOiJFUzM4NCIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJjbGllbnQifQ.c2lnbmF0dXJl"_s;
    QTest::newRow("bearer header")
        << u"Authorization: Bearer 0a1b2c3d4e5f"_s << u"Authorization: Bearer [redacted]"_s;
    QTest::newRow("bearer lower case")
        << u"sent bearer abc~+/defgh=="_s << u"sent bearer [redacted]"_s;
    QTest::newRow("jwt alone") << u"assertion was "_s + jwt + u" ok"_s
                               << u"assertion was [redacted] ok"_s;
    QTest::newRow("access_token json")
        << uR"({"access_token":"abc123","token_type":"bearer","expires_in":300})"_s
        << uR"({"access_token":"[redacted]","token_type":"bearer","expires_in":300})"_s;
    QTest::newRow("access_token spaced")
        << uR"("access_token" : "x-y.z")"_s << uR"("access_token" : "[redacted]")"_s;
    QTest::newRow("client_secret form")
        << u"grant_type=client_credentials&client_secret=hunter2&scope=system/*.rs"_s
        << u"grant_type=client_credentials&client_secret=[redacted]&scope=system/*.rs"_s;
    QTest::newRow("client_assertion form")
        << u"client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
           "&client_assertion="_s +
               jwt
        << u"client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
           "&client_assertion=[redacted]"_s;
    QTest::newRow("basic auth") << u"Authorization: Basic dXNlcjpwYXNz"_s
                                << u"Authorization: Basic [redacted]"_s;
    QTest::newRow("harmless") << u"GET http://127.0.0.1:80/fhir/Group?name=Basic -> 200 (3 ms)"_s
                              << u"GET http://127.0.0.1:80/fhir/Group?name=Basic -> 200 (3 ms)"_s;
    QTest::newRow("plain words") << u"The bearer of bad news"_s << u"The bearer of bad news"_s;
}

void TestFhirError::redact()
{
    QFETCH(QString, input);
    QFETCH(QString, expected);
    QCOMPARE(redactSecrets(input), expected);
}

QTEST_GUILESS_MAIN(TestFhirError)
#include "tst_FhirError.moc"
