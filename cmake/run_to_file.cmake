# Runs COMMAND (a ;-list) and writes its stdout to OUTPUT; fails the build on a non-zero
# exit. Used to write the man page and the shell completions from the binary itself.
execute_process(COMMAND ${COMMAND} OUTPUT_FILE ${OUTPUT}.tmp RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  file(REMOVE ${OUTPUT}.tmp)
  message(FATAL_ERROR "${COMMAND} failed: ${result}")
endif()
file(RENAME ${OUTPUT}.tmp ${OUTPUT})
