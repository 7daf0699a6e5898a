# cmake -DVEIL=... -DWHICH=snp|tdx -DWORK=dir -DMODEL=gguf -P simulated_roundtrip.cmake
# veil attest evidence --simulate WHICH, then veil attest verify: passes with --allow-simulated and
# the same nonce; refused without --allow-simulated, with another nonce, and with altered claims.
file(MAKE_DIRECTORY ${WORK})
get_filename_component(bindir ${VEIL} DIRECTORY)
set(conf ${WORK}/veil.yaml)
file(WRITE ${conf} "plugin_dir: ${bindir}/plugins
plugins:
  - name: tee_${WHICH}
    path: libveil-tee-${WHICH}.so
tee: none
models:
  - id: stories260K
    path: ${MODEL}
")
set(nonce 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff)
set(other 10112233445566778899aabbccddeeff00112233445566778899aabbccddeeff)
set(bundle ${WORK}/bundle.json)

function(run expect_exit regex)
  execute_process(COMMAND ${VEIL} attest ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc STREQUAL "${expect_exit}" OR NOT "${out}${err}" MATCHES "${regex}")
    message(FATAL_ERROR "veil attest ${ARGN}\nexit ${rc} (expected ${expect_exit}, output matching '${regex}')\n"
                        "stdout:\n${out}\nstderr:\n${err}")
  endif()
  message(STATUS "ok: veil attest ${ARGN} -> ${rc}")
endfunction()

file(REMOVE ${bundle})
run(0 "SIMULATED" evidence --config ${conf} --nonce ${nonce} --simulate ${WHICH} --out ${bundle})
file(READ ${bundle} text)
if(NOT text MATCHES "\"simulated\" *: *true")
  message(FATAL_ERROR "bundle claims do not say tee.simulated true:\n${text}")
endif()
run(0 "\"nonce\"" verify --evidence ${bundle} --allow-simulated --nonce ${nonce})
run(1 "attestation verify:.*simulated" verify --evidence ${bundle} --nonce ${nonce})
run(1 "attestation verify: nonce" verify --evidence ${bundle} --allow-simulated --nonce ${other})

# Alter the claims (config_sha256): the bundle no longer binds them.
string(REGEX REPLACE "\"config_sha256\" *: *\"[0-9a-f]" "\"config_sha256\":\"x" altered "${text}")
if(altered STREQUAL text)
  message(FATAL_ERROR "could not alter config_sha256 in:\n${text}")
endif()
file(WRITE ${WORK}/altered.json "${altered}")
run(1 "attestation verify: report_data" verify --evidence ${WORK}/altered.json --allow-simulated --nonce ${nonce})

# Flip one evidence byte in the report_data field of the bundle: report_data no longer matches claims.
string(REGEX MATCH "\"report_data\" *: *\"([0-9a-f]+)\"" m "${text}")
set(rd ${CMAKE_MATCH_1})
string(SUBSTRING ${rd} 0 1 first)
if(first STREQUAL "0")
  set(flip "1")
else()
  set(flip "0")
endif()
string(SUBSTRING ${rd} 1 -1 tail)
string(REPLACE "${rd}" "${flip}${tail}" flipped "${text}")
file(WRITE ${WORK}/flipped.json "${flipped}")
run(1 "attestation verify: report_data" verify --evidence ${WORK}/flipped.json --allow-simulated --nonce ${nonce})
