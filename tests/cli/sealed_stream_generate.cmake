# Seal -> generate through backend_stream (under a memory budget that streams part of the model)
# -> the same greedy tokens as backend_full on the plain file (#6):
#   cmake -DVEIL=veil -DPLUGIN_DIR=dir -DMODEL=model.gguf -DBUDGET=bytes -DWORK=dir -P sealed_stream_generate.cmake
cmake_minimum_required(VERSION 3.25)

file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})

function(veil_ok out_var)
  execute_process(COMMAND ${CMAKE_COMMAND} -E env VEIL_POLICY_EPC_BYTES=${BUDGET} ${VEIL} ${ARGN}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "veil ${ARGN} exited ${rc}\n${out}${err}")
  endif()
  set(${out_var} "${out}" PARENT_SCOPE)
  set(${out_var}_ERR "${err}" PARENT_SCOPE)
endfunction()

# Both backends from the build; the policy's EPC (from the environment) minus a zero reserve is
# backend_stream's memory budget.
file(WRITE ${WORK}/veil.yaml "plugin_dir: ${PLUGIN_DIR}
plugins:
  - name: backend_full
    path: libveil-backend-full.so
  - name: backend_stream
    path: libveil-backend-stream.so
tee: none
policy:
  reserve_bytes: 0
")

veil_ok(ignored model keygen --out ${WORK}/key)
veil_ok(ignored model seal ${MODEL} ${WORK}/m.veil --key-file ${WORK}/key --chunk-size 64K)
set(gen generate --prompt "Once upon a time" -n 24 --temp 0 --threads 2)
veil_ok(plain ${gen} --model ${MODEL} --backend full)
veil_ok(sealed ${gen} --config ${WORK}/veil.yaml --model ${WORK}/m.veil --key-file ${WORK}/key --backend stream
        --log-level info)
if(NOT plain STREQUAL sealed)
  message(FATAL_ERROR "sealed model through backend_stream generated\n${sealed}\nbut the plain model through backend_full\n${plain}")
endif()
# The plugin logs its residency at load: some layers resident, some streamed.
if(NOT sealed_ERR MATCHES "\"streamed_layers\":\\[[0-9]" OR NOT sealed_ERR MATCHES "\"resident_layers\":\\[[0-9]")
  message(FATAL_ERROR "expected a partly resident model under a ${BUDGET}-byte budget:\n${sealed_ERR}")
endif()
message(STATUS "sealed + backend_stream reproduces backend_full: ${sealed}")
