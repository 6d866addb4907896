#include "ProfileDialog.h"

#include "WorkerPool.h"
#include "auth/CredentialStore.h"
#include "auth/Jwk.h"
#include "auth/ProfileConnection.h"
#include "auth/ProfileStore.h"
#include "session/ConnectionTest.h"
#include "session/ServerSession.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFile>
#include <QFileDialog>
#include <QFormLayout>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace cohort::ui {

using auth::CredentialStore;
using auth::ServerProfile;
using Method = ServerProfile::AuthMethod;
using namespace Qt::StringLiterals;

ProfileDialog::ProfileDialog(session::ServerSession *session, QWidget *parent)
    : QDialog(parent)
    , m_session(session)
    , m_tester(new session::ConnectionTest(session, this))
    , m_list(new QListWidget(this))
    , m_remove(new QPushButton(tr("&Remove"), this))
    , m_form(new QFormLayout)
    , m_name(new QLineEdit(this))
    , m_environment(new QLineEdit(this))
    , m_url(new QLineEdit(this))
    , m_auth(new QComboBox(this))
    , m_secret(new QLineEdit(this))
    , m_clientId(new QLineEdit(this))
    , m_scopes(new QLineEdit(this))
    , m_keyId(new QLineEdit(this))
    , m_algorithm(new QComboBox(this))
    , m_tokenUrl(new QLineEdit(this))
    , m_keyRow(new QWidget(this))
    , m_keyState(new QLabel(this))
    , m_jwks(new QPlainTextEdit(this))
    , m_caState(new QLabel(this))
    , m_parallel(new QSpinBox(this))
    , m_folder(new QLineEdit(this))
    , m_test(new QPushButton(tr("&Test connection"), this))
    , m_save(new QPushButton(tr("&Save"), this))
    , m_testOutput(new QPlainTextEdit(this))
{
    setWindowTitle(tr("Server profiles"));
    m_list->setAccessibleName(tr("Server profiles"));
    m_list->setMinimumWidth(160);
    auto *add = new QPushButton(tr("&New"), this);
    auto *importButton = new QPushButton(tr("&Import…"), this);
    auto *exportButton = new QPushButton(tr("E&xport…"), this);
    auto *listButtons = new QGridLayout;
    listButtons->addWidget(add, 0, 0);
    listButtons->addWidget(m_remove, 0, 1);
    listButtons->addWidget(importButton, 1, 0);
    listButtons->addWidget(exportButton, 1, 1);
    auto *left = new QWidget(this);
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(m_list, 1);
    leftLayout->addLayout(listButtons);

    for (Method m : {Method::None, Method::BearerToken, Method::SmartBackend, Method::ClientSecret})
        m_auth->addItem(auth::authMethodDisplayName(m), int(m));
    m_algorithm->addItem(u"ES384"_s, int(auth::JwtAlgorithm::ES384));
    m_algorithm->addItem(u"RS384"_s, int(auth::JwtAlgorithm::RS384));
    m_secret->setEchoMode(QLineEdit::Password);
    m_url->setPlaceholderText(u"https://fhir.example.org/r4"_s);
    m_tokenUrl->setPlaceholderText(tr("Empty: discovered from the server"));
    m_environment->setPlaceholderText(tr("e.g. Production, Test"));
    m_parallel->setRange(ServerProfile::kMinParallel, ServerProfile::kMaxParallel);
    m_folder->setPlaceholderText(tr("Empty: the default from Settings"));
    m_jwks->setReadOnly(true);
    m_jwks->setFixedHeight(m_jwks->fontMetrics().lineSpacing() * 4 + 12);
    m_jwks->setAccessibleName(tr("Public key (JWKS) to register with the server"));
    m_jwks->setPlaceholderText(tr("Generate or load a key to see the public JWKS here."));

    auto *generate = new QPushButton(tr("&Generate key pair"), this);
    auto *loadKey = new QPushButton(tr("&Load key file…"), this);
    auto *copyJwks = new QPushButton(tr("&Copy JWKS"), this);
    auto *keyLayout = new QHBoxLayout(m_keyRow);
    keyLayout->setContentsMargins(0, 0, 0, 0);
    keyLayout->addWidget(m_keyState, 1);
    keyLayout->addWidget(generate);
    keyLayout->addWidget(loadKey);
    keyLayout->addWidget(copyJwks);

    auto *caLoad = new QPushButton(tr("Load &PEM…"), this);
    auto *caClear = new QPushButton(tr("Clea&r"), this);
    auto *caRow = new QHBoxLayout;
    caRow->addWidget(m_caState, 1);
    caRow->addWidget(caLoad);
    caRow->addWidget(caClear);
    auto *folderBrowse = new QPushButton(tr("Bro&wse…"), this);
    auto *folderRow = new QHBoxLayout;
    folderRow->addWidget(m_folder, 1);
    folderRow->addWidget(folderBrowse);

    m_form->addRow(tr("&Name:"), m_name);
    m_form->addRow(tr("En&vironment:"), m_environment);
    m_form->addRow(tr("&Base URL:"), m_url);
    m_form->addRow(tr("&Authentication:"), m_auth);
    m_form->addRow(tr("Secre&t:"), m_secret);
    m_form->addRow(tr("Client &id:"), m_clientId);
    m_form->addRow(tr("Sc&opes:"), m_scopes);
    m_form->addRow(tr("&Key id (kid):"), m_keyId);
    m_form->addRow(tr("Al&gorithm:"), m_algorithm);
    m_form->addRow(tr("Private key:"), m_keyRow);
    m_form->addRow(tr("Public JWKS:"), m_jwks);
    m_form->addRow(tr("Tok&en URL:"), m_tokenUrl);
    m_form->addRow(tr("CA certificate:"), caRow);
    m_form->addRow(tr("Parallel &downloads:"), m_parallel);
    m_form->addRow(tr("Export &folder:"), folderRow);

    m_testOutput->setReadOnly(true);
    m_testOutput->setAccessibleName(tr("Connection test results"));
    m_testOutput->setPlaceholderText(tr("Test connection reads /metadata, finds the token "
                                        "endpoint and fetches a token."));
    m_testOutput->setFixedHeight(m_testOutput->fontMetrics().lineSpacing() * 4 + 12);

    auto *right = new QWidget(this);
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addLayout(m_form);
    rightLayout->addWidget(m_testOutput);
    auto *actionRow = new QHBoxLayout;
    actionRow->addWidget(m_test);
    actionRow->addStretch();
    actionRow->addWidget(m_save);
    rightLayout->addLayout(actionRow);
    rightLayout->addStretch();

    auto *split = new QSplitter(this);
    split->addWidget(left);
    split->addWidget(right);
    split->setStretchFactor(1, 1);
    split->setChildrenCollapsible(false);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(split, 1);
    layout->addWidget(buttons);
    resize(860, 600);

    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(add, &QPushButton::clicked, this, &ProfileDialog::newProfile);
    connect(m_remove, &QPushButton::clicked, this, &ProfileDialog::removeProfile);
    connect(importButton, &QPushButton::clicked, this, &ProfileDialog::importProfiles);
    connect(exportButton, &QPushButton::clicked, this, &ProfileDialog::exportProfiles);
    connect(m_save, &QPushButton::clicked, this, &ProfileDialog::save);
    connect(m_test, &QPushButton::clicked, this, &ProfileDialog::testConnection);
    connect(generate, &QPushButton::clicked, this, &ProfileDialog::generateKey);
    connect(loadKey, &QPushButton::clicked, this, &ProfileDialog::loadKeyFile);
    connect(copyJwks, &QPushButton::clicked, this,
            [this] { QApplication::clipboard()->setText(m_jwks->toPlainText()); });
    connect(caLoad, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("CA certificate"), {},
                                                          tr("PEM certificates (*.pem *.crt *.cer);;All files (*)"));
        if (path.isEmpty())
            return;
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly) || file.size() > 1024 * 1024) {
            QMessageBox::warning(this, tr("CA certificate"), tr("%1 could not be read.").arg(path));
            return;
        }
        m_caPem = file.readAll();
        m_caState->setText(tr("Loaded from %1").arg(QFileInfo(path).fileName()));
        setDirty(true);
    });
    connect(caClear, &QPushButton::clicked, this, [this] {
        m_caPem.clear();
        m_caState->setText(tr("System certificates only"));
        setDirty(true);
    });
    connect(folderBrowse, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Export folder"), m_folder->text());
        if (!dir.isEmpty()) {
            m_folder->setText(QDir::toNativeSeparators(dir));
            setDirty(true);
        }
    });
    connect(m_auth, &QComboBox::currentIndexChanged, this, [this] {
        updateAuthRows();
        setDirty(true);
    });
    connect(m_secret, &QLineEdit::textEdited, this, [this](const QString &text) {
        m_newSecret = text.toUtf8();
        setDirty(true);
    });
    for (QLineEdit *e : {m_name, m_environment, m_url, m_clientId, m_scopes, m_keyId, m_tokenUrl, m_folder})
        connect(e, &QLineEdit::textEdited, this, [this] { setDirty(true); });
    connect(m_parallel, &QSpinBox::valueChanged, this, [this] { setDirty(true); });
    connect(m_algorithm, &QComboBox::currentIndexChanged, this, [this] { setDirty(true); });
    connect(m_list, &QListWidget::currentRowChanged, this, [this](int row) {
        if (m_loading || row < 0)
            return;
        const QString id = m_list->item(row)->data(Qt::UserRole).toString();
        if (id == m_currentId)
            return;
        if (!confirmDiscard()) {
            QSignalBlocker block(m_list);
            for (int i = 0; i < m_list->count(); ++i)
                if (m_list->item(i)->data(Qt::UserRole).toString() == m_currentId)
                    m_list->setCurrentRow(i);
            return;
        }
        load(m_session->profiles()->profile(id));
    });
    connect(m_tester, &session::ConnectionTest::step, this, [this](const QString &text, bool ok) {
        m_testOutput->appendPlainText((ok ? u"✓ "_s : u"✗ "_s) + text);
    });
    connect(m_tester, &session::ConnectionTest::finished, this, [this] { m_test->setEnabled(true); });
    reload(m_session->profile().id);
}

void ProfileDialog::selectProfile(const QString &id)
{
    reload(id);
}

void ProfileDialog::reload(const QString &selectId)
{
    m_loading = true;
    m_list->clear();
    int select = 0;
    for (const auto &p : m_session->profiles()->profiles()) {
        auto *item = new QListWidgetItem(p.name, m_list);
        item->setData(Qt::UserRole, p.id);
        if (p.builtIn)
            item->setToolTip(tr("The built-in demo server: runs inside the app, no account needed."));
        if (p.id == selectId)
            select = m_list->count() - 1;
    }
    m_list->setCurrentRow(select);
    m_loading = false;
    load(m_session->profiles()->profile(m_list->currentItem()->data(Qt::UserRole).toString()));
}

void ProfileDialog::load(const std::optional<ServerProfile> &profile)
{
    m_loading = true;
    const ServerProfile p = profile.value_or(ServerProfile{});
    m_currentId = profile ? p.id : QString();
    m_builtIn = p.builtIn;
    m_newSecret.clear();
    m_caPem = p.caCertificatePem;
    m_name->setText(p.name);
    m_environment->setText(p.environment);
    m_url->setText(p.builtIn ? tr("Started by the app on 127.0.0.1") : p.baseUrl.toString());
    m_auth->setCurrentIndex(m_auth->findData(int(p.auth)));
    m_secret->clear();
    m_clientId->setText(p.clientId);
    m_scopes->setText(p.scopes);
    m_keyId->setText(p.keyId);
    m_algorithm->setCurrentIndex(m_algorithm->findData(int(p.algorithm)));
    m_tokenUrl->setText(p.tokenUrl.toString());
    m_caState->setText(m_caPem.isEmpty() ? tr("System certificates only") : tr("A private CA is trusted"));
    m_parallel->setValue(p.parallelDownloads);
    m_folder->setText(p.outputFolder);
    m_jwks->clear();
    m_testOutput->clear();
    // The demo server's address and identity are the app's; only preferences are editable.
    for (QWidget *w : {static_cast<QWidget *>(m_name), static_cast<QWidget *>(m_url),
                       static_cast<QWidget *>(m_auth), static_cast<QWidget *>(m_environment)})
        w->setEnabled(!p.builtIn);
    m_remove->setEnabled(profile && !p.builtIn);
    updateAuthRows();
    m_loading = false;
    setDirty(!profile);

    // Show what is stored without showing the secret itself.
    if (const auto secret = auth::secretFor(p.auth); profile && secret) {
        m_secret->setPlaceholderText(tr("Checking the keychain…"));
        m_keyState->setText(tr("Checking the keychain…"));
        const QString id = p.id;
        m_session->credentials()->read(
            CredentialStore::keyFor(id, *secret), this,
            [this, id, secret](const QByteArray &value, const auth::CredentialError &error) {
                if (id != m_currentId)
                    return;
                const QString state = error.kind == auth::CredentialError::NotFound
                                          ? tr("Nothing stored yet")
                                      : error.isError() ? tr("Keychain: %1").arg(error.message)
                                                        : tr("Stored in the keychain");
                m_secret->setPlaceholderText(error.isError() ? state
                                                             : tr("Stored in the keychain; type to replace"));
                m_keyState->setText(state);
                if (!error.isError() && *secret == CredentialStore::Secret::PrivateKey)
                    showPublicKey(value);
            });
    } else {
        m_secret->setPlaceholderText(tr("Paste the secret; it is kept in the keychain"));
        m_keyState->setText(tr("No key yet"));
    }
}

void ProfileDialog::updateAuthRows()
{
    const Method m = Method(m_auth->currentData().toInt());
    const bool tokens = m == Method::SmartBackend || m == Method::ClientSecret;
    m_form->setRowVisible(m_secret, m == Method::BearerToken || m == Method::ClientSecret);
    m_form->setRowVisible(m_clientId, tokens);
    m_form->setRowVisible(m_scopes, tokens);
    m_form->setRowVisible(m_tokenUrl, tokens);
    m_form->setRowVisible(m_keyId, m == Method::SmartBackend);
    m_form->setRowVisible(m_algorithm, m == Method::SmartBackend);
    m_form->setRowVisible(m_keyRow, m == Method::SmartBackend);
    m_form->setRowVisible(m_jwks, m == Method::SmartBackend);
    if (auto *label = qobject_cast<QLabel *>(m_form->labelForField(m_secret)))
        label->setText(m == Method::BearerToken ? tr("Access &token:") : tr("Client secre&t:"));
}

void ProfileDialog::setDirty(bool dirty)
{
    if (m_loading)
        return;
    m_dirty = dirty;
    m_save->setEnabled(dirty);
}

std::optional<ServerProfile> ProfileDialog::fromForm(QString *error) const
{
    ServerProfile p = m_currentId.isEmpty() ? ServerProfile{}
                                            : m_session->profiles()->profile(m_currentId).value_or(ServerProfile{});
    if (!m_currentId.isEmpty())
        p.id = m_currentId;
    QJsonObject json = p.toJson();
    if (m_builtIn) {
        json[u"baseUrl"_s] = u"http://127.0.0.1/"_s; // its address is the app's; only checked here
    } else {
        json[u"name"_s] = m_name->text().trimmed();
        json[u"environment"_s] = m_environment->text().trimmed();
        json[u"baseUrl"_s] = m_url->text().trimmed();
        json[u"auth"_s] = auth::authMethodName(Method(m_auth->currentData().toInt()));
    }
    json[u"clientId"_s] = m_clientId->text().trimmed();
    json[u"scopes"_s] = m_scopes->text().simplified();
    json[u"keyId"_s] = m_keyId->text().trimmed();
    json[u"algorithm"_s] = m_algorithm->currentText();
    json[u"tokenUrl"_s] = m_tokenUrl->text().trimmed();
    json[u"caCertificatePem"_s] = QString::fromLatin1(m_caPem);
    json[u"parallelDownloads"_s] = m_parallel->value();
    json[u"outputFolder"_s] = QDir::fromNativeSeparators(m_folder->text().trimmed());
    auto parsed = ServerProfile::fromJson(json, error);
    if (parsed && m_builtIn) {
        ServerProfile demo = p;
        demo.parallelDownloads = parsed->parallelDownloads;
        demo.outputFolder = parsed->outputFolder;
        return demo;
    }
    return parsed;
}

bool ProfileDialog::save()
{
    QString error;
    auto profile = fromForm(&error);
    if (!profile || !m_session->profiles()->save(*profile, &error)) {
        // Inline, beside the form, so the user can fix the field without a dialog in the way.
        m_testOutput->setPlainText(u"✗ "_s + tr("Not saved: %1").arg(error));
        return false;
    }
    m_currentId = profile->id;
    const auto secret = auth::secretFor(profile->auth);
    if (secret && *secret == CredentialStore::Secret::BearerToken)
        m_newSecret = auth::normalizedBearerToken(QString::fromUtf8(m_newSecret)).toUtf8();
    if (secret && !m_newSecret.isEmpty()) {
        m_session->credentials()->write(
            CredentialStore::keyFor(profile->id, *secret), m_newSecret, this,
            [this](const auth::CredentialError &e) {
                if (e.isError())
                    QMessageBox::warning(this, tr("Secret not stored"),
                                         tr("The profile was saved, but its secret could not be "
                                            "stored in the keychain: %1").arg(e.message));
                else
                    m_testOutput->appendPlainText(tr("Secret stored in the keychain."));
            });
        m_newSecret.clear();
        m_secret->clear();
        m_secret->setPlaceholderText(tr("Stored in the keychain; type to replace"));
    }
    m_dirty = false;
    m_save->setEnabled(false);
    reload(profile->id);
    return true;
}

bool ProfileDialog::confirmDiscard()
{
    if (!m_dirty || (m_currentId.isEmpty() && m_name->text().isEmpty()))
        return true;
    const auto answer = QMessageBox::question(
        this, tr("Unsaved changes"), tr("Save the changes to “%1”?").arg(m_name->text()),
        QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
    if (answer == QMessageBox::Save)
        return save();
    return answer == QMessageBox::Discard;
}

void ProfileDialog::done(int result)
{
    if (!confirmDiscard())
        return;
    QDialog::done(result);
}

void ProfileDialog::newProfile()
{
    if (!confirmDiscard())
        return;
    m_list->clearSelection();
    load(std::nullopt);
    m_name->setText(tr("New server"));
    m_name->setFocus();
    m_name->selectAll();
    setDirty(true);
}

void ProfileDialog::removeProfile()
{
    if (m_currentId.isEmpty() || m_builtIn)
        return;
    const auto answer = QMessageBox::question(
        this, tr("Remove profile"),
        tr("Remove the profile “%1” and its secret from the keychain? Exports made with it stay "
           "on disk.").arg(m_name->text()));
    if (answer != QMessageBox::Yes)
        return;
    const QString id = m_currentId;
    QString error;
    if (!m_session->profiles()->remove(id, &error)) {
        QMessageBox::warning(this, tr("Profile not removed"), error);
        return;
    }
    m_session->credentials()->removeProfileSecrets(id, this, [](const auth::CredentialError &) {});
    m_dirty = false;
    reload({});
}

void ProfileDialog::importProfiles()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Import profiles"), {},
                                                      tr("Profiles (*.json);;All files (*)"));
    if (path.isEmpty())
        return;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly) || file.size() > 16 * 1024 * 1024) {
        QMessageBox::warning(this, tr("Import profiles"), tr("%1 could not be read.").arg(path));
        return;
    }
    QString error;
    const auto imported = m_session->profiles()->importJson(file.readAll(), &error);
    if (!error.isEmpty()) {
        QMessageBox::warning(this, tr("Import profiles"), error);
        return;
    }
    QMessageBox::information(this, tr("Import profiles"),
                             tr("%n profile(s) imported. Enter their secrets before using them.",
                                nullptr, int(imported.size())));
    reload(imported.isEmpty() ? m_currentId : imported.first().id);
}

void ProfileDialog::exportProfiles()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Export profiles"), u"profiles.json"_s,
                                                      tr("Profiles (*.json)"));
    if (path.isEmpty())
        return;
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(m_session->profiles()->exportJson()) < 0) {
        QMessageBox::warning(this, tr("Export profiles"), tr("%1 could not be written.").arg(path));
        return;
    }
    QMessageBox::information(this, tr("Export profiles"),
                             tr("Profiles written to %1. Secrets are not included.").arg(path));
}

void ProfileDialog::testConnection()
{
    QString error;
    auto profile = fromForm(&error);
    if (!profile) {
        m_testOutput->setPlainText(u"✗ "_s + error);
        return;
    }
    if (m_builtIn)
        profile->builtIn = true;
    m_testOutput->clear();
    m_test->setEnabled(false);
    const auto secret = auth::secretFor(profile->auth);
    if (!secret || !m_newSecret.isEmpty() || m_currentId.isEmpty()) {
        m_tester->start(*profile, m_newSecret);
        return;
    }
    // The stored secret, read asynchronously.
    const ServerProfile p = *profile;
    m_session->credentials()->read(
        CredentialStore::keyFor(p.id, *secret), this,
        [this, p](const QByteArray &value, const auth::CredentialError &e) {
            if (e.isError() && e.kind != auth::CredentialError::NotFound) {
                m_testOutput->appendPlainText(u"✗ "_s + tr("Keychain: %1").arg(e.message));
                m_test->setEnabled(true);
                return;
            }
            m_tester->start(p, value);
        });
}

void ProfileDialog::generateKey()
{
    const auto alg = auth::JwtAlgorithm(m_algorithm->currentData().toInt());
    QString kid = m_keyId->text().trimmed();
    if (kid.isEmpty())
        kid = u"cohort-export-"_s + QDate::currentDate().toString(u"yyyyMMdd"_s);
    m_keyState->setText(tr("Generating…"));
    // RSA 3072 takes a moment: not on the GUI thread.
    auto *watcher = new QFutureWatcher<QByteArray>(this);
    connect(watcher, &QFutureWatcher<QByteArray>::finished, this, [this, watcher, kid] {
        watcher->deleteLater();
        const QByteArray pem = watcher->result();
        if (pem.isEmpty()) {
            m_keyState->setText(tr("The key could not be generated."));
            return;
        }
        m_newSecret = pem;
        m_keyId->setText(kid);
        m_keyState->setText(tr("New key (saved to the keychain on Save)"));
        showPublicKey(pem);
        setDirty(true);
    });
    watcher->setFuture(QtConcurrent::run(workerPool(), [alg, kid] {
        QString error;
        const auth::Key key = auth::Key::generate(alg, kid, &error);
        return key.isNull() ? QByteArray() : key.privatePem();
    }));
}

void ProfileDialog::loadKeyFile()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Private key"), {},
                                                      tr("Keys (*.pem *.key *.json *.jwk);;All files (*)"));
    if (path.isEmpty())
        return;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly) || file.size() > 1024 * 1024) {
        QMessageBox::warning(this, tr("Private key"), tr("%1 could not be read.").arg(path));
        return;
    }
    const QByteArray data = file.readAll();
    QString error;
    const auth::Key key = auth::Key::fromBytes(data, &error);
    if (key.isNull() || !key.isPrivate()) {
        QMessageBox::warning(this, tr("Private key"),
                             tr("%1 holds no usable private key: %2").arg(path, error));
        return;
    }
    m_newSecret = data;
    if (!key.keyId().isEmpty() && m_keyId->text().isEmpty())
        m_keyId->setText(key.keyId());
    m_keyState->setText(tr("Loaded from %1 (saved to the keychain on Save)").arg(QFileInfo(path).fileName()));
    showPublicKey(data);
    setDirty(true);
}

void ProfileDialog::showPublicKey(const QByteArray &privateKey)
{
    auth::Key key = auth::Key::fromBytes(privateKey);
    if (key.isNull()) {
        m_jwks->clear();
        return;
    }
    if (!m_keyId->text().trimmed().isEmpty())
        key.setKeyId(m_keyId->text().trimmed());
    m_jwks->setPlainText(QString::fromUtf8(QJsonDocument(auth::jwks({key})).toJson(QJsonDocument::Indented)));
}

} // namespace cohort::ui
