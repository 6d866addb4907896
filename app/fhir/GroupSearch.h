#pragma once

#include "FhirError.h"
#include "Group.h"

#include <QObject>
#include <QPointer>
#include <QUrl>

namespace cohort::fhir {

class FhirClient;
class FhirCall;

// One page of a Group search: the Bundle's Groups (entries with search.mode "include" are not
// results), its "next" link resolved against the page's URL (empty when absent, invalid or
// pointing back at the page itself) and Bundle.total (-1 when not given).
struct GroupPage
{
    QList<Group> groups;
    QUrl next;
    int total = -1;
};
// nullopt when the JSON is not a Bundle.
std::optional<GroupPage> parseGroupPage(const QJsonObject &bundle, const QUrl &pageUrl);

// GET [base]/Group?name:contains=...&_count=N, then the Bundle's "next" links, page by page.
class GroupSearch : public QObject
{
    Q_OBJECT
public:
    explicit GroupSearch(FhirClient *client, QObject *parent = nullptr);
    ~GroupSearch() override;

    // Starts a new search, cancelling a running one. Empty text: every Group.
    void start(const QString &nameContains = {}, int pageSize = 50);
    void fetchMore(); // the next page, when hasMore() and not loading
    void cancel();
    bool hasMore() const;
    bool isLoading() const;
    int total() const; // Bundle.total of the first page, -1 when the server gave none

signals:
    void pageLoaded(const QList<cohort::fhir::Group> &groups, bool hasMore);
    void failed(const cohort::fhir::FhirError &error);

private:
    void load(const QUrl &url);
    FhirClient *m_client;
    QPointer<FhirCall> m_call;
    QUrl m_next;
    int m_total = -1;
    quint64 m_generation = 0;
};

} // namespace cohort::fhir
