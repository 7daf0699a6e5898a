# Runs `veil tokenize` for ctest (cmake -P).
#   -DVEIL=<binary> -DMODEL=<gguf> -DINP=<cases.inp> -DEXPECTED=<.out> -DOUT=<scratch file>
#       output must equal EXPECTED byte for byte
#   -DVEIL=<binary> -DMODEL=<gguf> -DINP=<cases.inp> -DEXPECT_EXIT=1 -DEXPECT_MESSAGE=<text>
#       the command must fail with that exit code and mention the text on stderr
execute_process(COMMAND ${VEIL} tokenize --model ${MODEL} --file ${INP}
  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
if(DEFINED EXPECT_EXIT)
  if(NOT rc EQUAL EXPECT_EXIT)
    message(FATAL_ERROR "exit code ${rc}, expected ${EXPECT_EXIT}; stderr: ${err}")
  endif()
  string(FIND "${err}" "${EXPECT_MESSAGE}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "stderr does not mention '${EXPECT_MESSAGE}': ${err}")
  endif()
  return()
endif()
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "veil tokenize failed (${rc}): ${err}")
endif()
# Written byte for byte (the output is ids and spaces only, so no encoding issues).
file(WRITE ${OUT} "${out}")
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${OUT} ${EXPECTED} RESULT_VARIABLE diff)
if(NOT diff EQUAL 0)
  execute_process(COMMAND diff ${EXPECTED} ${OUT})
  message(FATAL_ERROR "output of veil tokenize differs from ${EXPECTED}")
endif()
