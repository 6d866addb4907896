<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1">
<context>
    <name>Base64StreamDecoder</name>
    <message>
        <source>The base64 data has an invalid character (code %1) at position %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The base64 data continues after its final padding (position %1).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The base64 data has misplaced padding at position %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The base64 data ends with incomplete padding.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The base64 data ends with a lone character.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>BinaryResourceDecoder</name>
    <message>
        <source>The answer is not a JSON object.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The answer has data after the end of the JSON object.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The Binary resource has more than one data member.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The Binary data is not valid base64: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The answer has an invalid \u escape in a string.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The Binary data is not valid base64: it holds a non-ASCII character.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The answer has an invalid escape in a string.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The Binary resource ended early (incomplete JSON).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The answer is JSON but not a FHIR resource.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server answered with a %1 resource instead of the file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The Binary resource has no data.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>GzipInflater</name>
    <message>
        <source>The decompressor could not be initialised.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The compressed data is corrupt (%1).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>NdjsonLineChecker</name>
    <message>
        <source>%1: line %2 is %3 bytes long, over the limit of %4 bytes; it was not checked.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: the file has %2 resources, but the manifest announced %3.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: line %2 is not valid UTF-8.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: line %2 is not JSON: %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: line %2 is a JSON array, not an object.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: line %2 is a JSON value, not an object.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: line %2 has no resourceType (expected %3).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: line %2 has a resourceType that is not a string.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: line %2 is a %3, not a %4.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>QObject</name>
    <message>
        <source>Cohort Export</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ServerProfile</name>
    <message>
        <source>The profile member &quot;%1&quot; must be text.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The profile id &quot;%1&quot; may only contain letters, digits, &apos;.&apos;, &apos;_&apos; and &apos;-&apos;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The profile needs a name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server address of &quot;%1&quot; must be an http:// or https:// URL.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The profile &quot;%1&quot; names an unknown authentication method &quot;%2&quot; (expected none, bearer, smart-backend or client-secret).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The profile &quot;%1&quot; names an unsupported signing algorithm &quot;%2&quot; (expected ES384 or RS384).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The token URL of &quot;%1&quot; must be an http:// or https:// URL.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The CA certificate of &quot;%1&quot; is not a PEM certificate.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The parallel downloads of &quot;%1&quot; must be a whole number from %2 to %3.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>None</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bearer token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SMART Backend Services</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Client secret</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>cohort::auth::CachingTokenProvider</name>
    <message>
        <source>The connection to the server was closed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The token endpoint %1 is not HTTPS although the server is: the client&apos;s credentials are not sent unencrypted.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The token endpoint %1 answered without an access_token.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server issued a token of type &apos;%1&apos;; only bearer tokens are supported.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server granted the scope &quot;%1&quot;, narrower than the &quot;%2&quot; asked for; some resources may be left out or refused.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>while requesting an access token from %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The token endpoint %1 refused the request. %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server rejected the client&apos;s credentials: %1. %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server refused the requested scope &quot;%1&quot;: %2. Ask only for scopes the client is registered for (for bulk export usually system/*.read).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server refused the client&apos;s authorization grant: %1. %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The client may not use the client_credentials grant: %1. Check that the client is registered with the server for backend services.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server does not offer the client_credentials grant: %1. It may need another kind of authorization.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server found the token request malformed: %1. The server may expect another kind of client authentication.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server denied access: %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The token endpoint refused the request (%1): %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Renewing the access token failed (%1); the current one is used until it expires.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>cohort::auth::ClientSecretTokenProvider</name>
    <message>
        <source>No client id is set.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No client secret is set.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the client id and the client secret.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server does not list client_secret_basic among its token endpoint authentication methods (%1); asking for a token anyway.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>cohort::auth::CredentialStore</name>
    <message>
        <source>No secret is kept for &quot;%1&quot; in this session.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The secret for &quot;%1&quot; is too large for the keychain.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The keychain did not answer within %1 seconds: it may be locked and waiting for a password, or no keychain service is running.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The secret for &quot;%1&quot; is incomplete in the keychain (part %2 of %3 is missing); store it again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The keychain holds no secret for &quot;%1&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The keychain is locked or access was denied.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The keychain reported an error.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No keychain service is available: the secret can be kept for this session only.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>cohort::auth::ProfileConnection</name>
    <message>
        <source>The CA certificate of profile “%1”</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The CA certificate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The private key of profile “%1”</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The private key</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>cohort::auth::ProfileStore</name>
    <message>
        <source>The built-in demo server profile cannot be renamed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Parallel downloads must be a whole number from %1 to %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A profile named &quot;%1&quot; already exists.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The built-in demo server profile cannot be removed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is no profile with the id &quot;%1&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file is not valid JSON: %1 (at byte %2).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file is not a Cohort Export profile file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The profile file has format version %1; this version of Cohort Export reads version %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>it is not a JSON object.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Profile %1 in the file cannot be imported: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The profiles could not be saved to %1.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>cohort::auth::SmartBackendTokenProvider</name>
    <message>
        <source>No client id is set.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No private key is set.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The key is a public key; the client signs with its private key (the server holds the public one).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The key is neither RSA nor EC P-384, so it cannot sign RS384 or ES384.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The key has no key id (kid): set the one under which its public key is registered with the server.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The client assertion could not be signed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the client id, the key id (kid) and that the public key is registered with the server.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The assertion is dated by this computer&apos;s clock: check that it is right.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server does not list private_key_jwt among its token endpoint authentication methods (%1); asking for a token anyway.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server lists the signing algorithms %1, not %2 of this client&apos;s key; asking for a token anyway.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>cohort::auth::SmartDiscovery</name>
    <message>
        <source>The server answered %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is not a JSON object.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 names no token_endpoint.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The token_endpoint &apos;%1&apos; in %2 is not an http(s) URL.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The connection to the server was closed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 answered: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server may not require authorization; if it does, enter its token URL.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No token endpoint was found. %1 Its CapabilityStatement could not be read either: %2 %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No token endpoint was found. %1 %2 is not a CapabilityStatement: %3 %4</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No token endpoint was found. %1 The CapabilityStatement at %2 names none (no SMART oauth-uris extension with a token URL). %3</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>cohort::bulk::ExportJob</name>
    <message>
        <source>The export in %1 came from %2, not from %3.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 already holds an export; choose another folder or resume it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot create the folder %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resuming: checking the export&apos;s status at %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resuming the download.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not save the journal: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Kick-off: %1 %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>The server is busy (429); trying the kick-off again in %n s.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>The server refused the export: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server answered %1 instead of 202 Accepted: it did not start an asynchronous export.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server accepted the export but did not say where to follow it (no Content-Location header).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Kick-off answer (informational): %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export accepted; status at %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>In progress: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>The server asks us to poll less often (429); next check in %n s.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Temporary problem while checking the status (%1); trying again in %2 s (%3 of %4).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server no longer knows this export (404): it may have been cancelled or expired. %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The export failed on the server: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server&apos;s manifest is unusable: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The manifest continues on another page.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Export complete on the server: %n file(s) to download (transaction time %1).</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>A further manifest page could not be read: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%1: %n line(s)%2</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>, %n problem(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>%1 failed: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server reported problems (%1).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>see the error files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>For example: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 of %2 files could not be downloaded (%3). The finished files are kept; resume the export to try the others again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The files are downloaded; telling the server it may delete them.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) failed validation (see the problems list).</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>All %n file(s) downloaded and checked.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>The server did not confirm the deletion: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server confirmed the deletion (%1).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelling.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelled before the server accepted the export.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Asking the server to cancel the export.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 %2 resources in %3 files (%4 bytes) in %5.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot create the folder %1: %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not save manifest.json: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server&apos;s fresh manifest belongs to another export (transaction time %1, not %2): start a new export.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The fresh manifest has no new address for the missing files.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>The fresh manifest has new addresses for %n file(s); downloading again.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) are gone from the server (404/410); asking the status URL for a fresh manifest.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>The server said it would keep the files until %1; trying anyway.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server keeps the files until %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server said it would keep the files until %1, and that has passed: start a new export.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The folder %1 is in use by %2 (process %3 on host %4), which is exporting into it. Wait until it has finished, or stop it, then try again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>another program</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unknown</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The folder %1 is in use by another export. Wait until it has finished, or stop it, then try again.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>cohort::bulk::ExportRequest</name>
    <message>
        <source>Choose a Group to export.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>“%1” is not a valid FHIR id for a Group (letters, digits, “-” and “.”, at most 64).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>“%1” is not a FHIR resource type name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Since: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Until: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Until must be later than since.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>“%1” is not a type filter: write Type?search, e.g. Observation?category=laboratory.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Patient “%1” must be a reference like Patient/123.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A patient subset needs a Patient or Group level export.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>cohort::bulk::FileDownload</name>
    <message>
        <source>The download of %1 was cancelled.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file name %1 is not a safe relative path.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is no connection to download %1 with.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not create the folder %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not open %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: checking the %2 bytes already downloaded.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not read %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: keeping %2 complete lines (%3 bytes); %4 bytes of a partial line dropped.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not shorten %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not empty %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unsupported Content-Encoding %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server sent %1 with an encoding we did not ask for (%2).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: continuing after byte %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server answered a different range (%1).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: the server ignored the range request; downloading the whole file again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not write %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server ended the answer without a body.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The compressed body ended early.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server no longer has this file (410 Gone): the export may have expired.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server no longer has this file (404 Not Found): the export may have expired or been deleted.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 could not be downloaded: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 could not be downloaded after %2 attempts: %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2 Trying again in %3 s (attempt %4 of %5).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not save %1 to disk: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not save %1: a folder of that name is in the way.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not replace %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not rename %1 to %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2 validation problems; the first: %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing arrived or was written for %1 s.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>cohort::demo::DemoServer</name>
    <message>
        <source>Could not listen on 127.0.0.1:%1 (is the port already in use?).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not open a second loopback port.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This server requires a bearer access token (SMART Backend Services).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The access token is not valid (unknown or revoked).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The access token has expired.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No such file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The FHIR base of this server is %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is not allowed on %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This server runs without authorization.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Group &apos;%1&apos; does not exist.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Patient &apos;%1&apos; does not exist.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This server does not serve %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only grant_type=client_credentials is supported.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This server does not accept client secrets; use a client assertion (private_key_jwt).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The Authorization header is not valid Basic credentials.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The client id or the client secret is wrong.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No client authentication: send Authorization: Basic or a client assertion.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>client_assertion_type must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The client assertion is not a JWT: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The assertion algorithm &apos;%1&apos; is not accepted (use RS384 or ES384).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No key with kid &apos;%1&apos; is registered for this client.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The assertion signature does not verify: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>iss and sub must both be the registered client id.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>aud must be the token URL %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The assertion has no exp claim.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The assertion has expired.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The assertion&apos;s exp is more than five minutes ahead.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The assertion has no jti claim.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The assertion&apos;s jti was already used (replay).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No scope was requested.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scope &apos;%1&apos; is not a system scope.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Too many exports are running; retry in a moment.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bulk export requires the header &apos;Prefer: respond-async&apos;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is no export with id &apos;%1&apos; (it may have been cancelled or expired).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The export was cancelled and its files deleted.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The export failed: the server could not read the patient store (injected fault &apos;fatal&apos;).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Polling too often; wait before the next check.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The export service is briefly unavailable; try again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file &apos;%1&apos; does not exist or was deleted.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The requested range is not satisfiable.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This link to &apos;%1&apos; has expired; the status URL hands out fresh ones.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>cohort::fhir</name>
    <message>
        <source>the server</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>cohort::fhir::FhirClient</name>
    <message>
        <source>No data arrived for %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> (certificate %1, issuer %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server ended the connection without an answer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Host %1 not found</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server closed the connection without answering.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The connection closed before the end of the body.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1 second</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 seconds</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The access token source was closed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>More than %1 redirects.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The redirect target is not an HTTP address.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The redirect leads from HTTPS to unencrypted HTTP.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The connection closed after %1 of %2 bytes.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The network access was shut down.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file holds no PEM certificate (&quot;-----BEGIN CERTIFICATE-----&quot;).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>cohort::fhir::FhirError</name>
    <message>
        <source>The request succeeded.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server answered %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server answered %1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unknown network error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not connect to %1: %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The connection to %1 was interrupted: %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server at %1 redirected the request in a way that was not followed: %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The request to %1 failed: %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server did not answer in time.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server did not answer in time: %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The TLS certificate of %1 is not trusted: %2. Add the server&apos;s CA certificate to the profile.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The secure connection to %1 failed: %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TLS handshake error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server sent an answer that could not be read.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server sent an answer that could not be read: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The request was cancelled.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No access token could be obtained.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No access token could be obtained: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>cohort::fhir::GroupSearch</name>
    <message>
        <source>The Group search did not answer with a Bundle.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>cohort::review::GzipCache</name>
    <message>
        <source>%1 could not be read: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 could not be written: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is not a valid gzip file: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 ends before its gzip stream does (a partial download?).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>cohort::review::NdjsonIndex</name>
    <message>
        <source>Line %1 is not indexed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Line %1 is too long to show (%2 bytes).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot read %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is shorter than indexed; it changed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 became shorter while it was indexed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 changed while it was indexed; reopen it.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>cohort::session::ConnectionTest</name>
    <message>
        <source>Reading %1/metadata failed: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server&apos;s /metadata is not a CapabilityStatement: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Server found: %1, FHIR %2, %n resource type(s).</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>(unnamed)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server does not declare the $export operation.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No token endpoint found: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Token endpoint: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server is open: no access token needed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The pasted token will be sent with every request.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No access token: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The token endpoint returned no token.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Access token received.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>cohort::session::ExportManager</name>
    <message>
        <source>Connect to a server first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a folder for the export.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The folder %1 already holds an export; choose another one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The folder %1 could not be created.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server profile of this export no longer exists.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No server profile matches %1; add one to continue this export.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The built-in demo server forgets its exports when the app quits, so this one cannot continue. Use Retry to export the same data again.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>cohort::session::ServerSession</name>
    <message>
        <source>The built-in demo server could not start: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is no such server profile.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Profile “%1” has no secret in the keychain yet: open Manage profiles and enter it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The secret of profile “%1” could not be read from the keychain: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not reach %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 did not describe itself as a FHIR server.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>cohort::ui::CapabilityDialog</name>
    <message>
        <source>Server details — %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>system</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Patient</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Group</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>&lt;b&gt;%1&lt;/b&gt;&lt;br&gt;FHIR %2 · %n resource type(s) · export levels: %3</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>none</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Filter resource types</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resource types</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resource type details</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;i&gt;none declared&lt;/i&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;Interactions:&lt;/b&gt; %1&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;Operations:&lt;/b&gt; %1&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;Search parameters:&lt;/b&gt; %1&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;Supported profiles:&lt;/b&gt;&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;i&gt;none declared&lt;/i&gt;&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>cohort::ui::ExportForm</name>
    <message>
        <source>Only resources changed &amp;since</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Since my &amp;last export</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Advanced parameters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Until</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lenient &amp;handling (skip unsupported parameters)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send as &amp;POST (Parameters resource)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Export</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Filter types</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Filter resource types</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resource types to export</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A&amp;ll</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;None</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Clinical core</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resource &amp;types</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Since date and time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your computer&apos;s time zone; the server receives the time with this offset.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Folder:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>_until, _outputFormat, _elements, _typeFilter, a subset of patients, lenient handling and POST</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Until date and time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Server default</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Output format</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>e.g. id,meta,code (empty: all elements)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Elements</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>One per line, e.g. Observation?category=laboratory</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type filters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Patient ids, comma-separated (empty: the whole Group)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Subset of patients</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Output format:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>E&amp;lements:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type fi&amp;lters:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Patients:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Problems with the export form</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Interactions: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server&apos;s time of your last complete export of this Group: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No complete export of this Group yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connect to a server first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose at least one resource type.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The since date is in the future: nothing would be exported.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a folder for the export.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The folder must be a full path.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This folder already holds an export; choose a new one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;Export&lt;/b&gt;&lt;br&gt;Select a Group on the left.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;Export “%1”&lt;/b&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n chosen patient(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n patient(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>the Group</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>all resource types</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n resource type(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Starting export…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Export %1 for %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A new folder for the export</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>cohort::ui::ExportListModel</name>
    <message numerus="yes">
        <source>%n s</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connecting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot continue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Starting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not started</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Server is preparing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Interrupted (preparing)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Downloading</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Interrupted (downloading)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Completed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Completed with errors</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 / %2 (%3 failed)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 / %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Done</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1%</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Server working…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Group</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Started</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>State</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Progress</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Server says</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Next check</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Time left</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>cohort::ui::ExportsPanel</name>
    <message>
        <source>&amp;Cancel export</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check &amp;now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Re&amp;try</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Open folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remo&amp;ve from list</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exports</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Files of the selected export</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Log of the selected export</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lo&amp;g</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;Exports&lt;/b&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ask the server for the export&apos;s status now instead of waiting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Download what is missing, or start the same export again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Forget this export in the list; its files stay on disk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel export</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel the export of “%1”? The server is asked to stop and discard it; files already downloaded stay in the folder.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Re&amp;view</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the downloaded files offline: counts, problems, resources</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server is preparing the export; its files are listed here once it is ready.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>cohort::ui::FileListModel</name>
    <message numerus="yes">
        <source>Done, %n problem(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Done</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Downloading</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not downloaded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 expected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Progress</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lines</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Message</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>cohort::ui::GroupBrowser</name>
    <message>
        <source>&amp;Retry</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Load &amp;more</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy &amp;id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Find Group:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Part of the name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Find Group by name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Groups</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Selected Group</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>First members</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The Group&apos;s details could not be read: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connecting to the server…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not connected: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a server to see its Groups.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loading Groups…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This server has no Groups.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No Group name contains “%1”.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The Groups could not be loaded.
%1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>More Groups could not be loaded: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loading more…</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%1 of %n Group(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n Group(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>No Group selected.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loading members…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(no name)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Id: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type: %1%2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>, actual</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quantity: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Members listed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Identifier: %1 %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>… and %n more</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
</context>
<context>
    <name>cohort::ui::GroupTableModel</name>
    <message>
        <source>Yes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(no name)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Actual</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Members</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Active</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Id</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>cohort::ui::MainWindow</name>
    <message>
        <source>Cohort Export</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connecting to %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connected to %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Add export folder to the list…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Manage profiles…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Reconnect</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Server &amp;details…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Find Group</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Export</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Start export</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Cancel export</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check &amp;now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Re&amp;try</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Open folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remo&amp;ve from list</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Go to e&amp;xports</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Getting started</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;About Cohort Export</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>About &amp;Qt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export of “%1” started in %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Where to put the export</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not an export folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>About Cohort Export</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Getting started</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;h3&gt;Try it in one minute&lt;/h3&gt;&lt;ol&gt;&lt;li&gt;The &lt;b&gt;Demo server&lt;/b&gt; profile is built in: it runs inside the app on 127.0.0.1 with a synthetic cohort, no account needed.&lt;/li&gt;&lt;li&gt;Pick a Group on the left (type in &lt;i&gt;Find Group&lt;/i&gt; to search).&lt;/li&gt;&lt;li&gt;Choose resource types, optionally a since date, and a folder.&lt;/li&gt;&lt;li&gt;Press &lt;b&gt;Export&lt;/b&gt;. The exports panel shows the server&apos;s progress, then every file downloading. Files land as NDJSON next to manifest.json.&lt;/li&gt;&lt;/ol&gt;&lt;p&gt;For your own server, use &lt;b&gt;Server → Manage profiles…&lt;/b&gt;: enter its base URL and how to sign in, then &lt;i&gt;Test connection&lt;/i&gt;.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export finished</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>“%1” is complete.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export finished with errors</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>“%1” finished; the server reported errors for some resources.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>“%1”: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%1% — %n export(s) running — Cohort Export</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n export(s) running — Cohort Export</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Exports are running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Some exports are still running. Keep them for next time (the app checks on them when it starts again), or cancel them on the server?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Keep for next time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Cancel them on the server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Don&apos;t quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelling the running exports…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Review export folder…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export folder to review</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Review &amp;NDJSON files…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>NDJSON files to review</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>NDJSON (*.ndjson);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Re&amp;view</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;h3&gt;Cohort Export %1&lt;/h3&gt;&lt;p&gt;Exports patient cohorts from FHIR servers with the Bulk Data Access $export operation, and checks what came down.&lt;/p&gt;&lt;p&gt;Built with Qt %2 (running on Qt %3).&lt;/p&gt;&lt;p&gt;Cohort Export is free software: you can redistribute it and/or modify it under the terms of the GNU General Public License as published by the Free Software Foundation, either version 3 of the License, or (at your option) any later version (GPL-3.0-or-later). It comes with ABSOLUTELY NO WARRANTY.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Licences of the components:&lt;/b&gt; Qt (LGPL 3), Qt HTTP Server (GPL 3), QtKeychain (BSD 2-Clause), OpenSSL (Apache 2.0), libcurl (curl licence), simdjson (Apache 2.0), zlib (zlib licence).&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>cohort::ui::ProfileDialog</name>
    <message>
        <source>&amp;Remove</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Test connection</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Server profiles</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;New</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Import…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>E&amp;xport…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Empty: discovered from the server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>e.g. Production, Test</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Empty: the default from Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Public key (JWKS) to register with the server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Generate or load a key to see the public JWKS here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Generate key pair</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Load key file…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Copy JWKS</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Load &amp;PEM…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clea&amp;r</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bro&amp;wse…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>En&amp;vironment:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Base URL:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Authentication:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Secre&amp;t:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Client &amp;id:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sc&amp;opes:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Key id (kid):</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Al&amp;gorithm:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Private key:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Public JWKS:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tok&amp;en URL:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CA certificate:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Parallel &amp;downloads:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export &amp;folder:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connection test results</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Test connection reads /metadata, finds the token endpoint and fetches a token.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CA certificate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PEM certificates (*.pem *.crt *.cer);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 could not be read.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loaded from %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>System certificates only</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The built-in demo server: runs inside the app, no account needed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Started by the app on 127.0.0.1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A private CA is trusted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checking the keychain…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing stored yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keychain: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stored in the keychain</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stored in the keychain; type to replace</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paste the secret; it is kept in the keychain</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No key yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Access &amp;token:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Client secre&amp;t:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not saved: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Secret not stored</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The profile was saved, but its secret could not be stored in the keychain: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Secret stored in the keychain.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unsaved changes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save the changes to “%1”?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove profile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove the profile “%1” and its secret from the keychain? Exports made with it stay on disk.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Profile not removed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Import profiles</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Profiles (*.json);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n profile(s) imported. Enter their secrets before using them.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Export profiles</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Profiles (*.json)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 could not be written.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Profiles written to %1. Secrets are not included.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Generating…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The key could not be generated.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New key (saved to the keychain on Save)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Private key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keys (*.pem *.key *.json *.jwk);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 holds no usable private key: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loaded from %1 (saved to the keychain on Save)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>cohort::ui::ResourceTableModel</name>
    <message>
        <source>(empty line)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(not a resource)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Line</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last updated</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Patient</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Date</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Value</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>cohort::ui::ReviewWindow</name>
    <message numerus="yes">
        <source>[%n item(s)]</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Review — Cohort Export</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checking %p%</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resources</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Expected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Types found</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Files and counts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Line</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Problem</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Validation problems; Enter opens the line</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;Validation problems&lt;/b&gt; (double-click to see the line)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>File to browse</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;File:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>F&amp;ilter:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>text, id:ID or patient:ID</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Filter resources</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resource JSON</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>References to resources in this export are links: Tab moves to the next one, Enter follows it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Back</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Back to the resource you came from (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Forward</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Forward to the reference you followed (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Element</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resource tree</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;JSON</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>T&amp;ree</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name or id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Find a patient by name or id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Patients</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Date</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The patient&apos;s resources by date; Enter opens one</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Patient:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Summary</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Re&amp;sources</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pa&amp;tient</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Finding patients… %1%</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open export &amp;folder…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open NDJSON &amp;files…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>NDJSON files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>NDJSON (*.ndjson);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Export table as CSV…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export table as CSV</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CSV (*.csv)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Recent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Close</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Copy resource JSON</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Go</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Decompressing %n file(s)…</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Decompressing %p%</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot open</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 — Review — Cohort Export</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;Folder:&lt;/b&gt; %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;Server:&lt;/b&gt; %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;Request:&lt;/b&gt; %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;Transaction time:&lt;/b&gt; %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>checking…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>missing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not checked</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>listed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The manifest promised %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>No problems found in %n resource(s).</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n problem(s) found.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Indexing %1%</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n line(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No patient matches.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No patients in these files.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%1 of %n patient(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n match(es)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Filtering… %n match(es)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Writing %n row(s) to %1…</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Table written to %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The CSV file could not be written: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Line %1 is not a JSON object (%2):

%3</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>… %n character(s) not shown …</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>… %n more character(s) not shown: Edit → Copy resource JSON copies the whole resource.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Go to %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Looking for %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 was not found in this export.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: line %2 of %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%1 and %n more</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Finding unresolved references %p%</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Reading %n resource(s) of the patient…</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
</context>
<context>
    <name>cohort::ui::ServerBar</name>
    <message>
        <source>Server &amp;details…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Manage profiles…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Server:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Server profile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connection state</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Server information</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reconnect (F5)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reconnect</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resource types, interactions, search parameters and profiles the server declares</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not connected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>system</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Patient</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Group</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 · FHIR %2 · export: %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>version unknown</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not offered</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>cohort::ui::SettingsDialog</name>
    <message>
        <source>&amp;Delete the export on the server once everything is downloaded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Used when the server profile does not set its own number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The longest wait between status checks when the server does not say how long to wait</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quiet (problems only)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Normal</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Debug (every request)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What the app writes to its standard error; secrets are always removed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Default export &amp;folder:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Parallel downloads:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Longest &amp;wait between checks:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Log level:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Default export folder</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
