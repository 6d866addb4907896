#include "ServerBar.h"

#include "auth/ProfileStore.h"
#include "session/ServerSession.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QStyle>
#include <QToolButton>

namespace cohort::ui {

using session::ServerSession;

namespace {

// One line that ends in "…" when the window is too narrow, instead of being cut off.
class ElidedLabel : public QLabel
{
public:
    using QLabel::QLabel;
    void setFullText(const QString &text)
    {
        m_text = text;
        updateText();
    }

protected:
    void resizeEvent(QResizeEvent *event) override
    {
        QLabel::resizeEvent(event);
        updateText();
    }

private:
    void updateText() { setText(fontMetrics().elidedText(m_text, Qt::ElideRight, width())); }
    QString m_text;
};

} // namespace

ServerBar::ServerBar(ServerSession *session, QWidget *parent)
    : QWidget(parent)
    , m_session(session)
    , m_profiles(new QComboBox(this))
    , m_state(new QLabel(this))
    , m_info(new ElidedLabel(this))
    , m_reconnect(new QToolButton(this))
    , m_details(new QPushButton(tr("Server &details…"), this))
    , m_manage(new QPushButton(tr("&Manage profiles…"), this))
{
    auto *label = new QLabel(tr("&Server:"), this);
    label->setBuddy(m_profiles);
    m_profiles->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_profiles->setMinimumContentsLength(16);
    m_profiles->setAccessibleName(tr("Server profile"));
    m_state->setAccessibleName(tr("Connection state"));
    m_state->setTextFormat(Qt::RichText);
    m_info->setAccessibleName(tr("Server information"));
    m_info->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_info->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_info->setMinimumWidth(80);
    m_reconnect->setIcon(style()->standardIcon(QStyle::SP_BrowserReload));
    m_reconnect->setToolTip(tr("Reconnect (F5)"));
    m_reconnect->setAccessibleName(tr("Reconnect"));
    m_details->setToolTip(tr("Resource types, interactions, search parameters and profiles the "
                             "server declares"));

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(6, 4, 6, 4);
    layout->addWidget(label);
    layout->addWidget(m_profiles);
    layout->addWidget(m_reconnect);
    layout->addWidget(m_state);
    layout->addWidget(m_info, 1);
    layout->addWidget(m_details);
    layout->addWidget(m_manage);

    connect(m_manage, &QPushButton::clicked, this, &ServerBar::manageProfilesRequested);
    connect(m_details, &QPushButton::clicked, this, &ServerBar::detailsRequested);
    connect(m_reconnect, &QToolButton::clicked, session, &ServerSession::reconnect);
    connect(m_profiles, &QComboBox::currentIndexChanged, this, [this] {
        if (!m_reloading && !currentProfileId().isEmpty())
            m_session->connectTo(currentProfileId());
    });
    connect(session->profiles(), &auth::ProfileStore::profilesChanged, this,
            &ServerBar::reloadProfiles);
    connect(session, &ServerSession::stateChanged, this, &ServerBar::updateState);
    reloadProfiles();
    updateState();
}

QString ServerBar::currentProfileId() const
{
    return m_profiles->currentData().toString();
}

void ServerBar::selectProfile(const QString &id)
{
    const int i = m_profiles->findData(id);
    if (i < 0)
        return;
    if (i == m_profiles->currentIndex())
        m_session->connectTo(id);
    else
        m_profiles->setCurrentIndex(i); // connects
}

void ServerBar::reloadProfiles()
{
    const QString current = currentProfileId();
    m_reloading = true;
    m_profiles->clear();
    for (const auto &p : m_session->profiles()->profiles()) {
        QString text = p.name;
        if (!p.environment.isEmpty())
            text += QStringLiteral(" — ") + p.environment;
        m_profiles->addItem(text, p.id);
    }
    const int i = m_profiles->findData(current);
    m_profiles->setCurrentIndex(i >= 0 ? i : 0);
    m_reloading = false;
    // The profile in use may have been edited: connect again with what was saved.
    if (!current.isEmpty() && i >= 0 && m_session->profiles()->profile(current) != m_session->profile())
        m_session->connectTo(current);
}

void ServerBar::updateState()
{
    const auto &caps = m_session->capabilities();
    auto dot = [](const char *color, const QString &text) {
        return QStringLiteral("<span style='color:%1'>●</span> %2").arg(QLatin1String(color), text.toHtmlEscaped());
    };
    m_details->setEnabled(m_session->state() == ServerSession::State::Connected);
    switch (m_session->state()) {
    case ServerSession::State::Disconnected:
        m_state->setText(dot("gray", tr("Not connected")));
        static_cast<ElidedLabel *>(m_info)->setFullText({});
        break;
    case ServerSession::State::Connecting:
        m_state->setText(dot("#c90", tr("Connecting…")));
        static_cast<ElidedLabel *>(m_info)->setFullText(m_session->profile().baseUrl.toString());
        break;
    case ServerSession::State::Connected: {
        m_state->setText(dot("#2a2", tr("Connected")));
        QStringList levels;
        if (caps.systemExport)
            levels << tr("system");
        if (caps.patientExport)
            levels << tr("Patient");
        if (caps.groupExport)
            levels << tr("Group");
        QString software = caps.softwareName;
        if (!caps.softwareVersion.isEmpty())
            software += QLatin1Char(' ') + caps.softwareVersion;
        const QString text =
            tr("%1 · FHIR %2 · export: %3")
                .arg(software.isEmpty() ? m_session->client() ? m_session->profile().name : QString() : software,
                     caps.fhirVersion.isEmpty() ? tr("version unknown") : caps.fhirVersion,
                     levels.isEmpty() ? tr("not offered") : levels.join(QStringLiteral(", ")));
        static_cast<ElidedLabel *>(m_info)->setFullText(text);
        m_info->setToolTip(text + QLatin1Char('\n') + m_session->profile().baseUrl.toString());
        break;
    }
    case ServerSession::State::Failed:
        m_state->setText(dot("#d22", tr("Not connected")));
        static_cast<ElidedLabel *>(m_info)->setFullText(m_session->errorMessage());
        m_info->setToolTip(m_session->errorDetail());
        break;
    }
}

} // namespace cohort::ui
