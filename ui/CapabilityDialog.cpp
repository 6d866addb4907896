#include "CapabilityDialog.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QSplitter>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace cohort::ui {

CapabilityDialog::CapabilityDialog(const fhir::CapabilityStatement &capabilities,
                                   const QString &serverName, QWidget *parent)
    : QDialog(parent)
    , m_caps(capabilities)
    , m_filter(new QLineEdit(this))
    , m_types(new QListWidget(this))
    , m_detail(new QTextBrowser(this))
{
    setWindowTitle(tr("Server details — %1").arg(serverName));
    QString software = m_caps.softwareName;
    if (!m_caps.softwareVersion.isEmpty())
        software += QLatin1Char(' ') + m_caps.softwareVersion;
    QStringList levels;
    if (m_caps.systemExport)
        levels << tr("system");
    if (m_caps.patientExport)
        levels << tr("Patient");
    if (m_caps.groupExport)
        levels << tr("Group");
    auto *summary = new QLabel(
        tr("<b>%1</b><br>FHIR %2 · %n resource type(s) · export levels: %3", nullptr,
           int(m_caps.resources.size()))
            .arg(software.isEmpty() ? serverName.toHtmlEscaped() : software.toHtmlEscaped(),
                 m_caps.fhirVersion.toHtmlEscaped(),
                 levels.isEmpty() ? tr("none") : levels.join(QStringLiteral(", "))),
        this);
    summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    summary->setWordWrap(true);

    m_filter->setPlaceholderText(tr("Filter resource types"));
    m_filter->setClearButtonEnabled(true);
    m_filter->setAccessibleName(tr("Filter resource types"));
    m_types->setAccessibleName(tr("Resource types"));
    m_detail->setAccessibleName(tr("Resource type details"));
    for (const QString &type : m_caps.resourceTypes())
        m_types->addItem(type);

    auto *left = new QWidget(this);
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(m_filter);
    leftLayout->addWidget(m_types);
    auto *split = new QSplitter(this);
    split->addWidget(left);
    split->addWidget(m_detail);
    split->setStretchFactor(1, 1);
    split->setSizes({220, 480});

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(summary);
    layout->addWidget(split, 1);
    layout->addWidget(buttons);
    resize(760, 520);

    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_filter, &QLineEdit::textChanged, this, [this](const QString &text) {
        for (int i = 0; i < m_types->count(); ++i)
            m_types->item(i)->setHidden(!m_types->item(i)->text().contains(text, Qt::CaseInsensitive));
    });
    connect(m_types, &QListWidget::currentTextChanged, this, &CapabilityDialog::showType);
    if (m_types->count())
        m_types->setCurrentRow(0);
}

void CapabilityDialog::showType(const QString &type)
{
    const fhir::ResourceCapability *r = m_caps.resource(type);
    if (!r) {
        m_detail->clear();
        return;
    }
    auto list = [](const QStringList &items) {
        if (items.isEmpty())
            return tr("<i>none declared</i>");
        QStringList escaped;
        for (const QString &s : items)
            escaped << s.toHtmlEscaped();
        return escaped.join(QStringLiteral(", "));
    };
    QString html = QStringLiteral("<h3>%1</h3>").arg(type.toHtmlEscaped());
    html += tr("<p><b>Interactions:</b> %1</p>").arg(list(r->interactions));
    html += tr("<p><b>Operations:</b> %1</p>").arg(list(r->operations));
    html += tr("<p><b>Search parameters:</b> %1</p>").arg(list(r->searchParams));
    html += tr("<p><b>Supported profiles:</b></p>");
    if (r->supportedProfiles.isEmpty()) {
        html += tr("<p><i>none declared</i></p>");
    } else {
        html += QStringLiteral("<ul>");
        for (const QString &p : r->supportedProfiles)
            html += QStringLiteral("<li>%1</li>").arg(p.toHtmlEscaped());
        html += QStringLiteral("</ul>");
    }
    m_detail->setHtml(html);
}

} // namespace cohort::ui
