#include "SettingsDialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QLoggingCategory>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace cohort::ui {

SettingsDialog::SettingsDialog(const session::ExportDefaults &defaults, int logLevel, QWidget *parent)
    : QDialog(parent)
    , m_folder(new QLineEdit(QDir::toNativeSeparators(defaults.folder), this))
    , m_parallel(new QSpinBox(this))
    , m_pollCap(new QSpinBox(this))
    , m_delete(new QCheckBox(tr("&Delete the export on the server once everything is downloaded"), this))
    , m_logLevel(new QComboBox(this))
{
    setWindowTitle(tr("Settings"));
    auto *browse = new QPushButton(tr("&Browse…"), this);
    auto *folderRow = new QHBoxLayout;
    folderRow->addWidget(m_folder, 1);
    folderRow->addWidget(browse);
    m_parallel->setRange(1, 32);
    m_parallel->setValue(defaults.parallelDownloads);
    m_parallel->setToolTip(tr("Used when the server profile does not set its own number"));
    m_pollCap->setRange(5, 3600);
    m_pollCap->setSuffix(tr(" s"));
    m_pollCap->setValue(defaults.pollCapSeconds);
    m_pollCap->setToolTip(tr("The longest wait between status checks when the server does not "
                             "say how long to wait"));
    m_delete->setChecked(defaults.deleteOnServerAfterDownload);
    m_logLevel->addItems({tr("Quiet (problems only)"), tr("Normal"), tr("Debug (every request)")});
    m_logLevel->setCurrentIndex(qBound(0, logLevel, 2));
    m_logLevel->setToolTip(tr("What the app writes to its standard error; secrets are always removed"));

    auto *form = new QFormLayout;
    form->addRow(tr("Default export &folder:"), folderRow);
    form->addRow(tr("&Parallel downloads:"), m_parallel);
    form->addRow(tr("Longest &wait between checks:"), m_pollCap);
    form->addRow(m_delete);
    form->addRow(tr("&Log level:"), m_logLevel);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addStretch();
    layout->addWidget(buttons);
    setMinimumWidth(560);

    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Default export folder"),
                                                              m_folder->text());
        if (!dir.isEmpty())
            m_folder->setText(QDir::toNativeSeparators(dir));
    });
}

session::ExportDefaults SettingsDialog::defaults() const
{
    session::ExportDefaults d;
    d.folder = QDir::fromNativeSeparators(m_folder->text().trimmed());
    if (d.folder.isEmpty())
        d.folder = session::ExportDefaults::standardFolder();
    d.parallelDownloads = m_parallel->value();
    d.pollCapSeconds = m_pollCap->value();
    d.deleteOnServerAfterDownload = m_delete->isChecked();
    return d;
}

int SettingsDialog::logLevel() const
{
    return m_logLevel->currentIndex();
}

void SettingsDialog::applyLogLevel(int level)
{
    switch (level) {
    case 0:
        QLoggingCategory::setFilterRules(QStringLiteral("cohort.*.info=false\ncohort.*.debug=false"));
        break;
    case 2:
        QLoggingCategory::setFilterRules(QStringLiteral("cohort.*.info=true\ncohort.*.debug=true"));
        break;
    default:
        QLoggingCategory::setFilterRules(QStringLiteral("cohort.*.info=true\ncohort.*.debug=false"));
        break;
    }
}

} // namespace cohort::ui
