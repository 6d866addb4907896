#pragma once

#include "session/ExportManager.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QLineEdit;
class QSpinBox;

namespace cohort::ui {

// Preferences: default export folder, parallel downloads, polling cap, delete on the server
// after download, log level.
class SettingsDialog : public QDialog
{
    Q_OBJECT
public:
    explicit SettingsDialog(const session::ExportDefaults &defaults, int logLevel,
                            QWidget *parent = nullptr);

    session::ExportDefaults defaults() const;
    int logLevel() const; // 0 quiet, 1 normal, 2 debug

    // Applies a log level to the app's logging categories.
    static void applyLogLevel(int level);

private:
    QLineEdit *m_folder;
    QSpinBox *m_parallel;
    QSpinBox *m_pollCap;
    QCheckBox *m_delete;
    QComboBox *m_logLevel;
};

} // namespace cohort::ui
