# Install step (macOS), after Qt's deployment (macdeployqt): gives the bundle its display name,
# "Cohort Export.app" (the executable inside stays cohort-export), then signs it.
#   COHORT_CODESIGN_IDENTITY  a "Developer ID Application: ..." identity in the keychain:
#                             signed with the hardened runtime and a secure timestamp, as
#                             notarisation requires.
#   not set                   signed ad hoc (Apple silicon runs no unsigned code); Gatekeeper
#                             will still warn about a downloaded copy.
set(_prefix "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}")
set(_built "${_prefix}/cohort-export.app")
set(_app "${_prefix}/Cohort Export.app")
if(EXISTS "${_built}")
    file(REMOVE_RECURSE "${_app}")
    file(RENAME "${_built}" "${_app}")
endif()
if(NOT EXISTS "${_app}/Contents/MacOS/cohort-export")
    message(FATAL_ERROR "finish-bundle: ${_app} is missing or incomplete")
endif()

set(_identity "$ENV{COHORT_CODESIGN_IDENTITY}")
if(_identity STREQUAL "")
    message(STATUS "finish-bundle: COHORT_CODESIGN_IDENTITY not set, signing ad hoc")
    execute_process(COMMAND codesign --force --deep --sign - "${_app}" COMMAND_ERROR_IS_FATAL ANY)
else()
    message(STATUS "finish-bundle: signing with '${_identity}'")
    set(_keychain "")
    if(NOT "$ENV{COHORT_CODESIGN_KEYCHAIN}" STREQUAL "")
        set(_keychain --keychain "$ENV{COHORT_CODESIGN_KEYCHAIN}")
    endif()
    execute_process(
        COMMAND codesign --force --deep --options runtime --timestamp ${_keychain}
                --sign "${_identity}" "${_app}"
        COMMAND_ERROR_IS_FATAL ANY)
endif()
execute_process(COMMAND codesign --verify --deep --strict --verbose=2 "${_app}"
                COMMAND_ERROR_IS_FATAL ANY)
