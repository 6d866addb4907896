#include "PrivateFile.h"

#include <QFile>
#include <QFileInfo>

#ifdef Q_OS_WIN
#include <windows.h>

#include <aclapi.h>

#include <memory>
#include <vector>
#endif

namespace cohort::auth {

#ifdef Q_OS_WIN
namespace {

QString windowsError(DWORD code)
{
    return qt_error_string(int(code));
}

// The current user's SID, in a buffer that keeps it alive.
std::vector<BYTE> currentUserSid()
{
    HANDLE token = nullptr;
    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token))
        return {};
    DWORD size = 0;
    GetTokenInformation(token, TokenUser, nullptr, 0, &size);
    std::vector<BYTE> buffer(size);
    const bool ok = size > 0 && GetTokenInformation(token, TokenUser, buffer.data(), size, &size);
    CloseHandle(token);
    return ok ? buffer : std::vector<BYTE>{};
}

PSID sidOf(std::vector<BYTE> &tokenUser)
{
    return tokenUser.empty() ? nullptr : reinterpret_cast<TOKEN_USER *>(tokenUser.data())->User.Sid;
}

} // namespace

bool writePrivateFile(const QString &path, const QByteArray &data, QString *error)
{
    auto fail = [&](const QString &why) {
        if (error)
            *error = why;
        return false;
    };
    std::vector<BYTE> user = currentUserSid();
    if (!sidOf(user))
        return fail(QStringLiteral("cannot tell the current user's account: %1")
                        .arg(windowsError(GetLastError())));
    EXPLICIT_ACCESS_W access{};
    access.grfAccessPermissions = GENERIC_ALL;
    access.grfAccessMode = SET_ACCESS;
    access.grfInheritance = NO_INHERITANCE;
    access.Trustee.TrusteeForm = TRUSTEE_IS_SID;
    access.Trustee.TrusteeType = TRUSTEE_IS_USER;
    access.Trustee.ptstrName = static_cast<LPWSTR>(sidOf(user));
    PACL acl = nullptr;
    if (const DWORD rc = SetEntriesInAclW(1, &access, nullptr, &acl); rc != ERROR_SUCCESS)
        return fail(QStringLiteral("cannot build an access list: %1").arg(windowsError(rc)));
    const std::unique_ptr<ACL, decltype(&LocalFree)> aclOwner(acl, &LocalFree);
    SECURITY_DESCRIPTOR descriptor;
    if (!InitializeSecurityDescriptor(&descriptor, SECURITY_DESCRIPTOR_REVISION) ||
        !SetSecurityDescriptorDacl(&descriptor, TRUE, acl, FALSE) ||
        !SetSecurityDescriptorControl(&descriptor, SE_DACL_PROTECTED, SE_DACL_PROTECTED))
        return fail(QStringLiteral("cannot build a security descriptor: %1")
                        .arg(windowsError(GetLastError())));
    SECURITY_ATTRIBUTES attributes{sizeof(SECURITY_ATTRIBUTES), &descriptor, FALSE};
    const std::wstring name =
        QFileInfo(path).absoluteFilePath().replace(u'/', u'\\').toStdWString();
    HANDLE file = CreateFileW(name.c_str(), GENERIC_WRITE, 0, &attributes, CREATE_NEW,
                              FILE_ATTRIBUTE_NORMAL, nullptr);
    if (file == INVALID_HANDLE_VALUE)
        return fail(windowsError(GetLastError()));
    DWORD written = 0;
    const bool ok = WriteFile(file, data.constData(), DWORD(data.size()), &written, nullptr) &&
                    written == DWORD(data.size()) && FlushFileBuffers(file);
    const DWORD writeError = GetLastError();
    CloseHandle(file);
    if (!ok) {
        DeleteFileW(name.c_str());
        return fail(windowsError(writeError));
    }
    return true;
}

bool isPrivateToCurrentUser(const QString &path)
{
    std::vector<BYTE> user = currentUserSid();
    const std::wstring name =
        QFileInfo(path).absoluteFilePath().replace(u'/', u'\\').toStdWString();
    PACL dacl = nullptr;
    PSECURITY_DESCRIPTOR descriptor = nullptr;
    if (!sidOf(user) ||
        GetNamedSecurityInfoW(name.c_str(), SE_FILE_OBJECT, DACL_SECURITY_INFORMATION, nullptr,
                              nullptr, &dacl, nullptr, &descriptor) != ERROR_SUCCESS)
        return false;
    const std::unique_ptr<void, decltype(&LocalFree)> descriptorOwner(descriptor, &LocalFree);
    SECURITY_DESCRIPTOR_CONTROL control = 0;
    DWORD revision = 0;
    if (!dacl || !GetSecurityDescriptorControl(descriptor, &control, &revision) ||
        !(control & SE_DACL_PROTECTED))
        return false;
    for (DWORD i = 0; i < dacl->AceCount; ++i) {
        void *entry = nullptr;
        if (!GetAce(dacl, i, &entry))
            return false;
        const auto *header = static_cast<ACE_HEADER *>(entry);
        if (header->AceType != ACCESS_ALLOWED_ACE_TYPE)
            continue; // denials take nothing away from "only the user"
        auto *allowed = static_cast<ACCESS_ALLOWED_ACE *>(entry);
        if (!EqualSid(reinterpret_cast<PSID>(&allowed->SidStart), sidOf(user)))
            return false;
    }
    return dacl->AceCount > 0;
}

#else

bool writePrivateFile(const QString &path, const QByteArray &data, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::NewOnly,
                   QFileDevice::ReadOwner | QFileDevice::WriteOwner) ||
        file.write(data) != data.size() || !file.flush()) {
        if (error)
            *error = file.errorString();
        return false;
    }
    return true;
}

bool isPrivateToCurrentUser(const QString &path)
{
    const QFileInfo info(path);
    const QFileDevice::Permissions permissions = info.permissions();
    const QFileDevice::Permissions others = QFileDevice::ReadGroup | QFileDevice::WriteGroup |
                                            QFileDevice::ExeGroup | QFileDevice::ReadOther |
                                            QFileDevice::WriteOther | QFileDevice::ExeOther;
    return info.exists() && permissions.testFlag(QFileDevice::ReadOwner) && !(permissions & others);
}

#endif

} // namespace cohort::auth
