#pragma once

#include <QMainWindow>

class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTableWidget;

namespace cohort::demo {
class DemoServer;
}

namespace cohort::ui {

// The main window. For now it runs the built-in demo server (the default profile) and shows
// what it serves, so a new user can point any Bulk Data client at it within a minute.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    demo::DemoServer *demoServer() const { return m_server; }

private:
    void startDemoServer();
    void appendRequest(const QString &method, const QString &path, int status);

    demo::DemoServer *m_server = nullptr;
    QLabel *m_status = nullptr;
    QLabel *m_summary = nullptr;
    QPushButton *m_copy = nullptr;
    QTableWidget *m_groups = nullptr;
    QPlainTextEdit *m_log = nullptr;
};

} // namespace cohort::ui
