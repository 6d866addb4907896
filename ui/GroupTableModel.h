#pragma once

#include "fhir/FhirError.h"
#include "fhir/Group.h"

#include <QAbstractTableModel>
#include <QPointer>

namespace cohort::fhir {
class FhirClient;
class GroupSearch;
} // namespace cohort::fhir

namespace cohort::ui {

// The Groups of the server, page by page: the view's fetchMore() (scrolling) asks for the next
// page of the running search.
class GroupTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        Name,
        Type,
        Actual,
        Members,
        Active,
        Id,
        ColumnCount
    };
    enum Status
    {
        Idle,    // no server
        Loading, // first page
        Ready,
        Empty,
        Error
    };
    Q_ENUM(Status)

    explicit GroupTableModel(QObject *parent = nullptr);
    ~GroupTableModel() override;

    void setClient(fhir::FhirClient *client); // nullptr: empty, Idle
    void search(const QString &nameContains);
    void retry();

    Status status() const { return m_status; }
    bool isLoadingMore() const;
    QString errorMessage() const { return m_error.message(); }
    int total() const; // Bundle.total or -1
    const fhir::Group *group(int row) const;
    QString lastSearch() const { return m_text; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;

signals:
    void statusChanged(cohort::ui::GroupTableModel::Status status);
    void loadingMoreChanged(bool loading);

private:
    void setStatus(Status status);

    QPointer<fhir::FhirClient> m_client;
    fhir::GroupSearch *m_search = nullptr;
    QList<fhir::Group> m_groups;
    Status m_status = Idle;
    fhir::FhirError m_error;
    QString m_text;
};

} // namespace cohort::ui
