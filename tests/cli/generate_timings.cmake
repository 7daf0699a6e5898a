# `veil generate` reports decode speed over the forward passes it actually made: none for -n 1
# (the only token comes from the prompt's logits), n - 1 for -n n.
#   cmake -DVEIL=veil -DMODEL=model.gguf -P generate_timings.cmake
cmake_minimum_required(VERSION 3.25)

set(gen ${VEIL} generate --model ${MODEL} --prompt "Once upon a time" --temp 0 --threads 2)

execute_process(COMMAND ${gen} -n 1 RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "generate -n 1 exited ${rc}\n${out}${err}")
endif()
if(NOT err MATCHES "1 generated \\(length\\) \\| prefill [0-9.]+ tok/s, decode n/a \\(no decode step\\)")
  message(FATAL_ERROR "generate -n 1 should report no decode speed, printed:\n${err}")
endif()

execute_process(COMMAND ${gen} -n 8 --json RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "generate -n 8 --json exited ${rc}\n${out}${err}")
endif()
string(JSON tps GET "${out}" decode_tps)
if(NOT tps GREATER 0)
  message(FATAL_ERROR "generate -n 8 --json: decode_tps ${tps} in\n${out}")
endif()
