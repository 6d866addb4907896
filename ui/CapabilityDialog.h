#pragma once

#include "fhir/CapabilityStatement.h"

#include <QDialog>

class QLineEdit;
class QListWidget;
class QTextBrowser;

namespace cohort::ui {

// What the server declares per resource type: interactions, search parameters, operations and
// supported profiles.
class CapabilityDialog : public QDialog
{
    Q_OBJECT
public:
    CapabilityDialog(const fhir::CapabilityStatement &capabilities, const QString &serverName,
                     QWidget *parent = nullptr);

private:
    void showType(const QString &type);

    fhir::CapabilityStatement m_caps;
    QLineEdit *m_filter;
    QListWidget *m_types;
    QTextBrowser *m_detail;
};

} // namespace cohort::ui
