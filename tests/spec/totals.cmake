# Runs the spec runner on every converted script and requires the exact totals
# below, so that a change cannot hide a lost assertion as "mostly passing"
# (the per-file tests fail on a failure, not on an assertion that vanished).
# Invoked by ctest as: cmake -DRUNNER=... -DSCRIPTS=... -P totals.cmake
set(expected_passed 27352)
set(expected_failed 0)
set(expected_skipped 26547)

file(GLOB scripts "${SCRIPTS}/*/*.json")
set(passed 0)
set(failed 0)
set(skipped 0)
foreach(script IN LISTS scripts)
  execute_process(COMMAND "${RUNNER}" "${script}" OUTPUT_VARIABLE out RESULT_VARIABLE status)
  if(NOT out MATCHES "passed ([0-9]+), failed ([0-9]+), skipped ([0-9]+)\n$")
    message(FATAL_ERROR "no counts from ${script}:\n${out}")
  endif()
  math(EXPR passed "${passed} + ${CMAKE_MATCH_1}")
  math(EXPR failed "${failed} + ${CMAKE_MATCH_2}")
  math(EXPR skipped "${skipped} + ${CMAKE_MATCH_3}")
endforeach()
message(STATUS "spec totals: passed ${passed}, failed ${failed}, skipped ${skipped}")
if(NOT passed EQUAL expected_passed OR NOT failed EQUAL expected_failed
   OR NOT skipped EQUAL expected_skipped)
  message(FATAL_ERROR "expected passed ${expected_passed}, failed ${expected_failed}, "
                      "skipped ${expected_skipped}")
endif()
