#include "GroupSearch.h"

#include "FhirClient.h"

#include <QJsonArray>

namespace cohort::fhir {

using namespace Qt::StringLiterals;

std::optional<GroupPage> parseGroupPage(const QJsonObject &bundle, const QUrl &pageUrl)
{
    if (bundle.value("resourceType"_L1).toString() != "Bundle"_L1)
        return std::nullopt;
    GroupPage page;
    if (bundle.value("total"_L1).isDouble())
        page.total = bundle.value("total"_L1).toInt();
    for (const QJsonValue &value : bundle.value("entry"_L1).toArray()) {
        const QJsonObject entry = value.toObject();
        // Included resources (search.mode "include") are not results.
        if (entry.value("search"_L1).toObject().value("mode"_L1).toString() == "include"_L1)
            continue;
        if (auto group = Group::fromJson(entry.value("resource"_L1).toObject()))
            page.groups.append(*group);
    }
    for (const QJsonValue &value : bundle.value("link"_L1).toArray()) {
        const QJsonObject link = value.toObject();
        if (link.value("relation"_L1).toString() == "next"_L1) {
            const QString next = link.value("url"_L1).toString();
            page.next = next.isEmpty() ? QUrl() : pageUrl.resolved(QUrl(next));
        }
    }
    // A server that points "next" back at the same page would loop forever; a link that is no
    // URL ends the paging.
    if (page.next == pageUrl || !page.next.isValid())
        page.next.clear();
    return page;
}

GroupSearch::GroupSearch(FhirClient *client, QObject *parent)
    : QObject(parent)
    , m_client(client)
{
}

GroupSearch::~GroupSearch()
{
    cancel();
}

void GroupSearch::start(const QString &nameContains, int pageSize)
{
    cancel();
    m_total = -1;
    // Encoded by hand: QUrlQuery would leave '+' alone, which servers read as a space.
    QString query = u"_count=%1"_s.arg(qMax(1, pageSize));
    const QString text = nameContains.trimmed();
    if (!text.isEmpty())
        query += u"&name:contains="_s + QString::fromLatin1(QUrl::toPercentEncoding(text));
    load(m_client->resolve(u"Group?"_s + query));
}

void GroupSearch::fetchMore()
{
    if (hasMore() && !isLoading())
        load(m_next);
}

void GroupSearch::cancel()
{
    ++m_generation;
    m_next.clear();
    if (FhirCall *call = m_call) {
        m_call = nullptr;
        call->abort();
    }
}

bool GroupSearch::hasMore() const
{
    return m_next.isValid() && !m_next.isEmpty();
}

bool GroupSearch::isLoading() const
{
    return !m_call.isNull();
}

int GroupSearch::total() const
{
    return m_total;
}

void GroupSearch::load(const QUrl &target)
{
    const QUrl url = target; // target may be m_next itself, which is cleared below
    const quint64 generation = ++m_generation;
    const bool firstPage = m_total < 0 && !hasMore();
    m_next.clear();
    m_call = m_client->send(url);
    connect(m_call, &FhirCall::finished, this,
            [this, generation, url, firstPage](const FhirResponse &response) {
                if (generation != m_generation)
                    return; // cancelled or superseded
                m_call = nullptr;
                if (response.error.isError()) {
                    emit failed(response.error);
                    return;
                }
                auto page = parseGroupPage(response.json(), url);
                if (!page) {
                    FhirError error;
                    error.kind = FhirError::Kind::InvalidResponse;
                    error.httpStatus = response.status;
                    error.url = url.adjusted(QUrl::RemoveQuery);
                    error.detail = tr("The Group search did not answer with a Bundle.");
                    emit failed(error);
                    return;
                }
                if (firstPage)
                    m_total = page->total;
                m_next = page->next;
                emit pageLoaded(page->groups, hasMore());
            });
}

} // namespace cohort::fhir
