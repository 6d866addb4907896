# CPack post-build script (macOS): signs the DMG and has Apple notarise it, when the
# environment holds the credentials; otherwise says what it skipped and leaves the DMG as is.
#   COHORT_CODESIGN_IDENTITY        Developer ID Application identity (signs the DMG)
#   COHORT_NOTARY_KEYCHAIN_PROFILE  a profile stored with `xcrun notarytool store-credentials`
#   or COHORT_NOTARY_APPLE_ID + COHORT_NOTARY_TEAM_ID + COHORT_NOTARY_PASSWORD
#                                   (an app-specific password)
# CPack gives the packages it made in CPACK_PACKAGE_FILES.
set(_identity "$ENV{COHORT_CODESIGN_IDENTITY}")
set(_notary "")
if(NOT "$ENV{COHORT_NOTARY_KEYCHAIN_PROFILE}" STREQUAL "")
    set(_notary --keychain-profile "$ENV{COHORT_NOTARY_KEYCHAIN_PROFILE}")
elseif(NOT "$ENV{COHORT_NOTARY_APPLE_ID}" STREQUAL "" AND NOT "$ENV{COHORT_NOTARY_TEAM_ID}" STREQUAL ""
       AND NOT "$ENV{COHORT_NOTARY_PASSWORD}" STREQUAL "")
    set(_notary --apple-id "$ENV{COHORT_NOTARY_APPLE_ID}" --team-id "$ENV{COHORT_NOTARY_TEAM_ID}"
                --password "$ENV{COHORT_NOTARY_PASSWORD}")
endif()

foreach(_dmg IN LISTS CPACK_PACKAGE_FILES)
    if(NOT _dmg MATCHES "\\.dmg$")
        continue()
    endif()
    if(_identity STREQUAL "")
        message(STATUS "notarize: COHORT_CODESIGN_IDENTITY not set: ${_dmg} is not signed or notarised")
        continue()
    endif()
    set(_keychain "")
    if(NOT "$ENV{COHORT_CODESIGN_KEYCHAIN}" STREQUAL "")
        set(_keychain --keychain "$ENV{COHORT_CODESIGN_KEYCHAIN}")
    endif()
    execute_process(COMMAND codesign --force --timestamp ${_keychain} --sign "${_identity}" "${_dmg}"
                    COMMAND_ERROR_IS_FATAL ANY)
    if(NOT _notary)
        message(STATUS "notarize: no notary credentials (COHORT_NOTARY_*): ${_dmg} is signed, not notarised")
        continue()
    endif()
    message(STATUS "notarize: submitting ${_dmg} to Apple's notary service (this waits for the verdict)")
    execute_process(COMMAND xcrun notarytool submit "${_dmg}" ${_notary} --wait --timeout 30m
                    RESULT_VARIABLE _rc OUTPUT_VARIABLE _out ERROR_VARIABLE _out)
    message(STATUS "${_out}")
    # notarytool can exit 0 with a verdict of Invalid: the verdict decides.
    if(NOT _rc EQUAL 0 OR NOT _out MATCHES "status: Accepted")
        message(FATAL_ERROR "notarize: Apple did not accept ${_dmg} (xcrun notarytool log <id> tells why)")
    endif()
    execute_process(COMMAND xcrun stapler staple "${_dmg}" COMMAND_ERROR_IS_FATAL ANY)
    execute_process(COMMAND xcrun stapler validate "${_dmg}" COMMAND_ERROR_IS_FATAL ANY)
endforeach()
