#include "Console.h"

#include <QtGlobal>

#ifdef Q_OS_WIN
#include <windows.h>

#include <cstdio>
#include <fcntl.h>
#include <io.h>
#endif

namespace cohort::cli {

#ifdef Q_OS_WIN
namespace {

// A handle the process already writes to: a pipe, a file, or a console of its own.
bool usable(DWORD which)
{
    const HANDLE handle = GetStdHandle(which);
    return handle && handle != INVALID_HANDLE_VALUE && GetFileType(handle) != FILE_TYPE_UNKNOWN;
}

} // namespace

void prepareConsole()
{
    const bool outUsable = usable(STD_OUTPUT_HANDLE);
    const bool errUsable = usable(STD_ERROR_HANDLE);
    if ((!outUsable || !errUsable) && AttachConsole(ATTACH_PARENT_PROCESS)) {
        if (!outUsable && std::freopen("CONOUT$", "w", stdout))
            SetStdHandle(STD_OUTPUT_HANDLE, HANDLE(_get_osfhandle(_fileno(stdout))));
        if (!errUsable && std::freopen("CONOUT$", "w", stderr))
            SetStdHandle(STD_ERROR_HANDLE, HANDLE(_get_osfhandle(_fileno(stderr))));
    }
    SetConsoleOutputCP(CP_UTF8);
    _setmode(_fileno(stdout), _O_BINARY);
    _setmode(_fileno(stderr), _O_BINARY);
}
#else
void prepareConsole() {}
#endif

} // namespace cohort::cli
