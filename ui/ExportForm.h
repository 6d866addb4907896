#pragma once

#include "export/ExportRequest.h"
#include "fhir/Group.h"

#include <QDateTime>
#include <QWidget>
#include <optional>

class QCheckBox;
class QComboBox;
class QDateTimeEdit;
class QFrame;
class QLabel;
class QLineEdit;
class QListView;
class QPlainTextEdit;
class QPushButton;
class QSortFilterProxyModel;
class QStandardItemModel;

namespace cohort::fhir {
struct CapabilityStatement;
}

namespace cohort::ui {

// What to export for the selected Group: resource types, since, folder and the advanced
// parameters. Checks the input before anything is sent and says what the button will do.
class ExportForm : public QWidget
{
    Q_OBJECT
public:
    explicit ExportForm(QWidget *parent = nullptr);

    static QStringList clinicalCore();

    void setCapabilities(const fhir::CapabilityStatement *capabilities); // nullptr: disconnected
    void setGroup(const std::optional<fhir::Group> &group);
    void setSuggestedFolder(const QString &folder); // kept unless the user typed their own
    void setLastExportTime(const QDateTime &transactionTime); // invalid: none
    void setBusy(bool busy);

    QStringList checkedTypes() const;
    void setCheckedTypes(const QStringList &types);
    QString folder() const;
    // The request, or nullopt after pointing at what is wrong.
    std::optional<bulk::ExportRequest> buildRequest();
    // Problems as (field widget, sentence); empty when the form can be sent.
    QList<QPair<QWidget *, QString>> problems() const;

    // For tests and keyboard users.
    QLineEdit *typeFilter() const { return m_typeFilter; }
    QCheckBox *sinceEnabled() const { return m_sinceEnabled; }
    QDateTimeEdit *sinceEdit() const { return m_since; }
    QLineEdit *folderEdit() const { return m_folder; }
    QPushButton *exportButton() const { return m_export; }
    QLabel *errorLabel() const { return m_error; }
    QCheckBox *advancedBox() const { return m_advanced; }
    QLineEdit *patientsEdit() const { return m_patients; }
    QPlainTextEdit *typeFiltersEdit() const { return m_typeFilters; }

signals:
    void exportRequested(const cohort::bulk::ExportRequest &request, const QString &folder,
                         const QString &label);
    void browseFolderRequested();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void updateButton();
    void showProblems(const QList<QPair<QWidget *, QString>> &problems);
    static QString instantOf(const QDateTime &local);

    std::optional<fhir::Group> m_group;
    bool m_connected = false;
    bool m_busy = false;
    bool m_folderEdited = false;
    bool m_updating = false; // many check states change at once: one update at the end
    QDateTime m_lastExport;

    QLabel *m_title;
    QLineEdit *m_typeFilter;
    QStandardItemModel *m_types;
    QSortFilterProxyModel *m_typeProxy;
    QListView *m_typeList;
    QLabel *m_typeCount;
    QCheckBox *m_sinceEnabled;
    QDateTimeEdit *m_since;
    QPushButton *m_sinceLast;
    QLineEdit *m_folder;
    QCheckBox *m_advanced;
    QFrame *m_advancedBody;
    QCheckBox *m_untilEnabled;
    QDateTimeEdit *m_until;
    QComboBox *m_outputFormat;
    QLineEdit *m_elements;
    QPlainTextEdit *m_typeFilters;
    QLineEdit *m_patients;
    QCheckBox *m_lenient;
    QCheckBox *m_post;
    QLabel *m_error;
    QPushButton *m_export;
};

} // namespace cohort::ui
