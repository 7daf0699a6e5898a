# cmake -P script: see CMakeLists.txt. Fails with the step that went wrong.
function(run step)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${step} failed (${rc}):\n${out}\n${err}")
  endif()
  set(last_output "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)
run("install the SDK" ${CMAKE_COMMAND} --install ${VEIL_BUILD_DIR} --component sdk --prefix ${prefix})
if(NOT EXISTS ${prefix}/include/veil/plugin.h OR NOT EXISTS ${prefix}/lib/cmake/VeilSDK/VeilSDKConfig.cmake)
  message(FATAL_ERROR "the SDK install lacks plugin.h or VeilSDKConfig.cmake")
endif()

# Build out of tree: only the installed prefix is visible (no path into this source tree).
run("configure hello_backend" ${CMAKE_COMMAND} -S ${VEIL_SOURCE_DIR}/sdk/examples/hello_backend
    -B ${WORK_DIR}/build -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_CXX_COMPILER=${CXX}
    -DCMAKE_BUILD_TYPE=Release)
run("build hello_backend" ${CMAKE_COMMAND} --build ${WORK_DIR}/build)
set(plugin ${WORK_DIR}/build/plugins/libveil-hello-backend.so)
if(NOT EXISTS ${plugin})
  message(FATAL_ERROR "expected ${plugin}")
endif()

# A major-version mismatch must be refused by find_package (SameMajorVersion).
execute_process(COMMAND ${CMAKE_COMMAND} -S ${VEIL_SOURCE_DIR}/tests/sdk/wants_sdk_2 -B ${WORK_DIR}/build2
    -DCMAKE_PREFIX_PATH=${prefix} RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
if(rc EQUAL 0 OR NOT err MATCHES "VeilSDK")
  message(FATAL_ERROR "find_package(VeilSDK 2.0) should fail against SDK 1.x:\n${err}")
endif()

# Load it with the host.
file(WRITE ${WORK_DIR}/veil.yaml
  "plugin_dir: ${WORK_DIR}/build/plugins\n"
  "plugins:\n"
  "  - name: hello_backend\n"
  "    path: libveil-hello-backend.so\n")
run("veil plugins" ${VEIL} plugins --config ${WORK_DIR}/veil.yaml --json)
if(NOT last_output MATCHES "\"name\": \"hello_backend\"" OR NOT last_output MATCHES "\"status\": \"ready\""
   OR NOT last_output MATCHES "\"kind\": \"backend\"")
  message(FATAL_ERROR "the host did not load hello_backend:\n${last_output}")
endif()
message(STATUS "hello_backend built out of tree and loaded:\n${last_output}")
