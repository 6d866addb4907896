#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QStringList>
#include <QUrl>
#include <optional>

namespace cohort::bulk {

// What to export, as the user asked for it; validated before any request is sent.
struct ExportRequest
{
    enum class Level
    {
        System,
        Patient,
        Group
    };
    Level level = Level::Group;
    QString groupId;
    QStringList types;       // _type; empty: everything the server has
    QString since;           // _since, a FHIR instant as typed (validated)
    QString until;           // _until
    QString outputFormat;    // _outputFormat; empty: server default (fhir+ndjson)
    QStringList elements;    // _elements
    QStringList typeFilters; // _typeFilter, each "Type?search"
    QStringList patients;    // patient references ("Patient/x"); forces POST
    QStringList includeAssociatedData;
    bool lenient = false; // Prefer: handling=lenient
    bool post = false;    // POST a Parameters resource instead of GET

    // A reason the request cannot be sent: the field it is about (so that a form can mark it)
    // and a sentence for people, translated.
    struct Problem
    {
        enum class Field
        {
            Group,
            Types,
            Since,
            Until,
            TypeFilters,
            Patients,
        };
        Field field;
        QString message;
    };
    // Every rule a request must meet, in one place for the export form, the export manager and
    // the command line; empty when the request can be sent.
    QList<Problem> validate() const;
    // The problems' sentences, one after another.
    static QString describe(const QList<Problem> &problems);
    bool usesPost() const { return post || !patients.isEmpty(); }
    // Path relative to the FHIR base: "$export", "Patient/$export", "Group/{id}/$export".
    QString operationPath() const;
    // Query for GET (types and lists comma-joined, typeFilter repeated).
    QString query() const;
    // The Parameters resource for POST (repeated parameters, valueInstant for dates).
    QByteArray parametersJson() const;
    QString preferHeader() const;

    QJsonObject toJson() const;
    static ExportRequest fromJson(const QJsonObject &json);
    static QString levelName(Level level);
};

} // namespace cohort::bulk
