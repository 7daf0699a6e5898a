# cmake -DVEIL=... -DARGS="attest args|separated|by|pipes" -DEXPECT_EXIT=N [-DEXPECT_MESSAGE=regex] -P expect.cmake
# Runs `veil attest <ARGS>`; fails unless the exit code is EXPECT_EXIT and stdout+stderr match
# EXPECT_MESSAGE.
string(REPLACE "|" ";" args "${ARGS}")
execute_process(COMMAND ${VEIL} attest ${args} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc STREQUAL "${EXPECT_EXIT}")
  message(FATAL_ERROR "veil attest ${args}\nexit ${rc}, expected ${EXPECT_EXIT}\nstdout:\n${out}\nstderr:\n${err}")
endif()
if(DEFINED EXPECT_MESSAGE AND NOT EXPECT_MESSAGE STREQUAL "")
  if(NOT "${out}${err}" MATCHES "${EXPECT_MESSAGE}")
    message(FATAL_ERROR "veil attest ${args}\noutput does not match '${EXPECT_MESSAGE}'\nstdout:\n${out}\nstderr:\n${err}")
  endif()
endif()
message(STATUS "ok (exit ${rc}): ${err}")
