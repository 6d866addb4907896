# Builds the MSI from a staged install tree (cmake -P; the `msi` target of packaging/CMakeLists.txt
# runs it): writes files.wxs, every file of STAGE as a component of the group AppFiles under
# INSTALL_ROOT, then compiles it with the product source PRODUCT_WXS, by wixl (msitools, Linux)
# when WIXL is set, else by WiX 3's candle and light (Windows).
#   -DSTAGE=dir -DPRODUCT_WXS=file -DWORK=dir -DOUTPUT=file.msi [-DWIXL=wixl | -DCANDLE=.. -DLIGHT=..]
foreach(_var STAGE PRODUCT_WXS WORK OUTPUT)
    if(NOT ${_var})
        message(FATAL_ERROR "make-msi.cmake: ${_var} is not set")
    endif()
endforeach()
if(NOT IS_DIRECTORY "${STAGE}/bin")
    message(FATAL_ERROR "make-msi.cmake: ${STAGE}/bin does not exist (was the install staged?)")
endif()

# Ids from the path, so the same tree gives the same source.
function(_id prefix path out)
    string(MD5 _hash "${path}")
    string(SUBSTRING "${_hash}" 0 24 _hash)
    set(${out} "${prefix}${_hash}" PARENT_SCOPE)
endfunction()

function(_escape text out)
    string(REPLACE "&" "&amp;" text "${text}")
    string(REPLACE "<" "&lt;" text "${text}")
    string(REPLACE ">" "&gt;" text "${text}")
    string(REPLACE "\"" "&quot;" text "${text}")
    set(${out} "${text}" PARENT_SCOPE)
endfunction()

set(_refs "")
# Writes the directory REL (relative to STAGE, "" for the root) with its files and sub-folders.
function(_write_dir rel indent out)
    set(_xml "")
    if(rel STREQUAL "")
        set(_abs "${STAGE}")
    else()
        set(_abs "${STAGE}/${rel}")
    endif()
    file(GLOB _entries RELATIVE "${_abs}" "${_abs}/*")
    list(SORT _entries)
    foreach(_entry IN LISTS _entries)
        if(rel STREQUAL "")
            set(_child "${_entry}")
        else()
            set(_child "${rel}/${_entry}")
        endif()
        _escape("${_entry}" _name)
        if(IS_DIRECTORY "${STAGE}/${_child}")
            _id(d_ "${_child}" _dir_id)
            _write_dir("${_child}" "${indent}  " _inner)
            string(APPEND _xml "${indent}<Directory Id=\"${_dir_id}\" Name=\"${_name}\">\n${_inner}${indent}</Directory>\n")
        else()
            _id(c_ "${_child}" _component)
            _id(f_ "${_child}" _file)
            _escape("${STAGE}/${_child}" _source)
            string(APPEND _xml "${indent}<Component Id=\"${_component}\" Guid=\"*\" Win64=\"yes\">\n"
                               "${indent}  <File Id=\"${_file}\" Name=\"${_name}\" Source=\"${_source}\" KeyPath=\"yes\" />\n"
                               "${indent}</Component>\n")
            set_property(GLOBAL APPEND PROPERTY COHORT_MSI_COMPONENTS "${_component}")
        endif()
    endforeach()
    set(${out} "${_xml}" PARENT_SCOPE)
endfunction()

_write_dir("" "      " _tree)
get_property(_components GLOBAL PROPERTY COHORT_MSI_COMPONENTS)
set(_group "")
foreach(_component IN LISTS _components)
    string(APPEND _group "      <ComponentRef Id=\"${_component}\" />\n")
endforeach()
list(LENGTH _components _count)

file(MAKE_DIRECTORY "${WORK}")
file(WRITE "${WORK}/files.wxs"
"<?xml version=\"1.0\" encoding=\"utf-8\"?>
<!-- Written by make-msi.cmake from ${STAGE}: ${_count} files. -->
<Wix xmlns=\"http://schemas.microsoft.com/wix/2006/wi\">
  <Fragment>
    <DirectoryRef Id=\"INSTALL_ROOT\">
${_tree}    </DirectoryRef>
    <ComponentGroup Id=\"AppFiles\">
${_group}    </ComponentGroup>
  </Fragment>
</Wix>
")

get_filename_component(_output_dir "${OUTPUT}" DIRECTORY)
file(MAKE_DIRECTORY "${_output_dir}")
file(REMOVE "${OUTPUT}")
if(WIXL)
    # wixl 0.101 cannot open absolute source paths: the same files, relative to "/", from there.
    foreach(_wxs "${PRODUCT_WXS}" "${WORK}/files.wxs")
        file(READ "${_wxs}" _text)
        string(REPLACE "Source=\"/" "Source=\"" _text "${_text}")
        string(REPLACE "SourceFile=\"/" "SourceFile=\"" _text "${_text}")
        get_filename_component(_name "${_wxs}" NAME_WE)
        file(WRITE "${WORK}/wixl-${_name}.wxs" "${_text}")
    endforeach()
    get_filename_component(_product "${PRODUCT_WXS}" NAME_WE)
    execute_process(COMMAND "${WIXL}" -a x64 -o "${OUTPUT}" "${WORK}/wixl-${_product}.wxs"
                            "${WORK}/wixl-files.wxs"
                    WORKING_DIRECTORY / RESULT_VARIABLE _rc)
elseif(CANDLE AND LIGHT)
    execute_process(COMMAND "${CANDLE}" -nologo -arch x64 -out "${WORK}/" "${PRODUCT_WXS}" "${WORK}/files.wxs"
                    RESULT_VARIABLE _rc)
    if(_rc EQUAL 0)
        get_filename_component(_product "${PRODUCT_WXS}" NAME_WE)
        execute_process(COMMAND "${LIGHT}" -nologo -out "${OUTPUT}" "${WORK}/${_product}.wixobj" "${WORK}/files.wixobj"
                        RESULT_VARIABLE _rc)
    endif()
else()
    message(FATAL_ERROR "make-msi.cmake: neither wixl (msitools) nor WiX 3 (candle, light) was found")
endif()
if(NOT _rc EQUAL 0 OR NOT EXISTS "${OUTPUT}")
    message(FATAL_ERROR "make-msi.cmake: building ${OUTPUT} failed (${_rc})")
endif()
message(STATUS "MSI: ${OUTPUT} (${_count} files)")
