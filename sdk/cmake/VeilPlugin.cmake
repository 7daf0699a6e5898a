# veil_add_plugin(<name> KIND backend|tee|transport SOURCES <src>... [OUTPUT_DIRECTORY <dir>])
#
# Builds a Veil plugin as a MODULE library named libveil-<name with '_' as '-'>.so: hidden
# visibility, a version script exporting only veil_plugin_query, and -z defs so an unresolved
# symbol fails the link instead of the host's dlopen.
function(veil_add_plugin name)
  cmake_parse_arguments(ARG "" "KIND;OUTPUT_DIRECTORY" "SOURCES" ${ARGN})
  if(NOT ARG_KIND MATCHES "^(backend|tee|transport)$")
    message(FATAL_ERROR "veil_add_plugin(${name}): KIND must be backend, tee or transport (got '${ARG_KIND}')")
  endif()
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "veil_add_plugin(${name}): SOURCES is empty")
  endif()
  string(REPLACE "_" "-" file_stem "${name}")
  add_library(${name} MODULE ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE VeilSDK::sdk)
  set_target_properties(${name} PROPERTIES
    OUTPUT_NAME "veil-${file_stem}"
    PREFIX "lib"
    CXX_VISIBILITY_PRESET hidden
    C_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    VEIL_PLUGIN_KIND "${ARG_KIND}")
  if(ARG_OUTPUT_DIRECTORY)
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${ARG_OUTPUT_DIRECTORY}")
  elseif(DEFINED VEIL_PLUGIN_OUTPUT_DIR)
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${VEIL_PLUGIN_OUTPUT_DIR}")
  endif()
  target_link_options(${name} PRIVATE
    "LINKER:--version-script=${VEIL_SDK_VERSION_SCRIPT}"
    "LINKER:-z,defs")
  set_property(TARGET ${name} APPEND PROPERTY LINK_DEPENDS "${VEIL_SDK_VERSION_SCRIPT}")
endfunction()
