<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="en_US">
<context>
    <name>cohort::bulk::ExportJob</name>
    <message numerus="yes">
        <source>The server is busy (429); trying the kick-off again in %n s.</source>
        <translation>
            <numerusform>The server is busy (429); trying the kick-off again in %n s.</numerusform>
            <numerusform>The server is busy (429); trying the kick-off again in %n s.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>The server asks us to poll less often (429); next check in %n s.</source>
        <translation>
            <numerusform>The server asks us to poll less often (429); next check in %n s.</numerusform>
            <numerusform>The server asks us to poll less often (429); next check in %n s.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Export complete on the server: %n file(s) to download (transaction time %1).</source>
        <translation>
            <numerusform>Export complete on the server: %n file to download (transaction time %1).</numerusform>
            <numerusform>Export complete on the server: %n files to download (transaction time %1).</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1: %n line(s)%2</source>
        <translation>
            <numerusform>%1: %n line%2</numerusform>
            <numerusform>%1: %n lines%2</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>, %n problem(s)</source>
        <translation>
            <numerusform>, %n problem</numerusform>
            <numerusform>, %n problems</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) failed validation (see the problems list).</source>
        <translation>
            <numerusform>%n file failed validation (see the problems list).</numerusform>
            <numerusform>%n files failed validation (see the problems list).</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>All %n file(s) downloaded and checked.</source>
        <translation>
            <numerusform>All %n file downloaded and checked.</numerusform>
            <numerusform>All %n files downloaded and checked.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>The fresh manifest has new addresses for %n file(s); downloading again.</source>
        <translation>
            <numerusform>The fresh manifest has new addresses for %n file; downloading again.</numerusform>
            <numerusform>The fresh manifest has new addresses for %n files; downloading again.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) are gone from the server (404/410); asking the status URL for a fresh manifest.</source>
        <translation>
            <numerusform>%n file are gone from the server (404/410); asking the status URL for a fresh manifest.</numerusform>
            <numerusform>%n files are gone from the server (404/410); asking the status URL for a fresh manifest.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>cohort::session::ConnectionTest</name>
    <message numerus="yes">
        <source>Server found: %1, FHIR %2, %n resource type(s).</source>
        <translation>
            <numerusform>Server found: %1, FHIR %2, %n resource type.</numerusform>
            <numerusform>Server found: %1, FHIR %2, %n resource types.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>cohort::ui::CapabilityDialog</name>
    <message numerus="yes">
        <source>&lt;b&gt;%1&lt;/b&gt;&lt;br&gt;FHIR %2 · %n resource type(s) · export levels: %3</source>
        <translation>
            <numerusform>&lt;b&gt;%1&lt;/b&gt;&lt;br&gt;FHIR %2 · %n resource type · export levels: %3</numerusform>
            <numerusform>&lt;b&gt;%1&lt;/b&gt;&lt;br&gt;FHIR %2 · %n resource types · export levels: %3</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>cohort::ui::ExportForm</name>
    <message numerus="yes">
        <source>%n chosen patient(s)</source>
        <translation>
            <numerusform>%n chosen patient</numerusform>
            <numerusform>%n chosen patients</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n patient(s)</source>
        <translation>
            <numerusform>%n patient</numerusform>
            <numerusform>%n patients</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n resource type(s)</source>
        <translation>
            <numerusform>%n resource type</numerusform>
            <numerusform>%n resource types</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>cohort::ui::ExportListModel</name>
    <message numerus="yes">
        <source>%n s</source>
        <translation>
            <numerusform>%n s</numerusform>
            <numerusform>%n s</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>cohort::ui::FileListModel</name>
    <message numerus="yes">
        <source>Done, %n problem(s)</source>
        <translation>
            <numerusform>Done, %n problem</numerusform>
            <numerusform>Done, %n problems</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>cohort::ui::GroupBrowser</name>
    <message numerus="yes">
        <source>%1 of %n Group(s)</source>
        <translation>
            <numerusform>%1 of %n Group</numerusform>
            <numerusform>%1 of %n Groups</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n Group(s)</source>
        <translation>
            <numerusform>%n Group</numerusform>
            <numerusform>%n Groups</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>… and %n more</source>
        <translation>
            <numerusform>… and %n more</numerusform>
            <numerusform>… and %n more</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>cohort::ui::MainWindow</name>
    <message numerus="yes">
        <source>%1% — %n export(s) running — Cohort Export</source>
        <translation>
            <numerusform>%1% — %n export running — Cohort Export</numerusform>
            <numerusform>%1% — %n exports running — Cohort Export</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n export(s) running — Cohort Export</source>
        <translation>
            <numerusform>%n export running — Cohort Export</numerusform>
            <numerusform>%n exports running — Cohort Export</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>cohort::ui::ProfileDialog</name>
    <message numerus="yes">
        <source>%n profile(s) imported. Enter their secrets before using them.</source>
        <translation>
            <numerusform>%n profile imported. Enter their secrets before using them.</numerusform>
            <numerusform>%n profiles imported. Enter their secrets before using them.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>cohort::ui::ReviewWindow</name>
    <message numerus="yes">
        <source>[%n item(s)]</source>
        <translation>
            <numerusform>[%n item]</numerusform>
            <numerusform>[%n items]</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Decompressing %n file(s)…</source>
        <translation>
            <numerusform>Decompressing %n file…</numerusform>
            <numerusform>Decompressing %n files…</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>No problems found in %n resource(s).</source>
        <translation>
            <numerusform>No problems found in %n resource.</numerusform>
            <numerusform>No problems found in %n resources.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n problem(s) found.</source>
        <translation>
            <numerusform>%n problem found.</numerusform>
            <numerusform>%n problems found.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n line(s)</source>
        <translation>
            <numerusform>%n line</numerusform>
            <numerusform>%n lines</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1 of %n patient(s)</source>
        <translation>
            <numerusform>%1 of %n patient</numerusform>
            <numerusform>%1 of %n patients</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n match(es)</source>
        <translation>
            <numerusform>%n match</numerusform>
            <numerusform>%n matches</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Filtering… %n match(es)</source>
        <translation>
            <numerusform>Filtering… %n match</numerusform>
            <numerusform>Filtering… %n matches</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Writing %n row(s) to %1…</source>
        <translation>
            <numerusform>Writing %n row to %1…</numerusform>
            <numerusform>Writing %n rows to %1…</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>… %n character(s) not shown …</source>
        <translation>
            <numerusform>… %n character not shown …</numerusform>
            <numerusform>… %n characters not shown …</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>… %n more character(s) not shown: Edit → Copy resource JSON copies the whole resource.</source>
        <translation>
            <numerusform>… %n more character not shown: Edit → Copy resource JSON copies the whole resource.</numerusform>
            <numerusform>… %n more characters not shown: Edit → Copy resource JSON copies the whole resource.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1 and %n more</source>
        <translation>
            <numerusform>%1 and %n more</numerusform>
            <numerusform>%1 and %n more</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Reading %n resource(s) of the patient…</source>
        <translation>
            <numerusform>Reading %n resource of the patient…</numerusform>
            <numerusform>Reading %n resources of the patient…</numerusform>
        </translation>
    </message>
</context>
</TS>