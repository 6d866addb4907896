#include "TestFiles.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>

#ifdef Q_OS_WIN
#include <windows.h>
#endif

namespace cohort::test {

QMap<QString, QByteArray> ndjsonFilesIn(const QString &folder)
{
    QMap<QString, QByteArray> files;
    QDirIterator it(folder, {QStringLiteral("*.ndjson")}, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        QFile f(path);
        if (f.open(QIODevice::ReadOnly))
            files.insert(QDir(folder).relativeFilePath(path), f.readAll());
    }
    return files;
}

QStringList partFilesIn(const QString &folder)
{
    QStringList parts;
    QDirIterator it(folder, {QStringLiteral("*.part")}, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext())
        parts.append(it.next());
    return parts;
}

bool runningUnderWine()
{
#ifdef Q_OS_WIN
    const HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
    return ntdll && GetProcAddress(ntdll, "wine_get_version");
#else
    return false;
#endif
}

} // namespace cohort::test
