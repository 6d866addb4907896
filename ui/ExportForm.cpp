#include "ExportForm.h"

#include "fhir/CapabilityStatement.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QDir>
#include <QEvent>
#include <QFileInfo>
#include <QFormLayout>
#include <QFrame>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScopedValueRollback>
#include <QScrollArea>
#include <QSortFilterProxyModel>
#include <QStandardItemModel>
#include <QTimeZone>
#include <QTimer>
#include <QVBoxLayout>

namespace cohort::ui {

using namespace Qt::StringLiterals;

namespace {

QString offsetText(const QDateTime &dt)
{
    const int offset = dt.offsetFromUtc();
    if (offset == 0)
        return u"UTC"_s;
    const int minutes = qAbs(offset) / 60;
    return u"UTC%1%2:%3"_s.arg(offset < 0 ? u"−"_s : u"+"_s)
        .arg(minutes / 60, 2, 10, QLatin1Char('0'))
        .arg(minutes % 60, 2, 10, QLatin1Char('0'));
}

QDateTimeEdit *makeDateTimeEdit(QWidget *parent)
{
    auto *edit = new QDateTimeEdit(QDateTime::currentDateTime().addDays(-30), parent);
    edit->setCalendarPopup(true);
    edit->setDisplayFormat(u"yyyy-MM-dd HH:mm"_s);
    edit->setMaximumDateTime(QDateTime::currentDateTime().addYears(1));
    return edit;
}

} // namespace

QStringList ExportForm::clinicalCore()
{
    return {u"Patient"_s,           u"Encounter"_s,    u"Condition"_s,
            u"Observation"_s,       u"Procedure"_s,    u"MedicationRequest"_s,
            u"AllergyIntolerance"_s, u"Immunization"_s, u"DiagnosticReport"_s};
}

ExportForm::ExportForm(QWidget *parent)
    : QWidget(parent)
    , m_title(new QLabel(this))
    , m_typeFilter(new QLineEdit(this))
    , m_types(new QStandardItemModel(this))
    , m_typeProxy(new QSortFilterProxyModel(this))
    , m_typeList(new QListView(this))
    , m_typeCount(new QLabel(this))
    , m_sinceEnabled(new QCheckBox(tr("Only resources changed &since"), this))
    , m_since(makeDateTimeEdit(this))
    , m_sinceLast(new QPushButton(tr("Since my &last export"), this))
    , m_folder(new QLineEdit(this))
    , m_advanced(new QCheckBox(tr("&Advanced parameters"), this))
    , m_advancedBody(new QFrame(this))
    , m_untilEnabled(new QCheckBox(tr("&Until"), this))
    , m_until(makeDateTimeEdit(this))
    , m_outputFormat(new QComboBox(this))
    , m_elements(new QLineEdit(this))
    , m_typeFilters(new QPlainTextEdit(this))
    , m_patients(new QLineEdit(this))
    , m_lenient(new QCheckBox(tr("Lenient &handling (skip unsupported parameters)"), this))
    , m_post(new QCheckBox(tr("Send as &POST (Parameters resource)"), this))
    , m_error(new QLabel(this))
    , m_export(new QPushButton(tr("&Export"), this))
{
    setObjectName(u"exportForm"_s);
    m_title->setWordWrap(true);
    m_title->setTextFormat(Qt::RichText);

    // Resource types.
    m_typeFilter->setPlaceholderText(tr("Filter types"));
    m_typeFilter->setClearButtonEnabled(true);
    m_typeFilter->setAccessibleName(tr("Filter resource types"));
    m_typeProxy->setSourceModel(m_types);
    m_typeProxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_typeList->setModel(m_typeProxy);
    m_typeList->setAccessibleName(tr("Resource types to export"));
    m_typeList->setMinimumHeight(90);
    m_typeList->setUniformItemSizes(true);
    auto *all = new QPushButton(tr("A&ll"), this);
    auto *none = new QPushButton(tr("&None"), this);
    auto *core = new QPushButton(tr("&Clinical core"), this);
    core->setToolTip(clinicalCore().join(u", "_s));
    auto *typeButtons = new QHBoxLayout;
    typeButtons->addWidget(all);
    typeButtons->addWidget(none);
    typeButtons->addWidget(core);
    typeButtons->addStretch();
    typeButtons->addWidget(m_typeCount);
    auto *typeBox = new QGroupBox(tr("Resource &types"), this);
    auto *typeLayout = new QVBoxLayout(typeBox);
    typeLayout->addWidget(m_typeFilter);
    typeLayout->addWidget(m_typeList, 1);
    typeLayout->addLayout(typeButtons);

    // Since and folder.
    m_since->setEnabled(false);
    m_since->setAccessibleName(tr("Since date and time"));
    auto *zone = new QLabel(offsetText(QDateTime::currentDateTime()), this);
    zone->setToolTip(tr("Your computer's time zone; the server receives the time with this offset."));
    m_sinceLast->setEnabled(false);
    auto *sinceRow = new QHBoxLayout;
    sinceRow->addWidget(m_since, 1);
    sinceRow->addWidget(zone);
    sinceRow->addWidget(m_sinceLast);

    m_folder->setAccessibleName(tr("Export folder"));
    m_folder->setPlaceholderText(tr("A new folder for the export"));
    // A suggested folder is taken whole or replaced: clicking into it selects it all.
    m_folder->installEventFilter(this);
    auto *browse = new QPushButton(tr("&Browse…"), this);
    auto *folderRow = new QHBoxLayout;
    folderRow->addWidget(m_folder, 1);
    folderRow->addWidget(browse);
    auto *folderLabel = new QLabel(tr("&Folder:"), this);
    folderLabel->setBuddy(m_folder);

    // Advanced.
    m_advanced->setChecked(false);
    m_advanced->setToolTip(tr("_until, _outputFormat, _elements, _typeFilter, a subset of "
                              "patients, lenient handling and POST"));
    m_advancedBody->setFrameShape(QFrame::StyledPanel);
    m_until->setEnabled(false);
    m_until->setAccessibleName(tr("Until date and time"));
    m_outputFormat->setEditable(true);
    m_outputFormat->addItem(tr("Server default"), QString());
    m_outputFormat->addItem(u"application/fhir+ndjson"_s, u"application/fhir+ndjson"_s);
    m_outputFormat->addItem(u"application/ndjson"_s, u"application/ndjson"_s);
    m_outputFormat->addItem(u"ndjson"_s, u"ndjson"_s);
    m_outputFormat->setAccessibleName(tr("Output format"));
    m_elements->setPlaceholderText(tr("e.g. id,meta,code (empty: all elements)"));
    m_elements->setAccessibleName(tr("Elements"));
    m_typeFilters->setPlaceholderText(tr("One per line, e.g. Observation?category=laboratory"));
    m_typeFilters->setAccessibleName(tr("Type filters"));
    m_typeFilters->setTabChangesFocus(true);
    m_typeFilters->setFixedHeight(m_typeFilters->fontMetrics().lineSpacing() * 3 + 12);
    m_patients->setPlaceholderText(tr("Patient ids, comma-separated (empty: the whole Group)"));
    m_patients->setAccessibleName(tr("Subset of patients"));
    auto *advancedForm = new QFormLayout(m_advancedBody);
    advancedForm->setContentsMargins(8, 8, 8, 8);
    auto *untilRow = new QHBoxLayout;
    untilRow->addWidget(m_untilEnabled);
    untilRow->addWidget(m_until, 1);
    advancedForm->addRow(untilRow);
    auto addRow = [advancedForm, this](const QString &text, QWidget *field) {
        auto *label = new QLabel(text, this);
        label->setBuddy(field);
        advancedForm->addRow(label, field);
    };
    addRow(tr("&Output format:"), m_outputFormat);
    addRow(tr("E&lements:"), m_elements);
    addRow(tr("Type fi&lters:"), m_typeFilters);
    addRow(tr("&Patients:"), m_patients);
    advancedForm->addRow(m_lenient);
    advancedForm->addRow(m_post);
    m_advancedBody->setVisible(false);

    m_error->setWordWrap(true);
    m_error->setObjectName(u"formError"_s);
    m_error->setStyleSheet(u"QLabel#formError { color: #c0392b; }"_s);
    m_error->setAccessibleName(tr("Problems with the export form"));
    m_error->hide();
    m_export->setDefault(true);
    m_export->setMinimumHeight(m_export->sizeHint().height() + 6);

    // The fields scroll when the window is small; the problems and the button stay in view.
    auto *fields = new QWidget(this);
    auto *fieldLayout = new QVBoxLayout(fields);
    fieldLayout->setContentsMargins(0, 0, 4, 0);
    fieldLayout->addWidget(typeBox, 1);
    fieldLayout->addWidget(m_sinceEnabled);
    fieldLayout->addLayout(sinceRow);
    fieldLayout->addWidget(folderLabel);
    fieldLayout->addLayout(folderRow);
    fieldLayout->addWidget(m_advanced);
    fieldLayout->addWidget(m_advancedBody);
    auto *scroll = new QScrollArea(this);
    scroll->setWidget(fields);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 0, 0, 0);
    layout->addWidget(m_title);
    layout->addWidget(scroll, 1);
    layout->addWidget(m_error);
    layout->addWidget(m_export);

    connect(m_typeFilter, &QLineEdit::textChanged, m_typeProxy,
            &QSortFilterProxyModel::setFilterFixedString);
    connect(m_types, &QStandardItemModel::itemChanged, this, [this] {
        if (!m_updating)
            updateButton();
    });
    auto checkAll = [this](const QStringList *only) {
        const QScopedValueRollback guard(m_updating, true);
        for (int i = 0; i < m_types->rowCount(); ++i) {
            QStandardItem *item = m_types->item(i);
            const bool on = only ? only->contains(item->text()) : true;
            item->setCheckState(on ? Qt::Checked : Qt::Unchecked);
        }
        updateButton();
    };
    connect(all, &QPushButton::clicked, this, [checkAll] { checkAll(nullptr); });
    connect(none, &QPushButton::clicked, this, [checkAll] {
        const QStringList nothing;
        checkAll(&nothing);
    });
    connect(core, &QPushButton::clicked, this, [checkAll] {
        const QStringList coreTypes = clinicalCore();
        checkAll(&coreTypes);
    });
    connect(m_sinceEnabled, &QCheckBox::toggled, m_since, &QWidget::setEnabled);
    connect(m_sinceEnabled, &QCheckBox::toggled, this, &ExportForm::updateButton);
    connect(m_sinceLast, &QPushButton::clicked, this, [this] {
        if (!m_lastExport.isValid())
            return;
        m_sinceEnabled->setChecked(true);
        m_since->setDateTime(m_lastExport.toLocalTime());
    });
    connect(m_untilEnabled, &QCheckBox::toggled, m_until, &QWidget::setEnabled);
    connect(m_advanced, &QCheckBox::toggled, m_advancedBody, &QWidget::setVisible);
    connect(m_advanced, &QCheckBox::toggled, this, &ExportForm::updateButton);
    connect(m_folder, &QLineEdit::textEdited, this, [this] { m_folderEdited = true; });
    connect(browse, &QPushButton::clicked, this, &ExportForm::browseFolderRequested);
    connect(m_patients, &QLineEdit::textChanged, this, &ExportForm::updateButton);
    connect(m_export, &QPushButton::clicked, this, [this] {
        if (auto request = buildRequest()) {
            emit exportRequested(*request, folder(),
                                 m_group && !m_group->name.isEmpty() ? m_group->name : m_group->id);
        }
    });
    setCapabilities(nullptr);
}

void ExportForm::setCapabilities(const fhir::CapabilityStatement *caps)
{
    const QStringList previous = checkedTypes();
    const bool hadTypes = m_types->rowCount() > 0;
    m_connected = caps;
    const QScopedValueRollback guard(m_updating, true);
    m_types->clear();
    if (caps) {
        for (const QString &type : caps->resourceTypes()) {
            auto *item = new QStandardItem(type);
            item->setCheckable(true);
            item->setEditable(false);
            // A new server starts with the clinical core; the same one keeps the user's choice.
            const bool on = hadTypes ? previous.contains(type) : clinicalCore().contains(type);
            item->setCheckState(on ? Qt::Checked : Qt::Unchecked);
            const fhir::ResourceCapability *r = caps->resource(type);
            if (r && !r->interactions.isEmpty())
                item->setToolTip(tr("Interactions: %1").arg(r->interactions.join(u", "_s)));
            m_types->appendRow(item);
        }
    }
    updateButton();
}

void ExportForm::setGroup(const std::optional<fhir::Group> &group)
{
    m_group = group;
    updateButton();
}

void ExportForm::setSuggestedFolder(const QString &folder)
{
    if (!m_folderEdited || m_folder->text().isEmpty()) {
        m_folder->setText(folder);
        m_folderEdited = false;
    }
}

bool ExportForm::eventFilter(QObject *watched, QEvent *event)
{
    // After the click that gave focus has placed the cursor (keyboard focus selects all anyway).
    if (watched == m_folder && event->type() == QEvent::FocusIn && !m_folderEdited)
        QTimer::singleShot(0, m_folder, &QLineEdit::selectAll);
    return QWidget::eventFilter(watched, event);
}

void ExportForm::setLastExportTime(const QDateTime &transactionTime)
{
    m_lastExport = transactionTime;
    m_sinceLast->setEnabled(transactionTime.isValid());
    m_sinceLast->setToolTip(transactionTime.isValid()
                                ? tr("The server's time of your last complete export of this "
                                     "Group: %1")
                                      .arg(QLocale().toString(transactionTime.toLocalTime(), QLocale::LongFormat))
                                : tr("No complete export of this Group yet."));
}

void ExportForm::setBusy(bool busy)
{
    m_busy = busy;
    updateButton();
}

QStringList ExportForm::checkedTypes() const
{
    QStringList types;
    for (int i = 0; i < m_types->rowCount(); ++i) {
        if (m_types->item(i)->checkState() == Qt::Checked)
            types.append(m_types->item(i)->text());
    }
    return types;
}

void ExportForm::setCheckedTypes(const QStringList &types)
{
    {
        const QScopedValueRollback guard(m_updating, true);
        for (int i = 0; i < m_types->rowCount(); ++i)
            m_types->item(i)->setCheckState(types.contains(m_types->item(i)->text()) ? Qt::Checked
                                                                                     : Qt::Unchecked);
    }
    updateButton();
}

QString ExportForm::folder() const
{
    return m_folder->text().trimmed();
}

QString ExportForm::instantOf(const QDateTime &local)
{
    // A FHIR instant with the user's offset, e.g. 2026-11-01T08:00:00+01:00.
    QDateTime dt = local;
    dt.setTime(QTime(dt.time().hour(), dt.time().minute(), 0));
    return dt.toOffsetFromUtc(dt.offsetFromUtc()).toString(Qt::ISODate);
}

QList<QPair<QWidget *, QString>> ExportForm::problems() const
{
    QList<QPair<QWidget *, QString>> list;
    if (!m_connected)
        list.append({nullptr, tr("Connect to a server first.")});
    if (m_connected && checkedTypes().isEmpty())
        list.append({m_typeList, tr("Choose at least one resource type.")});
    if (m_sinceEnabled->isChecked() && m_since->dateTime() > QDateTime::currentDateTime())
        list.append({m_since, tr("The since date is in the future: nothing would be exported.")});
    if (folder().isEmpty()) {
        list.append({m_folder, tr("Choose a folder for the export.")});
    } else if (!QDir::isAbsolutePath(QDir::fromNativeSeparators(folder()))) {
        list.append({m_folder, tr("The folder must be a full path.")});
    } else if (QFileInfo::exists(QDir(QDir::fromNativeSeparators(folder())).filePath(u"export.json"_s))) {
        list.append({m_folder, tr("This folder already holds an export; choose a new one.")});
    }
    return list;
}

std::optional<bulk::ExportRequest> ExportForm::buildRequest()
{
    // The form's own checks (a connection, a folder...), then the request's rules, which live
    // in bulk::ExportRequest::validate() alone: each problem marks the field it is about.
    auto list = problems();
    bulk::ExportRequest r;
    r.level = bulk::ExportRequest::Level::Group;
    r.groupId = m_group ? m_group->id : QString();
    r.types = checkedTypes();
    if (r.types.size() == m_types->rowCount())
        r.types.clear(); // everything: let the server say what it has
    if (m_sinceEnabled->isChecked())
        r.since = instantOf(m_since->dateTime());
    if (m_advanced->isChecked()) {
        if (m_untilEnabled->isChecked())
            r.until = instantOf(m_until->dateTime());
        const int i = m_outputFormat->currentIndex();
        r.outputFormat = i >= 0 && m_outputFormat->itemText(i) == m_outputFormat->currentText()
                             ? m_outputFormat->itemData(i).toString()
                             : m_outputFormat->currentText().trimmed();
        for (const QString &e : m_elements->text().split(QLatin1Char(','), Qt::SkipEmptyParts))
            if (!e.trimmed().isEmpty())
                r.elements.append(e.trimmed());
        for (const QString &f :
             m_typeFilters->toPlainText().split(QLatin1Char('\n'), Qt::SkipEmptyParts))
            if (!f.trimmed().isEmpty())
                r.typeFilters.append(f.trimmed());
        for (const QString &p : m_patients->text().split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            const QString id = p.trimmed();
            if (!id.isEmpty())
                r.patients.append(id.startsWith(u"Patient/"_s) ? id : u"Patient/"_s + id);
        }
        r.lenient = m_lenient->isChecked();
        r.post = m_post->isChecked();
    }
    using Field = bulk::ExportRequest::Problem::Field;
    for (const auto &[field, message] : r.validate()) {
        QWidget *widget = nullptr;
        switch (field) {
        case Field::Group:
            break; // chosen in the Group list, not on this form
        case Field::Types:
            widget = m_typeList;
            break;
        case Field::Since:
            widget = m_since;
            break;
        case Field::Until:
            widget = m_until;
            break;
        case Field::TypeFilters:
            widget = m_typeFilters;
            break;
        case Field::Patients:
            widget = m_patients;
            break;
        }
        list.append({widget, message});
    }
    showProblems(list);
    if (!list.isEmpty())
        return std::nullopt;
    return r;
}

void ExportForm::showProblems(const QList<QPair<QWidget *, QString>> &list)
{
    static const auto kMarked = u"invalidField"_s;
    for (QWidget *w : {static_cast<QWidget *>(m_typeList), static_cast<QWidget *>(m_since),
                       static_cast<QWidget *>(m_until), static_cast<QWidget *>(m_folder),
                       static_cast<QWidget *>(m_typeFilters), static_cast<QWidget *>(m_patients)})
        w->setStyleSheet({});
    if (list.isEmpty()) {
        m_error->hide();
        return;
    }
    QStringList sentences;
    QWidget *first = nullptr;
    for (const auto &[widget, text] : list) {
        sentences.append(text);
        if (widget) {
            widget->setStyleSheet(u"border: 1px solid #c0392b;"_s);
            if (!first)
                first = widget;
        }
    }
    m_error->setText(sentences.join(QLatin1Char('\n')));
    m_error->show();
    if (first) {
        if (first == m_typeFilters || first == m_until || first == m_patients)
            m_advanced->setChecked(true);
        first->setFocus();
    }
}

void ExportForm::updateButton()
{
    const int types = int(checkedTypes().size());
    m_typeCount->setText(tr("%1 of %2").arg(types).arg(m_types->rowCount()));
    if (!m_group) {
        m_title->setText(tr("<b>Export</b><br>Select a Group on the left."));
    } else {
        m_title->setText(tr("<b>Export “%1”</b>")
                             .arg((m_group->name.isEmpty() ? m_group->id : m_group->name).toHtmlEscaped()));
    }
    const int patients = m_group ? (m_group->quantity ? *m_group->quantity : m_group->memberCount()) : 0;
    const int subset = m_advanced->isChecked()
                           ? int(m_patients->text().split(QLatin1Char(','), Qt::SkipEmptyParts).size())
                           : 0;
    const QString who = subset > 0 ? tr("%n chosen patient(s)", nullptr, subset)
                        : patients > 0 ? tr("%n patient(s)", nullptr, patients)
                                       : tr("the Group");
    const QString what = types == m_types->rowCount() && types > 0
                             ? tr("all resource types")
                             : tr("%n resource type(s)", nullptr, types);
    m_export->setText(m_busy ? tr("Starting export…") : tr("&Export %1 for %2").arg(what, who));
    m_export->setEnabled(m_connected && m_group && !m_busy);
    m_export->setAccessibleDescription(m_export->text().remove(QLatin1Char('&')));
}

} // namespace cohort::ui
