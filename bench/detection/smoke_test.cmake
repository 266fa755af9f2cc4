# bench_detection_smoke: one quiet round on a few tests; the driver must exit 0
# and print its table. Timing figures are not checked (shared machines).
execute_process(
  COMMAND ${DRIVER} --rounds 1 --conditions quiet
    --filter "Deterministic.CpuLoop1us:Deterministic.Sleep1ms:Fault.FailsOneIn5:Fault.Leaks256KiBPerRun"
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "bench_detection exited with ${rc}:\n${err}")
endif()
foreach(expected "deterministic tests \\(2 x 1 rounds" "Fault.FailsOneIn5" "Fault.Leaks256KiBPerRun" "runs used")
  if(NOT out MATCHES "${expected}")
    message(FATAL_ERROR "bench_detection printed no '${expected}'")
  endif()
endforeach()
