# CTest's short run of one libFuzzer target (fuzz/CMakeLists.txt): a fresh
# scratch folder for the inputs it finds, the seed corpus read only, the
# target's dictionary when it has one. Fails on any finding.
# -D: FUZZER, CORPUS, DICT, SCRATCH, RUNS, SECONDS.
file(REMOVE_RECURSE ${SCRATCH})
file(MAKE_DIRECTORY ${SCRATCH})
set(args -runs=${RUNS} -max_total_time=${SECONDS} -seed=1 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
  -artifact_prefix=${SCRATCH}/)
if(EXISTS ${DICT})
  list(APPEND args -dict=${DICT})
endif()
execute_process(COMMAND ${FUZZER} ${args} ${SCRATCH} ${CORPUS} RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "${FUZZER} found a problem (exit ${result}); the input is in ${SCRATCH}")
endif()
